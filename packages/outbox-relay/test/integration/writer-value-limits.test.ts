import type { PoolConnection, RowDataPacket } from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createOutbox, migrateOutboxTable, OUTBOX_COLUMN_LIMITS, OutboxValueTooLargeError, type MessageSink, type OutboxMessage, type OutboxWriter,
} from '../../src/index.js';
import { openTestDb, type TestDb } from './outbox-fixture.js';

const sink: MessageSink = { send: async () => [], close: async () => undefined };
const message = (overrides: Partial<OutboxMessage> = {}): OutboxMessage => ({ key: 'k', topic: 't', cluster: 'cluster_a', payload: 'x', ...overrides });

describe('the writer holds every value to its column and the statement to max_allowed_packet, on real MariaDB', () => {
  let db: TestDb;
  let writer: OutboxWriter;
  beforeAll(async () => {
    db = await openTestDb('writerlimits');
    await migrateOutboxTable(db.pool);
    ({ writer } = createOutbox({ databases: [db.pool], sink }));
  });
  afterAll(async () => {
    await db.close();
  });

  it('the migrated table declares the sizes the writer checks against', async () => {
    const [rows] = await db.pool.query<RowDataPacket[]>(
      `SELECT COLUMN_NAME AS name, CHARACTER_MAXIMUM_LENGTH AS max FROM information_schema.COLUMNS
       WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'msg_send_record' AND COLUMN_NAME IN ('account_no', 'topic_name', 'cluster_name', 'payload', 'headers', 'last_error')`);
    expect(Object.fromEntries(rows.map((row) => [row['name'], Number(row['max'])]))).toEqual({
      account_no: OUTBOX_COLUMN_LIMITS.key.max,
      topic_name: OUTBOX_COLUMN_LIMITS.topic.max,
      cluster_name: OUTBOX_COLUMN_LIMITS.cluster.max,
      payload: OUTBOX_COLUMN_LIMITS.payload.max,
      headers: OUTBOX_COLUMN_LIMITS.headers.max,
      last_error: OUTBOX_COLUMN_LIMITS.lastError.max,
    });
  });

  it('an oversized key, topic, cluster, payload, headers or statement is a typed error, nothing is written, and the transaction goes on', async () => {
    const [[packet]] = await db.pool.query<RowDataPacket[]>('SELECT @@max_allowed_packet AS bytes');
    const maxAllowedPacket = Number(packet?.['bytes']);
    // A payload within its column whose statement is not within the packet: the INSERT carries it hex-encoded, two characters a byte.
    const packetBreaker = Buffer.alloc(Math.floor(maxAllowedPacket / 2) + 1, 7);
    expect(packetBreaker.length).toBeLessThan(OUTBOX_COLUMN_LIMITS.payload.max);

    const cases: Array<[string, OutboxMessage[], Partial<OutboxValueTooLargeError>]> = [
      ['key', [message({ key: 'k'.repeat(192) })], { field: 'key', size: 192, limit: 191, unit: 'characters', index: 0 }],
      ['topic', [message({ topic: 't'.repeat(250) })], { field: 'topic', size: 250, limit: 249, unit: 'characters', index: 0 }],
      ['cluster', [message(), message({ cluster: 'c'.repeat(65) })], { field: 'cluster', size: 65, limit: 64, unit: 'characters', index: 1 }],
      ['17 MB payload', [message({ payload: Buffer.alloc(17_000_000, 1) })], { field: 'payload', size: 17_000_000, limit: 16_777_215, unit: 'bytes', index: 0 }],
      ['headers', [message({ headers: { big: 'h'.repeat(70_000) } })], { field: 'headers', limit: 65_535, unit: 'bytes', index: 0 }],
      ['statement', [message({ payload: packetBreaker })], { field: 'statement', limit: maxAllowedPacket, unit: 'bytes', index: undefined }],
    ];

    const connection: PoolConnection = await db.pool.getConnection();
    try {
      await connection.beginTransaction();
      const kept = await writer.add(connection, message({ key: 'kept' }));
      for (const [label, messages, expected] of cases) {
        const thrown = await writer.addMany(connection, messages).then(() => undefined, (error: unknown) => error);
        expect({ label, thrown }).toMatchObject({ label, thrown: expect.objectContaining({ code: 'OUTBOX_VALUE_TOO_LARGE', ...expected }) });
        expect(thrown).toBeInstanceOf(OutboxValueTooLargeError);
        expect((thrown as OutboxValueTooLargeError).size).toBeGreaterThan((thrown as OutboxValueTooLargeError).limit);
      }
      // Still the same open transaction: its first row is visible to it and to nobody else yet.
      const [mine] = await connection.query<RowDataPacket[]>('SELECT id, account_no FROM msg_send_record');
      expect(mine.map((row) => [row['id'], row['account_no']])).toEqual([[kept, 'kept']]);
      const [others] = await db.pool.query<RowDataPacket[]>('SELECT COUNT(*) AS n FROM msg_send_record');
      expect(Number(others[0]?.['n'])).toBe(0);
      await connection.commit();
    } finally {
      connection.release();
    }
    const [committed] = await db.pool.query<RowDataPacket[]>('SELECT account_no FROM msg_send_record');
    expect(committed.map((row) => row['account_no'])).toEqual(['kept']);
  });

  it('an existing table with narrower columns: MySQL\'s ER_DATA_TOO_LONG becomes the same typed error with the column\'s real size', async () => {
    await migrateOutboxTable(db.pool, {}, 'narrow_outbox');
    await db.pool.query('ALTER TABLE narrow_outbox MODIFY account_no VARCHAR(16) NOT NULL, MODIFY topic_name VARCHAR(20) NOT NULL');
    const narrow = createOutbox({ databases: [db.pool], sink, table: 'narrow_outbox' }).writer;
    const connection = await db.pool.getConnection();
    try {
      await connection.beginTransaction();
      const kept = await narrow.add(connection, message({ key: 'kept' }));
      await expect(narrow.addMany(connection, [message(), message({ topic: 'x'.repeat(21) })])).rejects.toMatchObject({
        code: 'OUTBOX_VALUE_TOO_LARGE', field: 'topic', size: 21, limit: 20, unit: 'characters', index: 1, limitedBy: 'the VARCHAR(20) column topic_name',
      });
      await expect(narrow.add(connection, message({ key: '\u{1F600}'.repeat(17) }))).rejects.toMatchObject({ field: 'key', size: 17, limit: 16, index: 0 });
      const [mine] = await connection.query<RowDataPacket[]>('SELECT id FROM narrow_outbox');
      expect(mine.map((row) => row['id'])).toEqual([kept]);
      await connection.commit();
    } finally {
      connection.release();
    }
  });

  it('a key counts characters, not UTF-16 units or bytes: 191 four-byte characters fit', async () => {
    const key = '\u{1F600}'.repeat(191);
    const id = await writer.add(db.pool as never, message({ key }));
    const [[row]] = await db.pool.query<RowDataPacket[]>('SELECT account_no FROM msg_send_record WHERE id = ?', [id]);
    expect(row?.['account_no']).toBe(key);
    await expect(writer.add(db.pool as never, message({ key: `${key}x` }))).rejects.toMatchObject({ field: 'key', size: 192, limit: 191 });
  });
});
