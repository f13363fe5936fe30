import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createPgTestDatabase, testServices, type PgTestDatabase } from '@shardflow/testkit';
import { crc32 } from 'node:zlib';
import { createOutbox, migratePgOutboxTable, OutboxSchemaError, type Outbox, type OutboxConfig, type PgTransaction } from '../../src/index.js';
import { clusterMap, consume, drain, uniqueTopic } from './outbox-fixture.js';

describe('outbox relay on real PostgreSQL and Kafka', () => {
  let database: PgTestDatabase;
  let pool: pg.Pool;
  const outboxes: Array<Outbox<PgTransaction>> = [];

  beforeAll(async () => {
    database = await createPgTestDatabase('pg_relay');
    pool = new pg.Pool({ connectionString: database.url, max: 4 });
    pool.on('error', () => undefined);
  });
  afterEach(async () => {
    await Promise.all(outboxes.splice(0).map((outbox) => outbox.close()));
    await pool.query('DROP TABLE IF EXISTS msg_send_record');
  });
  afterAll(async () => {
    await pool.end();
    await database.drop();
  });

  async function outbox(config: Partial<OutboxConfig<pg.Pool>> = {}): Promise<Outbox<PgTransaction>> {
    await migratePgOutboxTable(pool);
    const created = createOutbox({ databases: [pool], clusters: clusterMap(), ...config });
    outboxes.push(created);
    return created;
  }

  async function states(): Promise<string[]> {
    const { rows } = await pool.query<{ cluster_name: string; state: number }>('SELECT cluster_name, state FROM msg_send_record ORDER BY id');
    return rows.map((row) => `${row.cluster_name}:${row.state}`);
  }

  it("writes the row inside the caller's pg transaction: it exists only if the transaction commits, with the key's partition", async () => {
    const { writer } = await outbox();
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      await writer.add(client, { key: 'rolled-back', topic: 't', cluster: 'cluster_a', payload: { a: 1 } });
      await client.query('ROLLBACK');
      await client.query('BEGIN');
      const ids = await writer.addMany(client, [
        { key: 'user-1', topic: 't', cluster: 'cluster_a', payload: 'one', headers: { source: 'test' } },
        { key: 'user-2', topic: 't', cluster: 'cluster_b', payload: Buffer.from([0, 255]) },
      ]);
      await client.query('COMMIT');
      const { rows } = await pool.query<{ id: string; account_no: string; partition_no: number; payload: Buffer; headers: string | null }>(
        'SELECT id, account_no, partition_no, payload, headers FROM msg_send_record ORDER BY id');
      expect(rows.map((row) => Number(row.id))).toEqual(ids);
      expect(rows.map((row) => [row.account_no, row.partition_no])).toEqual([['user-1', crc32('user-1') % 1024], ['user-2', crc32('user-2') % 1024]]);
      expect(rows[1]?.payload).toEqual(Buffer.from([0, 255]));
      expect(rows[0]?.headers).toBe('{"source":"test"}');
    } finally {
      client.release();
    }
  });

  it('relays every row to Kafka and marks it sent; a cluster that is down keeps its rows pending', async () => {
    const topic = uniqueTopic('pg-relay');
    const { writer, relayJob, store } = await outbox();
    await writer.addMany(pool, Array.from({ length: 30 }, (_, i) => ({ key: `k${i}`, topic, cluster: 'cluster_a', payload: `payload-${i}` })));
    await writer.add(pool, { key: 'down', topic, cluster: 'cluster_down', payload: 'x' });
    await drain(relayJob, 2);
    expect((await states()).filter((state) => state === 'cluster_a:1')).toHaveLength(30);
    expect((await states()).at(-1)).toBe('cluster_down:0');
    const messages = await consume(testServices().kafka['cluster_a'] as string, topic, 30);
    expect(messages.map((message) => message.value?.toString()).sort()).toEqual(Array.from({ length: 30 }, (_, i) => `payload-${i}`).sort());
    expect((await store.counts()).find((row) => row.cluster === 'cluster_down')).toMatchObject({ pending: 1, retrying: 1 });
  });

  it('fast path: published and marked sent right after commit; a failed row waits for the relay past the grace time', async () => {
    const topic = uniqueTopic('pg-fast');
    const { writer, relayJob } = await outbox({ fastPath: { graceMs: 60_000 } });
    const client = await pool.connect();
    let ids: number[];
    try {
      await client.query('BEGIN');
      ids = await writer.addMany(client, [{ key: 'fast', topic, cluster: 'cluster_a', payload: 'now' }, { key: 'slow', topic, cluster: 'cluster_down', payload: 'later' }]);
      await client.query('COMMIT');
    } finally {
      client.release();
    }
    expect(await writer.publishNow(ids)).toBe(1);
    expect(await states()).toEqual(['cluster_a:1', 'cluster_down:0']);
    expect(await drain(relayJob, 1)).toBe(0);
    const messages = await consume(testServices().kafka['cluster_a'] as string, topic, 1);
    expect(messages[0]?.value?.toString()).toBe('now');
  });

  it('a table that does not exist fails verifyTables naming it', async () => {
    const created = createOutbox({ databases: [pool], clusters: clusterMap(), table: 'no_such_outbox' });
    outboxes.push(created);
    await expect(created.verifyTables()).rejects.toBeInstanceOf(OutboxSchemaError);
    await expect(created.verifyTables()).rejects.toThrow(/no_such_outbox/);
  });

});
