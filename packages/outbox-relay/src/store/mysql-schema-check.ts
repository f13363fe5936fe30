import type { Pool, RowDataPacket } from 'mysql2/promise';
import { OutboxSchemaError } from '../errors/outbox-schema-error.js';
import { assertOutboxColumns } from './outbox-columns-check.js';
import type { RecordLocation } from './outbox-record.js';

const NO_SUCH_TABLE = 1146;
const BAD_FIELD = 1054;

/**
 * Checks that the table exists in the pool's database with every column the relay uses, so a wrong
 * table or column name fails at start, naming it, instead of at every fetch.
 */
export async function verifyOutboxTable(pool: Pool, { database, table }: RecordLocation): Promise<void> {
  const [rows] = await pool.query<RowDataPacket[]>(
    `SELECT COLUMN_NAME AS name FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ?
     UNION ALL SELECT NULL FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ?`,
    [table.name, table.name]);
  // The second part adds one NULL row when the table exists, whatever its columns.
  assertOutboxColumns({ database, table }, rows.length > 0, rows.flatMap((row) => (typeof row['name'] === 'string' ? [row['name']] : [])));
}

/**
 * The OutboxSchemaError a statement on the location's table failed with, when MySQL said the table
 * or one of its columns does not exist; undefined for any other failure.
 */
export function schemaErrorOf(error: unknown, { database, table }: RecordLocation): OutboxSchemaError | undefined {
  const { errno, sqlMessage } = (error ?? {}) as { errno?: number; sqlMessage?: string };
  if (errno === NO_SUCH_TABLE) return new OutboxSchemaError(table.name, database, [], error);
  if (errno === BAD_FIELD) {
    const column = /Unknown column '(?:[^']*\.)?([^'.]+)'/.exec(sqlMessage ?? '')?.[1];
    return new OutboxSchemaError(table.name, database, [column ?? '(unnamed)'], error);
  }
  return undefined;
}

/**
 * A table on which marking a row sent moves the row inside its page: any InnoDB row format but
 * REDUNDANT, since the mark fills two columns that were NULL (see outboxTableDdl). The relay works
 * on it, with about three times the database's work per mark.
 */
export interface OutboxTableAdvice {
  readonly database: number;
  readonly table: string;
  readonly rowFormat: string;
  readonly advice: string;
}

/** The advice for the location's table, or undefined when it is REDUNDANT already. */
export async function rowFormatAdvice(pool: Pool, { database, table }: RecordLocation): Promise<OutboxTableAdvice | undefined> {
  const [rows] = await pool.query<RowDataPacket[]>(
    'SELECT ROW_FORMAT AS format FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ?', [table.name]);
  const rowFormat = String(rows[0]?.['format'] ?? 'unknown');
  if (rowFormat.toUpperCase() === 'REDUNDANT') return undefined;
  return {
    database,
    table: table.name,
    rowFormat,
    advice: `outbox table ${table.name} (database ${database}) is ROW_FORMAT=${rowFormat}: marking a row sent moves it inside its page, about three times the database's work of an in-place update; ALTER TABLE ${table.quotedName} ROW_FORMAT=REDUNDANT makes the mark in place (docs/outbox.md)`,
  };
}
