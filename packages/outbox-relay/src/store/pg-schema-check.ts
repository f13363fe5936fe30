import type pg from 'pg';
import { OutboxSchemaError } from '../errors/outbox-schema-error.js';
import { assertOutboxColumns } from './outbox-columns-check.js';
import type { RecordLocation } from './outbox-record.js';

const UNDEFINED_TABLE = '42P01';
const UNDEFINED_COLUMN = '42703';

/** Checks that the table exists in the pool's current schema with every column the relay uses. */
export async function verifyPgOutboxTable(pool: pg.Pool, location: RecordLocation): Promise<void> {
  const { rows } = await pool.query<{ name: string | null }>(
    `SELECT column_name::text AS name FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = $1
     UNION ALL SELECT NULL FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = $1`,
    [location.table.name]);
  // The second part adds one NULL row when the table exists, whatever its columns.
  assertOutboxColumns(location, rows.length > 0, rows.flatMap((row) => (row.name === null ? [] : [row.name])));
}

/** The OutboxSchemaError for PostgreSQL's "relation/column does not exist"; undefined for any other failure. */
export function pgSchemaErrorOf(error: unknown, { database, table }: RecordLocation): OutboxSchemaError | undefined {
  const { code, message } = (error ?? {}) as { code?: string; message?: string };
  if (code === UNDEFINED_TABLE) return new OutboxSchemaError(table.name, database, [], error);
  if (code === UNDEFINED_COLUMN) {
    const column = /column "(?:[^"]*\.)?([^".]+)" does not exist/.exec(message ?? '')?.[1];
    return new OutboxSchemaError(table.name, database, [column ?? '(unnamed)'], error);
  }
  return undefined;
}
