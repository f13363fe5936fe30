import type { RowDataPacket } from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOutbox, migrateOutboxTable, OUTBOX_COLUMN_LIMITS, type MessageSink } from '../../src/index.js';
import { drainItem } from '@shardflow/core/testing';
import { itemContext, openTestDb, type TestDb } from './outbox-fixture.js';

const deliverAll: MessageSink = { send: async (_cluster, messages) => messages.map(() => ({ ok: true })), close: async () => undefined };

describe('the migrated MySQL table is ROW_FORMAT=REDUNDANT, so that marking a row sent changes it in place, on real MariaDB', () => {
  let db: TestDb;
  beforeAll(async () => {
    db = await openTestDb('tableformat');
    await migrateOutboxTable(db.pool);
  });
  afterAll(async () => {
    await db.close();
  });

  it('verifyTables gives no advice on the migrated table, and on a DYNAMIC one an advice naming it with the ALTER TABLE, logged as a warning', async () => {
    const warnings: Array<{ fields: Record<string, unknown>; message: string | undefined }> = [];
    const logger = { debug: () => undefined, info: () => undefined, error: () => undefined, warn: (fields: Record<string, unknown>, message?: string) => warnings.push({ fields, message }) };
    await expect(createOutbox({ databases: [db.pool], sink: deliverAll, logger }).verifyTables()).resolves.toEqual([]);
    expect(warnings).toEqual([]);

    await migrateOutboxTable(db.pool, {}, 'dynamic_outbox');
    await db.pool.query('ALTER TABLE dynamic_outbox ROW_FORMAT=DYNAMIC');
    const advice = await createOutbox({ databases: [db.pool], sink: deliverAll, logger, table: 'dynamic_outbox' }).verifyTables();
    expect(advice).toEqual([expect.objectContaining({ database: 0, table: 'dynamic_outbox', rowFormat: 'Dynamic' })]);
    expect(advice[0]?.advice).toContain('ALTER TABLE `dynamic_outbox` ROW_FORMAT=REDUNDANT');
    expect(warnings).toEqual([{ fields: { database: 0, table: 'dynamic_outbox', rowFormat: 'Dynamic' }, message: advice[0]?.advice }]);
  });

  it('is created REDUNDANT', async () => {
    const [rows] = await db.pool.query<RowDataPacket[]>(
      "SELECT ROW_FORMAT AS format FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'msg_send_record'");
    expect(rows.map((row) => row['format'])).toEqual(['Redundant']);
  });

  it("takes the longest key the writer allows in 4-byte characters (REDUNDANT's 767-byte index prefix) and a payload larger than a page, and relays both", async () => {
    const outbox = createOutbox({ databases: [db.pool], sink: deliverAll });
    const longestKey = '😀'.repeat(OUTBOX_COLUMN_LIMITS.key.max);
    const largePayload = Buffer.alloc(100_000, 7);
    const connection = await db.pool.getConnection();
    try {
      await outbox.writer.add(connection, { key: longestKey, topic: 't', cluster: 'cluster_a', payload: largePayload });
    } finally {
      connection.release();
    }
    const drained = await drainItem(outbox.relayJob, itemContext(0, 1, 1));
    expect(drained.rows).toBe(1);
    const [rows] = await db.pool.query<RowDataPacket[]>('SELECT account_no AS k, LENGTH(payload) AS size, state, sent_time FROM msg_send_record');
    expect(rows.map((row) => ({ k: row['k'], size: Number(row['size']), state: row['state'], sent: row['sent_time'] instanceof Date })))
      .toEqual([{ k: longestKey, size: largePayload.length, state: 1, sent: true }]);
    await outbox.close();
  });
});
