import pg from 'pg';
import { createPgTestDatabase, mysqlUrl, pgUrl } from '@shardflow/testkit';
import { migrateOutboxTable, migratePgOutboxTable, type OutboxPool } from '@shardflow/outbox-relay';
import type { Pool } from 'mysql2/promise';

export type BenchDatabaseKind = 'mysql' | 'postgres';

/**
 * The outbox database of a benchmark, MariaDB or PostgreSQL (`--database mysql|postgres`, default
 * mysql). Statements are written once for both: `?` placeholders, CURRENT_TIMESTAMP(3),
 * INTERVAL 'n' unit.
 */
export interface BenchDatabase {
  readonly kind: BenchDatabaseKind;
  readonly pool: OutboxPool;
  /** What an example relay process needs to find this database (SHARDFLOW_DATABASE_URL, SHARDFLOW_EXAMPLE_DB). */
  readonly env: Readonly<Record<string, string>>;
  query(sql: string, params?: readonly unknown[]): Promise<Array<Record<string, unknown>>>;
  /** Creates the outbox table if needed and empties it; the next row's id is 1. */
  resetOutbox(): Promise<void>;
  close(): Promise<void>;
}

/** The `--database` argument; anything but mysql or postgres fails naming it. */
export function benchDatabaseKind(argv: readonly string[] = process.argv): BenchDatabaseKind {
  const index = argv.indexOf('--database');
  const value = index > 0 ? argv[index + 1] : 'mysql';
  if (value !== 'mysql' && value !== 'postgres') throw new Error(`--database must be mysql or postgres (got '${value ?? ''}')`);
  return value;
}

/**
 * MariaDB: the benchmark's MySQL database (`mysql`, which the caller opened and closes);
 * PostgreSQL: a fresh database, dropped by `close()`.
 */
export async function openBenchDatabase(kind: BenchDatabaseKind, mysql: { readonly pool: Pool; readonly name: string }): Promise<BenchDatabase> {
  if (kind === 'mysql') {
    const { pool } = mysql;
    return {
      kind,
      pool,
      env: { SHARDFLOW_DATABASE_URL: mysqlUrl(), SHARDFLOW_EXAMPLE_DB: mysql.name },
      query: async (sql, params = []) => (await pool.query(sql, [...params]))[0] as Array<Record<string, unknown>>,
      resetOutbox: async () => {
        await migrateOutboxTable(pool);
        await pool.query('TRUNCATE TABLE msg_send_record');
      },
      close: async () => undefined,
    };
  }
  const database = await createPgTestDatabase('bench');
  const pool = new pg.Pool({ connectionString: database.url, max: 16 });
  pool.on('error', () => undefined);
  return {
    kind,
    pool,
    env: { SHARDFLOW_DATABASE_URL: pgUrl(), SHARDFLOW_EXAMPLE_DB: database.name },
    query: async (sql, params = []) => {
      let n = 0;
      return (await pool.query(sql.replace(/\?/g, () => `$${++n}`), [...params])).rows as Array<Record<string, unknown>>;
    },
    resetOutbox: async () => {
      await migratePgOutboxTable(pool);
      // Ids from 1 again, as MySQL's TRUNCATE does: the benchmarks release rows by id.
      await pool.query('TRUNCATE TABLE msg_send_record RESTART IDENTITY');
    },
    close: async () => {
      await pool.end();
      await database.drop();
    },
  };
}
