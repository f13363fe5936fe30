import type { RecordFilterFlagValues } from '@shardflow/outbox-relay';
import type { ConnectionFlags } from '../connection/connection-settings.js';
import type { ConnectionNeeds, OpsConnection } from '../connection/open-connection.js';

/** Where the CLI writes, and the environment it reads (both replaceable in tests). */
export interface CliIo {
  out(line: string): void;
  err(line: string): void;
  readonly env: NodeJS.ProcessEnv;
}

/** The parsed flags (every value optional; parseArgs checked their types). */
export interface CliValues extends ConnectionFlags, RecordFilterFlagValues {
  help?: boolean;
  version?: boolean;
  json?: boolean;
  instance?: string;
  item?: string;
  'by-item'?: boolean;
  limit?: string;
  task?: string;
  all?: boolean;
  host?: string;
  port?: string;
  'read-only'?: boolean;
}

/** Runs a prepared command on an open connection; resolves to the exit status. */
export type PreparedCommand = (connection: OpsConnection, io: CliIo, json: boolean) => Promise<number>;

/** One command of the CLI. */
export interface CliCommand {
  /** Its name in usage texts and messages: `job`, `outbox dead`. */
  readonly usageKey: string;
  /** The command-specific flags it takes. */
  readonly flags: readonly string[];
  /** Whether it handles these positionals (command words and arguments). */
  matches(positionals: readonly string[]): boolean;
  /** Checks arguments and flags (usage errors name them) before anything connects. */
  prepare(positionals: readonly string[], values: CliValues, env: NodeJS.ProcessEnv): PreparedCommand;
  needs(values: CliValues): ConnectionNeeds;
}

/** JSON with dates as ISO strings, one document. */
export function printJson(io: CliIo, value: unknown): void {
  io.out(JSON.stringify(value, null, 2));
}
