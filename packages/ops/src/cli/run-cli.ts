import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { InvalidJobConfigError, InvalidRegistryConfigError } from '@shardflow/core';
import { InvalidOutboxConfigError, OUTBOX_TABLE_FLAGS, RECORD_FILTER_FLAGS } from '@shardflow/outbox-relay';
import { InvalidOpsArgumentError } from '../errors/invalid-ops-argument-error.js';
import { ConsoleAuthRequiredError } from '../errors/console-auth-required-error.js';
import { resolveConnection, type ConnectionFlags } from '../connection/connection-settings.js';
import { openConnection, type OpsConnection } from '../connection/open-connection.js';
import { commandUsage, MAIN_USAGE } from './usage.js';
import { JOB_COMMANDS } from './job-commands.js';
import { OUTBOX_COMMANDS } from './outbox-commands.js';
import { CONSOLE_COMMAND } from './console-command.js';
import { HISTORY_COMMAND } from './history-command.js';
import type { CliCommand, CliIo, CliValues } from './cli-command.js';

const OPTIONS = {
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean' },
  json: { type: 'boolean' },
  config: { type: 'string' },
  zk: { type: 'string' },
  namespace: { type: 'string' },
  'zk-digest-file': { type: 'string' },
  db: { type: 'string', multiple: true },
  'db-password-file': { type: 'string' },
  'relay-job': { type: 'string' },
  partitioning: { type: 'string' },
  partitions: { type: 'string' },
  ...OUTBOX_TABLE_FLAGS,
  instance: { type: 'string' },
  item: { type: 'string' },
  'by-item': { type: 'boolean' },
  ...RECORD_FILTER_FLAGS,
  limit: { type: 'string' },
  task: { type: 'string' },
  all: { type: 'boolean' },
  host: { type: 'string' },
  port: { type: 'string' },
  'read-only': { type: 'boolean' },
} as const;

/** Flags that belong to some commands only; anywhere else they are a usage error naming them. */
const COMMAND_FLAGS = ['instance', 'item', 'by-item', 'id', 'key', 'topic', 'cluster', 'from', 'to', 'limit', 'task', 'all', 'host', 'port', 'read-only'] as const;

const COMMANDS: readonly CliCommand[] = [...JOB_COMMANDS, HISTORY_COMMAND, ...OUTBOX_COMMANDS, CONSOLE_COMMAND];

/**
 * The `shardflow` command line over the operations API. Returns the exit status: 0 done, 1 the
 * operation failed, 2 a usage error (naming the flag), reported before anything is connected.
 */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  let values: CliValues;
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({ args: [...argv], options: OPTIONS, allowPositionals: true, strict: true }));
  } catch (error) {
    io.err(`shardflow: ${(error as Error).message}\nRun 'shardflow --help' for usage.`);
    return 2;
  }
  if (values.version) {
    io.out(packageVersion());
    return 0;
  }
  const command = COMMANDS.find((candidate) => candidate.matches(positionals));
  if (values.help) {
    io.out(command ? commandUsage(command.usageKey) : MAIN_USAGE);
    return 0;
  }
  if (!command) {
    io.err(`shardflow: ${positionals.length === 0 ? 'no command given' : `unknown command '${positionals.join(' ')}'`}\n\n${MAIN_USAGE}`);
    return 2;
  }
  let connection: OpsConnection | undefined;
  try {
    for (const flag of COMMAND_FLAGS) {
      if (values[flag] !== undefined && !command.flags.includes(flag)) throw new InvalidOpsArgumentError(`--${flag}`, undefined, `is not a flag of '${command.usageKey}'`);
    }
    const prepared = command.prepare(positionals, values, io.env);
    const settings = resolveConnection(values as ConnectionFlags, io.env);
    connection = await openConnection(settings, command.needs(values));
    return await prepared(connection, io, values.json ?? false);
  } catch (error) {
    if (isUsageError(error)) {
      io.err(`shardflow ${command.usageKey}: ${(error as Error).message}\nRun 'shardflow ${command.usageKey} --help' for usage.`);
      return 2;
    }
    io.err(`shardflow ${command.usageKey}: ${(error as Error).message}`);
    return 1;
  } finally {
    await connection?.close();
  }
}

function isUsageError(error: unknown): boolean {
  return error instanceof InvalidOpsArgumentError || error instanceof InvalidOutboxConfigError
    || error instanceof InvalidRegistryConfigError || error instanceof InvalidJobConfigError || error instanceof ConsoleAuthRequiredError;
}

function packageVersion(): string {
  // The same relative place from src/cli and dist/cli.
  const manifest = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return manifest.version;
}
