import pg from 'pg';
import type { RowDataPacket } from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPgTestDatabase, type PgTestDatabase } from '@shardflow/testkit';
import { isConnectionLoss } from '../../src/store/connection-loss.js';
import { openTestDb, type TestDb } from './outbox-fixture.js';

/** The errors the drivers really raise when a connection is killed under a statement, classified. */
describe('a connection killed under a statement is recognised as connection loss, on real MariaDB and PostgreSQL', () => {
  let mysqlDb: TestDb;
  let pgDb: PgTestDatabase;
  beforeAll(async () => {
    mysqlDb = await openTestDb('connloss');
    pgDb = await createPgTestDatabase('connloss');
  });
  afterAll(async () => {
    await mysqlDb.close();
    await pgDb.drop();
  });

  it('MariaDB: KILL of the connection running a statement', async () => {
    const victim = await mysqlDb.pool.getConnection();
    try {
      const [[row]] = await victim.query<RowDataPacket[]>('SELECT CONNECTION_ID() AS id');
      const sleeping = victim.query('SELECT SLEEP(30)');
      const failure = sleeping.then(() => undefined, (error: unknown) => error);
      await mysqlDb.pool.query(`KILL ${Number(row?.['id'])}`);
      const error = await failure;
      expect(error).toBeInstanceOf(Error);
      expect(isConnectionLoss(error)).toBe(true);
    } finally {
      victim.destroy();
    }
  });

  it('PostgreSQL: pg_terminate_backend of the connection running a statement', async () => {
    const victim = new pg.Client({ connectionString: pgDb.url });
    victim.on('error', () => undefined);
    await victim.connect();
    const killer = new pg.Client({ connectionString: pgDb.url });
    await killer.connect();
    try {
      const { rows } = await victim.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
      const failure = victim.query('SELECT pg_sleep(30)').then(() => undefined, (error: unknown) => error);
      // Only once the sleep is running, so the termination hits a statement in flight.
      for (let waited = 0; waited < 100; waited++) {
        const active = await killer.query("SELECT 1 FROM pg_stat_activity WHERE pid = $1 AND query LIKE 'SELECT pg_sleep%'", [rows[0]?.pid]);
        if (active.rowCount === 1) break;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      await killer.query('SELECT pg_terminate_backend($1)', [rows[0]?.pid]);
      const error = await failure;
      expect(error).toBeInstanceOf(Error);
      expect(isConnectionLoss(error)).toBe(true);
    } finally {
      await killer.end();
      await victim.end().catch(() => undefined);
    }
  });
});
