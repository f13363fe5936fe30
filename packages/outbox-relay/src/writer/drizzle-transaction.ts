import { InvalidOutboxConfigError } from '../errors/invalid-outbox-config-error.js';
import type { MysqlTransaction } from './mysql-row-inserter.js';
import type { PgTransaction } from './pg-row-inserter.js';

/** The part of a Drizzle transaction (`db.transaction(async (tx) => ...)`) the writer uses. */
export interface DrizzleLike<Query> {
  execute(query: Query): PromiseLike<unknown>;
}

/**
 * Drizzle's `sql` tag (from `drizzle-orm`), passed in so that this package does not load Drizzle
 * for users who do not use it; on MySQL also mysql2's `format` (from `mysql2`), with which the
 * writer writes its values into the statement and measures it against `max_allowed_packet`.
 */
export interface DrizzleTools<Query> {
  readonly sql: {
    raw(text: string): Query;
    param(value: unknown): unknown;
    join(chunks: unknown[]): Query;
  };
  // `never[]`: any `format` whose values are an array of some type fits (mysql2 types them as its own `SqlValue`).
  readonly format?: (sql: string, values: never[]) => string;
}

/**
 * A Drizzle transaction as the writer's transaction, on PostgreSQL (node-postgres driver) or
 * MySQL (mysql2 driver): the outbox rows commit or roll back with what the transaction wrote.
 * PostgreSQL statements go as Drizzle SQL with their values as parameters, in the order of their
 * `$n` placeholders; MySQL statements go as raw SQL, their values written in by mysql2's `format`.
 */
export function fromDrizzle<Query>(tx: DrizzleLike<Query>, tools: DrizzleTools<Query>): MysqlTransaction & PgTransaction {
  const { sql } = tools;
  return {
    format: (text, values) => {
      if (!tools.format) throw new InvalidOutboxConfigError('format', undefined, "a MySQL transaction needs mysql2's format: fromDrizzle(tx, { sql, format })");
      return tools.format(text, values as never[]);
    },
    query: (async (text: string, values?: unknown[]) => {
      if (values === undefined) return tx.execute(sql.raw(text));
      const parts = text.split(/\$\d+/);
      const chunks = parts.flatMap((part, index) => (index < values.length ? [sql.raw(part), sql.param(values[index])] : [sql.raw(part)]));
      return tx.execute(sql.join(chunks));
    }) as MysqlTransaction['query'] & PgTransaction['query'],
  };
}
