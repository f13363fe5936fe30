import type { Connection, PoolConnection, ResultSetHeader, RowDataPacket } from 'mysql2/promise';
import { OutboxValueTooLargeError } from '../errors/outbox-value-too-large-error.js';
import { OUTBOX_COLUMN_LIMITS as LIMITS, type OutboxTable } from '../schema/outbox-table.js';
import { schemaErrorOf } from '../store/mysql-schema-check.js';
import type { RowInserter } from './row-inserter.js';
import { MESSAGE_FIELDS, sizeOf, type StoredValues } from './stored-values.js';

/** A mysql2 connection the caller's transaction runs on: the row commits or rolls back with the business data. */
export type TransactionConnection = Connection | PoolConnection;

/**
 * What the MySQL writer needs of the caller's transaction: mysql2's connections have it, and
 * `fromKnex` adapts a Knex transaction. `format` writes values into a statement as the server
 * reads them (the writer measures the packet before sending it); `query` runs a statement and
 * resolves with mysql2's `[result, fields]`.
 */
export interface MysqlTransaction {
  format(sql: string, values: unknown[]): string;
  query(sql: string): Promise<readonly [unknown, ...unknown[]]>;
}

const DATA_TOO_LONG = 1406;

/**
 * Inserts on MySQL/MariaDB in one statement. A statement over the server's `max_allowed_packet`
 * (which would make MySQL drop the connection and with it the caller's transaction) is an
 * OutboxValueTooLargeError before anything is sent.
 */
export class MysqlRowInserter implements RowInserter<MysqlTransaction> {
  private packetLimit: number | undefined;

  constructor(private readonly table: OutboxTable) {}

  async insert(connection: MysqlTransaction, rows: readonly StoredValues[], delayMs: number): Promise<number[]> {
    const { c } = this.table;
    const sql = connection.format(
      `INSERT INTO ${this.table.quotedName} (${c.key}, ${c.topic}, ${c.cluster}, ${c.payload}, ${c.headers}, ${c.partition}, ${c.nextSelectTime})
       VALUES ${rows.map(() => '(?, ?, ?, ?, ?, ?, NOW(3) + INTERVAL ? MICROSECOND)').join(', ')}`,
      rows.flatMap((row) => [row.key, row.topic, row.cluster, row.payload, row.headers, row.partition, delayMs * 1000]),
    );
    const packetLimit = await this.maxAllowedPacket(connection);
    // The packet is the statement's bytes plus one byte naming the command.
    const packetSize = Buffer.byteLength(sql) + 1;
    if (packetSize > packetLimit) throw new OutboxValueTooLargeError('statement', packetSize, packetLimit, 'bytes', "the server's max_allowed_packet");
    let result: ResultSetHeader;
    try {
      [result] = (await connection.query(sql)) as [ResultSetHeader];
    } catch (error) {
      throw schemaErrorOf(error, { database: 0, table: this.table }) ?? (await this.narrowColumnError(connection, error, rows).catch(() => undefined)) ?? error;
    }
    // One multi-row INSERT receives consecutive auto-increment ids (InnoDB "simple insert").
    return rows.map((_, index) => result.insertId + index);
  }

  /** The server's `max_allowed_packet`, read once on the caller's connection (a read leaves its transaction as it is). */
  private async maxAllowedPacket(connection: MysqlTransaction): Promise<number> {
    if (this.packetLimit === undefined) {
      const [rows] = (await connection.query('SELECT @@max_allowed_packet AS bytes')) as [RowDataPacket[]];
      this.packetLimit = Number(rows[0]?.['bytes']);
    }
    return this.packetLimit;
  }

  /**
   * MySQL's ER_DATA_TOO_LONG as the same typed error the checks above throw, for an existing table
   * whose columns are narrower than the migration's; the column's size is read from the server.
   * MySQL fails only the statement, so the caller's transaction goes on.
   */
  private async narrowColumnError(connection: MysqlTransaction, error: unknown, rows: readonly StoredValues[]): Promise<OutboxValueTooLargeError | undefined> {
    const { errno, sqlMessage } = (error ?? {}) as { errno?: number; sqlMessage?: string };
    const match = errno === DATA_TOO_LONG ? /column '([^']+)' at row (\d+)/.exec(sqlMessage ?? '') : null;
    const field = MESSAGE_FIELDS.find((name) => this.table.columns[name] === match?.[1]);
    const index = Number(match?.[2]) - 1;
    const value = field === undefined ? undefined : rows[index]?.[field];
    if (!match || field === undefined || value === null || value === undefined) return undefined;
    const [[column]] = (await connection.query(connection.format(
      `SELECT COLUMN_TYPE AS type, CHARACTER_MAXIMUM_LENGTH AS max FROM information_schema.COLUMNS
       WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ? AND COLUMN_NAME = ?`, [this.table.name, match[1]]))) as [RowDataPacket[]];
    const limitedBy = `the ${String(column?.['type']).toUpperCase()} column ${match[1]}`;
    return new OutboxValueTooLargeError(field, sizeOf(field, value), Number(column?.['max']), LIMITS[field].unit, limitedBy, index);
  }
}
