import { parseArgs } from 'node:util';
import { createPartitioning } from '../create-outbox.js';
import { InvalidOutboxConfigError } from '../errors/invalid-outbox-config-error.js';
import type { OutboxTableOptions } from '../schema/outbox-table.js';
import { MysqlOutboxStore } from '../store/mysql-outbox-store.js';
import { PgOutboxStore } from '../store/pg-outbox-store.js';
import type { DeadRecord, RecordFilter } from '../store/outbox-record.js';
import {
  integerFlag, OUTBOX_TABLE_FLAGS, OUTBOX_TABLE_USAGE, parseOutboxTableFlags, parseRecordFilterFlags, RECORD_FILTER_FLAGS, RECORD_FILTER_USAGE,
} from './outbox-flags.js';
import type { DeadRowStore } from '../store/outbox-store.js';

/** Where the CLI writes: stdout and stderr in the real command, buffers in tests. */
export interface CliOutput {
  out(line: string): void;
  err(line: string): void;
}

/** `list` holds and prints every row it reads: a bound that still fits in memory. */
const MAX_LIST_LIMIT = 1_000_000;

export const DEAD_ROWS_USAGE = `Usage: shardflow-outbox dead <list|count|replay> --db URL [--db URL ...] [options]
(\`shardflow outbox dead\` of @shardflow/ops does the same, with passwords from the environment.)

Connection and table (as the relay is configured):
  --db URL              mysql://user:password@host:3306/database or postgres://user:password@host:5432/database;
                        repeat for N databases (all of one kind), in order
${OUTBOX_TABLE_USAGE}

Which dead rows (all given filters apply together):
${RECORD_FILTER_USAGE}

  list:   --limit N (default 100, at most ${MAX_LIST_LIMIT}), --json for one JSON object a line
  replay: back to pending with a fresh retry budget; needs a filter, or --all for every dead row`;

const ACTIONS = ['list', 'count', 'replay'] as const;
type Action = (typeof ACTIONS)[number];

interface DeadRowsCommand {
  readonly action: Action;
  readonly databases: readonly string[];
  readonly table: OutboxTableOptions;
  readonly tables: readonly string[] | undefined;
  readonly filter: RecordFilter;
  readonly limit: number;
  readonly json: boolean;
}

/**
 * `shardflow-outbox dead list|count|replay`: the dead-row API (`listDead`, `countDead`,
 * `replayDead`) from a shell. Returns the exit code: 0 done, 2 bad arguments (the message names
 * the flag), 1 the database failed.
 */
export async function runDeadRowsCli(argv: readonly string[], output: CliOutput): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    output.out(DEAD_ROWS_USAGE);
    return 0;
  }
  let command: DeadRowsCommand;
  try {
    command = parseCommand(argv);
  } catch (error) {
    if (!(error instanceof InvalidOutboxConfigError)) throw error;
    output.err(`${error.message}\n\n${DEAD_ROWS_USAGE}`);
    return 2;
  }
  let connection: { store: DeadRowStore; close(): Promise<void> } | undefined;
  try {
    connection = await connect(command);
    const { store } = connection;
    switch (command.action) {
      case 'list':
        printDead(await store.listDead(command.filter, command.limit), command.json, output);
        break;
      case 'count':
        output.out(String(await store.countDead(command.filter)));
        break;
      case 'replay':
        output.out(`replayed ${await store.replayDead(command.filter)} dead rows`);
        break;
    }
    return 0;
  } catch (error) {
    output.err(`shardflow-outbox: ${(error as Error).message}`);
    return 1;
  } finally {
    await connection?.close();
  }
}

/**
 * The dead-row store on the databases the URLs name, loading only the driver their scheme needs
 * (each is an optional dependency of the package).
 */
async function connect(command: DeadRowsCommand): Promise<{ store: DeadRowStore; close(): Promise<void> }> {
  const partitioning = createPartitioning({
    ...command.table,
    partitioning: command.tables ? { mode: 'physical-tables', tables: command.tables } : { mode: 'id-mod' },
  }, command.databases.length);
  if (schemeOf(command.databases[0] as string) === 'postgres') {
    const { default: pg } = await import('pg');
    const pools = command.databases.map((url) => new pg.Pool({ connectionString: url, max: 2 }));
    return { store: new PgOutboxStore(pools, partitioning), close: async () => void (await Promise.allSettled(pools.map((pool) => pool.end()))) };
  }
  const { default: mysql } = await import('mysql2/promise');
  const pools = command.databases.map((url) => mysql.createPool({ uri: url, connectionLimit: 2 }));
  return { store: new MysqlOutboxStore(pools, partitioning), close: async () => void (await Promise.allSettled(pools.map((pool) => pool.end()))) };
}

/** The kind of database a URL names; undefined for a scheme the CLI does not know. */
function schemeOf(url: string): 'mysql' | 'postgres' | undefined {
  const scheme = /^([a-z]+):\/\/.+\/[^/?]+/.exec(url)?.[1];
  if (scheme === 'mysql') return 'mysql';
  return scheme === 'postgres' || scheme === 'postgresql' ? 'postgres' : undefined;
}

function parseCommand(argv: readonly string[]): DeadRowsCommand {
  let parsed: ReturnType<typeof parseFlags>;
  try {
    parsed = parseFlags(argv);
  } catch (error) {
    throw new InvalidOutboxConfigError('arguments', argv.join(' '), (error as Error).message);
  }
  const { values, positionals } = parsed;
  const [group, action, ...rest] = positionals;
  if (group !== 'dead' || !ACTIONS.includes(action as Action) || rest.length > 0) {
    throw new InvalidOutboxConfigError('command', positionals.join(' '), `must be one of: ${ACTIONS.map((name) => `dead ${name}`).join(', ')}`);
  }
  const databases = values.db ?? [];
  for (const url of databases) {
    if (!schemeOf(url)) throw new InvalidOutboxConfigError('--db', url.replace(/:[^:@/]*@/, ':***@'), 'must be mysql://user:password@host:port/database or postgres://...');
  }
  if (new Set(databases.map(schemeOf)).size > 1) throw new InvalidOutboxConfigError('--db', databases.length, 'must all be mysql:// URLs or all postgres:// URLs');
  if (databases.length === 0) throw new InvalidOutboxConfigError('--db', undefined, 'give at least one database URL');
  const { table, tables } = parseOutboxTableFlags(values);
  const filter = parseRecordFilterFlags(values);
  if (action === 'replay' && Object.keys(filter).length === 0 && !values.all) {
    throw new InvalidOutboxConfigError('--all', false, 'replay needs a filter (--id, --key, --topic, --cluster, --from, --to), or --all to replay every dead row');
  }
  const limit = values.limit === undefined ? 100 : integerFlag('--limit', values.limit, 1, MAX_LIST_LIMIT);
  return { action: action as Action, databases, table, tables, filter, limit, json: values.json ?? false };
}

function parseFlags(argv: readonly string[]) {
  return parseArgs({
    args: [...argv],
    allowPositionals: true,
    strict: true,
    options: {
      db: { type: 'string', multiple: true },
      ...OUTBOX_TABLE_FLAGS,
      ...RECORD_FILTER_FLAGS,
      limit: { type: 'string' },
      json: { type: 'boolean' },
      all: { type: 'boolean' },
    },
  });
}

function printDead(rows: readonly DeadRecord[], json: boolean, output: CliOutput): void {
  if (json) {
    for (const row of rows) output.out(JSON.stringify(row));
    return;
  }
  const header = ['id', 'db', 'table', 'cluster', 'topic', 'key', 'retries', 'created', 'last_error'];
  const lines = rows.map((row) => [
    String(row.id), String(row.database), row.table, row.cluster, row.topic, row.key, String(row.retryCount),
    row.createTime.toISOString(), (row.lastError ?? '').slice(0, 80),
  ]);
  const widths = header.map((title, column) => Math.max(title.length, ...lines.map((line) => (line[column] as string).length)));
  for (const line of [header, ...lines]) output.out(line.map((cell, column) => cell.padEnd(widths[column] as number)).join('  ').trimEnd());
  output.out(`${rows.length} dead row${rows.length === 1 ? '' : 's'}`);
}
