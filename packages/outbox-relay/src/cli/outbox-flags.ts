import { InvalidOutboxConfigError } from '../errors/invalid-outbox-config-error.js';
import { DEFAULT_COLUMNS, resolveOutboxTable, STATE_VALUE_RANGE, type OutboxColumns, type OutboxStates, type OutboxTableOptions } from '../schema/outbox-table.js';
import type { RecordFilter } from '../store/outbox-record.js';

/**
 * The outbox flags that every shardflow command line shares (`shardflow-outbox dead` here,
 * `shardflow outbox ...` in @shardflow/ops): the table as the relay is configured, and the filter
 * that selects rows. Option specs for `node:util` parseArgs, and their parsers; every mistake is
 * an InvalidOutboxConfigError naming the flag, before any connection.
 */
export const OUTBOX_TABLE_FLAGS = {
  table: { type: 'string' },
  tables: { type: 'string' },
  column: { type: 'string', multiple: true },
  state: { type: 'string', multiple: true },
} as const;

export const RECORD_FILTER_FLAGS = {
  id: { type: 'string', multiple: true },
  key: { type: 'string' },
  topic: { type: 'string' },
  cluster: { type: 'string' },
  from: { type: 'string' },
  to: { type: 'string' },
} as const;

export const RECORD_FILTER_USAGE = `  --id N[,N...]         by id (repeatable)
  --key KEY             by message key (account_no)
  --topic TOPIC         by topic
  --cluster NAME        by Kafka cluster name
  --from TIME --to TIME by creation time, ISO 8601 (from inclusive, to exclusive)`;

export const OUTBOX_TABLE_USAGE = `  --table NAME          the outbox table (default msg_send_record)
  --tables A,B,...      physical tables present in every database (instead of --table)
  --column NAME=COLUMN  a column name mapping, e.g. --column state=mq_state (repeatable)
  --state NAME=VALUE    a state value, e.g. --state dead=9 (repeatable)`;

export interface OutboxTableFlagValues {
  table?: string;
  tables?: string;
  column?: string[];
  state?: string[];
}

export interface RecordFilterFlagValues {
  id?: string[];
  key?: string;
  topic?: string;
  cluster?: string;
  from?: string;
  to?: string;
}

/** The table options and, for `--tables`, the physical table names; names and states checked here. */
export function parseOutboxTableFlags(values: OutboxTableFlagValues): { table: OutboxTableOptions; tables: string[] | undefined } {
  if (values.table !== undefined && values.tables !== undefined) throw new InvalidOutboxConfigError('--tables', values.tables, 'give --table or --tables, not both');
  const table: OutboxTableOptions = {
    table: values.table,
    columns: assignments<OutboxColumns, string>('--column', values.column, Object.keys(DEFAULT_COLUMNS), (value) => value),
    states: assignments<OutboxStates, number>('--state', values.state, ['pending', 'sent', 'dead'], (value) => integerFlag('--state', value, STATE_VALUE_RANGE.min, STATE_VALUE_RANGE.max)),
  };
  const tables = values.tables?.split(',').map((name) => name.trim());
  for (const name of tables ?? [undefined]) resolveOutboxTable(table, name);
  return { table, tables };
}

export function parseRecordFilterFlags(values: RecordFilterFlagValues): RecordFilter {
  const ids = values.id?.flatMap((list) => list.split(',')).map((id) => integerFlag('--id', id.trim(), 1, Number.MAX_SAFE_INTEGER));
  return {
    ...(ids ? { ids } : {}),
    ...(values.key !== undefined ? { key: values.key } : {}),
    ...(values.topic !== undefined ? { topic: values.topic } : {}),
    ...(values.cluster !== undefined ? { cluster: values.cluster } : {}),
    ...(values.from !== undefined ? { createdFrom: parseTime('--from', values.from) } : {}),
    ...(values.to !== undefined ? { createdTo: parseTime('--to', values.to) } : {}),
  };
}

/**
 * A whole number written in decimal digits within [min, max]. `Number()` alone would take
 * `99999999999999999999` as 1e20, which reaches MySQL as `1e20` and fails there as a syntax error.
 */
export function integerFlag(flag: string, text: string, min: number, max: number): number {
  const value = Number(text);
  if (!/^-?\d+$/.test(text) || !Number.isSafeInteger(value) || value < min || value > max) {
    throw new InvalidOutboxConfigError(flag, text, `must be an integer from ${min} to ${max}`);
  }
  return value;
}

function parseTime(flag: string, text: string): Date {
  const time = new Date(text);
  if (!/^\d{4}-\d{2}-\d{2}/.test(text) || Number.isNaN(time.getTime())) throw new InvalidOutboxConfigError(flag, text, 'must be an ISO 8601 time, e.g. 2026-11-23T08:00:00Z');
  return time;
}

/** `NAME=VALUE` pairs into an object, NAME one of `names`; the table resolver checks the values. */
function assignments<T, V>(flag: string, pairs: readonly string[] | undefined, names: readonly string[], convert: (value: string) => V): Partial<T> {
  const result: Record<string, V> = {};
  for (const pair of pairs ?? []) {
    const match = /^([A-Za-z]+)=(.+)$/.exec(pair);
    if (!match || !names.includes(match[1] as string)) throw new InvalidOutboxConfigError(flag, pair, `must be NAME=VALUE with NAME one of ${names.join(', ')}`);
    result[match[1] as string] = convert(match[2] as string);
  }
  return result as Partial<T>;
}
