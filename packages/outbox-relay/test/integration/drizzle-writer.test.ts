import { sql } from 'drizzle-orm';
import { drizzle as drizzleMysql } from 'drizzle-orm/mysql2';
import { drizzle as drizzlePg } from 'drizzle-orm/node-postgres';
import { format } from 'mysql2';
import mysql from 'mysql2/promise';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPgTestDatabase, createTestDatabase } from '@shardflow/testkit';
import { createOutbox, fromDrizzle, migrateOutboxTable, migratePgOutboxTable, type OutboxMessage, type OutboxPool, type OutboxWriter } from '../../src/index.js';

const sink = { send: async () => [], close: async () => undefined };
const message = (key: string): OutboxMessage => ({ key, topic: 't', cluster: 'cluster_a', payload: `what? $1 '${key}' \\`, headers: { q: '?' } });

interface Opened {
  readonly pool: OutboxPool;
  /** Runs `work` in a Drizzle transaction, handing it the writer's view of that transaction. */
  transaction<T>(work: (tx: ReturnType<typeof fromDrizzle>) => Promise<T>): Promise<T>;
  /** The outbox rows as [key, payload, headers], by id. */
  rows(): Promise<Array<[number, string, string, string]>>;
  close(): Promise<void>;
}

/** The same checks on each database: a Drizzle transaction carries the outbox rows, commit and rollback alike. */
describe.each([
  {
    name: 'MariaDB',
    open: async (): Promise<Opened> => {
      const database = await createTestDatabase('drizzle');
      const pool = mysql.createPool({ ...database.config, connectionLimit: 2 });
      await migrateOutboxTable(pool);
      const db = drizzleMysql(pool);
      return {
        pool,
        transaction: (work) => db.transaction((tx) => work(fromDrizzle(tx, { sql, format }))),
        rows: async () => {
          const [rows] = await pool.query<mysql.RowDataPacket[]>('SELECT id, account_no, payload, headers FROM msg_send_record ORDER BY id');
          return rows.map((row) => [Number(row['id']), String(row['account_no']), (row['payload'] as Buffer).toString(), String(row['headers'])]);
        },
        close: async () => { await pool.end(); await database.drop(); },
      };
    },
  },
  {
    name: 'PostgreSQL',
    open: async (): Promise<Opened> => {
      const database = await createPgTestDatabase('drizzle');
      const pool = new pg.Pool({ connectionString: database.url, max: 2 });
      pool.on('error', () => undefined);
      await migratePgOutboxTable(pool);
      const db = drizzlePg(pool);
      return {
        pool,
        transaction: (work) => db.transaction((tx) => work(fromDrizzle(tx, { sql }))),
        rows: async () => {
          const { rows } = await pool.query<{ id: string; account_no: string; payload: Buffer; headers: string }>('SELECT id, account_no, payload, headers FROM msg_send_record ORDER BY id');
          return rows.map((row) => [Number(row.id), row.account_no, row.payload.toString(), row.headers]);
        },
        close: async () => { await pool.end(); await database.drop(); },
      };
    },
  },
])('the writer in a Drizzle transaction on $name', ({ open }) => {
  let opened: Opened;
  beforeAll(async () => {
    opened = await open();
  });
  afterAll(async () => {
    await opened.close();
  });

  it('commits and rolls back with the transaction, values written as given', async () => {
    const writer = createOutbox({ databases: [opened.pool], sink }).writer as OutboxWriter<ReturnType<typeof fromDrizzle>>;
    await expect(opened.transaction(async (tx) => {
      await writer.add(tx, message('rolled-back'));
      throw new Error('business rule failed');
    })).rejects.toThrow('business rule failed');
    const ids = await opened.transaction((tx) => writer.addMany(tx, [message('a'), message('b')]));
    expect(await opened.rows()).toEqual([
      [ids[0], 'a', "what? $1 'a' \\", '{"q":"?"}'], [ids[1], 'b', "what? $1 'b' \\", '{"q":"?"}'],
    ]);
  });
});
