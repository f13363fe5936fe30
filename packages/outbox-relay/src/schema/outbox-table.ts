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
    if (!Number.isInteger(value)) throw new InvalidOutboxConfigError(`states.${field}`, value, 'must be an integer');
  }
  if (new Set(Object.values(states)).size !== 3) throw new InvalidOutboxConfigError('states', states, 'pending, sent and dead must differ');
  return { name: tableName, quotedName: quoteIdentifier(tableName, 'table'), c: quoted, states };
}
