import knex, { type Knex } from 'knex';
import mysql from 'mysql2/promise';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPgTestDatabase, createTestDatabase, type PgTestDatabase, type TestDatabase } from '@shardflow/testkit';
import { createOutbox, fromKnex, migrateOutboxTable, migratePgOutboxTable, type OutboxMessage, type OutboxPool } from '../../src/index.js';

const sink = { send: async () => [], close: async () => undefined };
const message = (key: string): OutboxMessage => ({ key, topic: 't', cluster: 'cluster_a', payload: `what? $1 '${key}' \\`, headers: { q: '?' } });

/** The same checks on each database: a Knex transaction carries the outbox rows, commit and rollback alike. */
describe.each([
  {
    name: 'MariaDB',
    open: async () => {
      const database: TestDatabase = await createTestDatabase('knex');
      const pool = mysql.createPool({ ...database.config, connectionLimit: 2 });
      await migrateOutboxTable(pool);
      const client = knex({ client: 'mysql2', connection: database.url, pool: { min: 0, max: 2 } });
      return { pool: pool as OutboxPool, client, close: async () => { await client.destroy(); await pool.end(); await database.drop(); } };
    },
  },
  {
    name: 'PostgreSQL',
    open: async () => {
      const database: PgTestDatabase = await createPgTestDatabase('knex');
      const pool = new pg.Pool({ connectionString: database.url, max: 2 });
      pool.on('error', () => undefined);
      await migratePgOutboxTable(pool);
      const client = knex({ client: 'pg', connection: database.url, pool: { min: 0, max: 2 } });
      return { pool: pool as OutboxPool, client, close: async () => { await client.destroy(); await pool.end(); await database.drop(); } };
    },
  },
])('the writer in a Knex transaction on $name', ({ open }) => {
  let opened: { pool: OutboxPool; client: Knex; close(): Promise<void> };
  beforeAll(async () => {
    opened = await open();
  });
  afterAll(async () => {
    await opened.close();
  });

  it('commits and rolls back with the transaction, values written as given', async () => {
    const { writer } = createOutbox({ databases: [opened.pool], sink });
    await expect(opened.client.transaction(async (trx) => {
      await writer.add(fromKnex(trx), message('rolled-back'));
      throw new Error('business rule failed');
    })).rejects.toThrow('business rule failed');
    const ids = await opened.client.transaction((trx) => writer.addMany(fromKnex(trx), [message('a'), message('b')]));
    const rows = await opened.client('msg_send_record').select('id', 'account_no', 'payload', 'headers').orderBy('id');
    expect(rows.map((row: { id: number | string }) => Number(row.id))).toEqual(ids);
    expect(rows.map((row: { account_no: string; payload: Buffer; headers: string }) => [row.account_no, row.payload.toString(), row.headers])).toEqual([
      ['a', "what? $1 'a' \\", '{"q":"?"}'], ['b', "what? $1 'b' \\", '{"q":"?"}'],
    ]);
  });
});
