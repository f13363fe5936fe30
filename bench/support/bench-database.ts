import pg from 'pg';
import { createPgTestDatabase, mysqlUrl, pgUrl } from '@shardflow/testkit';
import { migrateOutboxTable, migratePgOutboxTable, type OutboxPool } from '@shardflow/outbox-relay';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Pool, RowDataPacket } from 'mysql2/promise';

/** Undo records left to purge below which InnoDB counts as settled (a few remain from the server's own work). */
const PURGED_ENOUGH = 100;

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
  /**
   * Returns once the database has cleaned up after the updates so far (InnoDB's purge of the old
   * row versions and index entries; PostgreSQL's VACUUM of the outbox table), so that this work
   * does not run during a measurement that follows.
   */
  settle(): Promise<void>;
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
      settle: async () => {
        // InnoDB's history list: the undo records whose purge has not run yet.
        for (const givingUpAt = Date.now() + 60_000; Date.now() < givingUpAt; await sleep(200)) {
          const [[row]] = await pool.query<RowDataPacket[]>("SHOW GLOBAL STATUS LIKE 'Innodb_history_list_length'");
          if (Number(row?.['Value']) < PURGED_ENOUGH) return;
        }
        throw new Error('InnoDB did not purge the outbox updates within 60 s');
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
    settle: async () => {
      await pool.query('VACUUM msg_send_record');
    },
    close: async () => {
      await pool.end();
      await database.drop();
    },
  };
}
