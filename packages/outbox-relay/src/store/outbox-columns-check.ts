import { OutboxSchemaError } from '../errors/outbox-schema-error.js';
import type { OutboxColumns } from '../schema/outbox-table.js';
import type { RecordLocation } from './outbox-record.js';

/** Every column the relay, the writer or the dead-row tools read or write; `updateTime` is the database's own bookkeeping. */
const USED_COLUMNS: ReadonlyArray<keyof OutboxColumns> = [
  'id', 'key', 'state', 'createTime', 'topic', 'cluster', 'retryCount', 'nextSelectTime', 'payload', 'headers', 'lastError', 'sentTime',
  'partition', 'fenceEpoch',
];

/**
 * Throws the OutboxSchemaError naming what is missing, given whether the table exists and the
 * column names the database's catalogue lists for it (compared case-insensitively).
 */
export function assertOutboxColumns({ database, table }: RecordLocation, exists: boolean, present: readonly string[]): void {
  if (!exists) throw new OutboxSchemaError(table.name, database, []);
  const names = new Set(present.map((name) => name.toLowerCase()));
  const missing = USED_COLUMNS.map((field) => table.columns[field]).filter((name) => !names.has(name.toLowerCase()));
  if (missing.length > 0) throw new OutboxSchemaError(table.name, database, missing);
}
