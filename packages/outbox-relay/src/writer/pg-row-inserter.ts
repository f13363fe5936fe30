import type { OutboxTable } from '../schema/outbox-table.js';
import { pgNames } from '../schema/pg-names.js';
import { pgSchemaErrorOf } from '../store/pg-schema-check.js';
import type { RowInserter } from './row-inserter.js';
import type { StoredValues } from './stored-values.js';

/**
 * What a PostgreSQL transaction runs on: a `pg` client (`pool.connect()`, then BEGIN), or anything
 * with the same `query(text, values)` returning `{ rows }`.
 */
export interface PgTransaction {
  query(text: string, values?: unknown[]): Promise<{ rows: unknown[] }>;
}

/** PostgreSQL's limit on the parameters of one statement (a 16-bit count in the protocol). */
const MAX_PARAMETERS = 65_535;
const COLUMNS_PER_ROW = 7;
const ROWS_PER_STATEMENT = Math.floor(MAX_PARAMETERS / COLUMNS_PER_ROW);

/**
 * Inserts on PostgreSQL with RETURNING id, inside the caller's transaction: one statement, or one
 * per `ROWS_PER_STATEMENT` rows for a batch over the protocol's parameter limit. The writer checks
 * every value before, as a failed statement aborts the caller's whole transaction on PostgreSQL.
 */
export class PgRowInserter implements RowInserter<PgTransaction> {
  private readonly returning: string;

  /**
   * With `notifyChannel`, each INSERT also notifies the channel the relay's wakeup LISTENs on.
   * Notified by the statement, not by a trigger the migration would create: it runs in the
   * caller's transaction all the same (PostgreSQL delivers it on COMMIT and drops it on ROLLBACK),
   * it needs no change to an existing table, it costs nothing to writers of relays that do not
   * listen, and identical notifications of one transaction are folded into one, so a batch or a
   * transaction of many inserts announces itself once.
   */
  constructor(
    private readonly table: OutboxTable,
    notifyChannel?: string,
  ) {
    const { c } = pgNames(table);
    this.returning = notifyChannel === undefined ? `${c.id} AS id` : `${c.id} AS id, pg_notify('${notifyChannel.replaceAll("'", "''")}', '')`;
  }

  async insert(transaction: PgTransaction, rows: readonly StoredValues[], delayMs: number): Promise<number[]> {
    const ids: number[] = [];
    for (let offset = 0; offset < rows.length; offset += ROWS_PER_STATEMENT) {
      ids.push(...(await this.insertChunk(transaction, rows.slice(offset, offset + ROWS_PER_STATEMENT), delayMs)));
    }
    return ids;
  }

  private async insertChunk(transaction: PgTransaction, rows: readonly StoredValues[], delayMs: number): Promise<number[]> {
    const { table, c } = pgNames(this.table);
    const values: unknown[] = [];
    const bind = (value: unknown): string => `$${values.push(value)}`;
    const tuples = rows.map((row) => `(${bind(row.key)}, ${bind(row.topic)}, ${bind(row.cluster)}, ${bind(row.payload)}::bytea, ${bind(row.headers)},
      ${bind(row.partition)}::integer, now() + ${bind(delayMs)}::bigint * interval '1 millisecond')`);
    try {
      const result = await transaction.query(
        `INSERT INTO ${table} (${c.key}, ${c.topic}, ${c.cluster}, ${c.payload}, ${c.headers}, ${c.partition}, ${c.nextSelectTime})
         VALUES ${tuples.join(', ')} RETURNING ${this.returning}`, values);
      // RETURNING lists a plain INSERT's rows in the order of its VALUES.
      return result.rows.map((row) => Number((row as { id: unknown }).id));
    } catch (error) {
      throw pgSchemaErrorOf(error, { database: 0, table: this.table }) ?? error;
    }
  }
}
