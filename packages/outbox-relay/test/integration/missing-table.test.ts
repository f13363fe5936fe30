import type { RowDataPacket } from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOutbox, migrateOutboxTable, OutboxSchemaError, type MessageSink, type OutboxConfig } from '../../src/index.js';
import { runDeadRowsCli } from '../../src/cli/dead-rows-cli.js';
import { itemContext, openTestDb, type TestDb } from './outbox-fixture.js';

const sink: MessageSink = { send: async () => [], close: async () => undefined };

describe('a missing outbox table or column is an OutboxSchemaError naming it, at start and at run time, on real MariaDB', () => {
  let db: TestDb;
  beforeAll(async () => {
    db = await openTestDb('missingtable');
    await migrateOutboxTable(db.pool, {}, 'complete_outbox');
    await migrateOutboxTable(db.pool, {}, 'no_fence_outbox');
    await db.pool.query('ALTER TABLE no_fence_outbox DROP COLUMN fence_epoch');
  });
  afterAll(async () => {
    await db.close();
  });

  const outbox = (config: Partial<OutboxConfig>) => createOutbox({ databases: [db.pool], sink, ...config });
  const missingTable = (table: string) => ({ name: 'OutboxSchemaError', code: 'OUTBOX_TABLE_MISSING', table, database: 0, missingColumns: [] });
  const missingColumns = (table: string, columns: string[]) => ({ name: 'OutboxSchemaError', code: 'OUTBOX_COLUMNS_MISSING', table, database: 0, missingColumns: columns });

  it('verifyTables passes on a migrated table', async () => {
    await expect(outbox({ table: 'complete_outbox' }).verifyTables()).resolves.toEqual([]);
  });

  it('a table that does not exist fails verifyTables, every relay fetch, the writer and the dead-row tools with the same typed error', async () => {
    const { verifyTables, relayJob, writer, store } = outbox({ table: 'no_such_outbox' });
    await expect(verifyTables()).rejects.toMatchObject(missingTable('no_such_outbox'));
    await expect(verifyTables()).rejects.toBeInstanceOf(OutboxSchemaError);
    await expect(relayJob.fetchData(itemContext(0, 1, 1))).rejects.toMatchObject(missingTable('no_such_outbox'));
    await expect(store.countDead({})).rejects.toMatchObject(missingTable('no_such_outbox'));

    const connection = await db.pool.getConnection();
    try {
      await connection.beginTransaction();
      await connection.query("INSERT INTO complete_outbox (account_no, topic_name, cluster_name, payload) VALUES ('business', 't', 'c', 'x')");
      await expect(writer.add(connection, { key: 'k', topic: 't', cluster: 'c', payload: 'x' })).rejects.toMatchObject(missingTable('no_such_outbox'));
      // The failed INSERT took nothing else with it: the transaction's own row is still there.
      const [rows] = await connection.query<RowDataPacket[]>("SELECT COUNT(*) AS n FROM complete_outbox WHERE account_no = 'business'");
      expect(Number(rows[0]?.['n'])).toBe(1);
      await connection.rollback();
    } finally {
      connection.release();
    }
  });

  it('a table without a column the relay uses, or a column option naming no column, fails naming the columns', async () => {
    const noFence = outbox({ table: 'no_fence_outbox' });
    await expect(noFence.verifyTables()).rejects.toMatchObject(missingColumns('no_fence_outbox', ['fence_epoch']));
    await noFence.writer.add(db.pool as never, { key: 'k', topic: 't', cluster: 'c', payload: 'x' });
    await expect(noFence.relayJob.fetchData(itemContext(0, 1, 1))).rejects.toMatchObject(missingColumns('no_fence_outbox', ['fence_epoch']));

    const misnamed = outbox({ table: 'complete_outbox', columns: { state: 'mq_state', retryCount: 'retries' } });
    await expect(misnamed.verifyTables()).rejects.toMatchObject(missingColumns('complete_outbox', ['mq_state', 'retries']));
  });

  it('physical tables: the one table missing among several is the one named', async () => {
    const { verifyTables } = outbox({ partitioning: { mode: 'physical-tables', tables: ['complete_outbox', 'export_002'] } });
    await expect(verifyTables()).rejects.toMatchObject(missingTable('export_002'));
  });

  it('shardflow-outbox dead count on a missing table: exit 1 naming the table', async () => {
    const err: string[] = [];
    const code = await runDeadRowsCli(['dead', 'count', '--db', db.database.url, '--table', 'no_such_outbox'], { out: () => undefined, err: (line) => err.push(line) });
    expect(code).toBe(1);
    expect(err.join('\n')).toContain('outbox table no_such_outbox in database #1 does not exist');
  });
});
