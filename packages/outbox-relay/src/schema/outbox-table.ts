import { InvalidOutboxConfigError } from '../errors/invalid-outbox-config-error.js';

/** Column names of the outbox table; the defaults follow the seeds' `msg_send_record`. */
export interface OutboxColumns {
  id: string;
  /** Message key (the seeds' account number): Kafka key, partition hash input, ordering unit. */
  key: string;
  state: string;
  createTime: string;
  topic: string;
  cluster: string;
  retryCount: string;
  nextSelectTime: string;
  payload: string;
  headers: string;
  lastError: string;
  updateTime: string;
  sentTime: string;
  /** Virtual partition number computed from the key at insert. */
  partition: string;
  /** Fencing token: the epoch of the relay item that last wrote the row's outcome. */
  fenceEpoch: string;
}

export interface OutboxStates {
  pending: number;
  sent: number;
  dead: number;
}

export interface OutboxTableOptions {
  /** Default `msg_send_record`. */
  table?: string;
  columns?: Partial<OutboxColumns>;
  /** Default 0 pending, 1 sent, 2 dead. */
  states?: Partial<OutboxStates>;
}

export const DEFAULT_COLUMNS: Readonly<OutboxColumns> = {
  id: 'id',
  key: 'account_no',
  state: 'state',
  createTime: 'create_time',
  topic: 'topic_name',
  cluster: 'cluster_name',
  retryCount: 'retry_count',
  nextSelectTime: 'next_select_time',
  payload: 'payload',
  headers: 'headers',
  lastError: 'last_error',
  updateTime: 'update_time',
  sentTime: 'sent_time',
  partition: 'partition_no',
  fenceEpoch: 'fence_epoch',
};

/** How much a column holds, as the migration declares it. */
export interface ColumnLimit {
  readonly sqlType: string;
  readonly max: number;
  readonly unit: 'characters' | 'bytes';
}

function varchar(max: number): ColumnLimit {
  return { sqlType: `VARCHAR(${max})`, max, unit: 'characters' };
}

/**
 * The sizes of the columns filled from outside the relay (the caller's message, the error text):
 * the migration's DDL is written from them, and the writer holds each value to them before it
 * reaches MySQL, so an oversized value is a typed error instead of ER_DATA_TOO_LONG.
 */
export const OUTBOX_COLUMN_LIMITS = {
  key: varchar(191),
  topic: varchar(249),
  cluster: varchar(64),
  lastError: varchar(1024),
  payload: { sqlType: 'MEDIUMBLOB', max: 2 ** 24 - 1, unit: 'bytes' },
  headers: { sqlType: 'TEXT', max: 2 ** 16 - 1, unit: 'bytes' },
} as const satisfies Partial<Record<keyof OutboxColumns, ColumnLimit>>;

/** The state column is a TINYINT: state values outside this range cannot be stored or matched. */
export const STATE_VALUE_RANGE = { min: -128, max: 127 } as const;

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;

/** Validates an identifier and backquotes it; identifiers are never spliced into SQL any other way. */
export function quoteIdentifier(name: string, field: string): string {
  if (typeof name !== 'string' || !IDENTIFIER.test(name)) {
    throw new InvalidOutboxConfigError(field, name, 'must be an identifier matching [A-Za-z_][A-Za-z0-9_]{0,63}');
  }
  return `\`${name}\``;
}

/** Quoted names of one outbox table, ready for SQL. */
export interface OutboxTable {
  readonly name: string;
  readonly quotedName: string;
  /** Column names as configured, for messages and schema checks. */
  readonly columns: Readonly<OutboxColumns>;
  /** Column names backquoted, for SQL. */
  readonly c: Readonly<OutboxColumns>;
  readonly states: Readonly<OutboxStates>;
}

export function resolveOutboxTable(options: OutboxTableOptions = {}, tableName = options.table ?? 'msg_send_record'): OutboxTable {
  const columns = { ...DEFAULT_COLUMNS, ...options.columns };
  const quoted = Object.fromEntries(
    Object.entries(columns).map(([field, name]) => [field, quoteIdentifier(name, `columns.${field}`)]),
  ) as unknown as OutboxColumns;
  const states = { pending: 0, sent: 1, dead: 2, ...options.states };
  for (const [field, value] of Object.entries(states)) {
    if (!Number.isInteger(value) || value < STATE_VALUE_RANGE.min || value > STATE_VALUE_RANGE.max) {
      throw new InvalidOutboxConfigError(`states.${field}`, value, `must be an integer from ${STATE_VALUE_RANGE.min} to ${STATE_VALUE_RANGE.max} (the state column is a TINYINT)`);
    }
  }
  if (new Set(Object.values(states)).size !== 3) throw new InvalidOutboxConfigError('states', states, 'pending, sent and dead must differ');
  return { name: tableName, quotedName: quoteIdentifier(tableName, 'table'), columns, c: quoted, states };
}
