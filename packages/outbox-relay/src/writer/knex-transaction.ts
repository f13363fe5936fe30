import type { MysqlTransaction } from './mysql-row-inserter.js';
import type { PgTransaction } from './pg-row-inserter.js';

/** The part of a Knex transaction (`knex.transaction(async (trx) => ...)`) the writer uses. */
export interface KnexLike {
  raw(sql: string, bindings?: readonly unknown[]): PromiseLike<unknown> & { toQuery(): string };
}

/**
 * A Knex transaction as the writer's transaction, on MySQL (mysql2 client) or PostgreSQL (pg
 * client): the outbox rows commit or roll back with whatever else the transaction wrote. Knex
 * returns its driver's own result from `raw`, which is what each inserter reads. The PostgreSQL
 * inserter numbers its placeholders in order (`$1`, `$2`, ...), which become Knex's `?`; the MySQL
 * inserter sends statements with their values already written in (by Knex's own escaping), which
 * Knex passes on untouched.
 */
export function fromKnex(trx: KnexLike): MysqlTransaction & PgTransaction {
  return {
    format: (sql, values) => trx.raw(sql, values).toQuery(),
    query: (async (sql: string, values?: unknown[]) =>
      (values === undefined ? trx.raw(sql) : trx.raw(sql.replace(/\$\d+/g, '?'), values))) as MysqlTransaction['query'] & PgTransaction['query'],
  };
}
