import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { OutboxCleanupJob, type Outbox, type OutboxConfig } from '../../src/index.js';
import { clusterMap, createdTopic, drain, itemContext, stateCountsOf, TEST_DATABASES, type AnyTestDb } from './outbox-fixture.js';

describe.each(TEST_DATABASES)('cleanup and stats on real $name and Kafka', ({ open }) => {
  let db: AnyTestDb;
  const outboxes: Array<Outbox<unknown>> = [];

  beforeAll(async () => {
    db = await open('reporting');
  });
  afterAll(async () => {
    await db.close();
  });
  afterEach(async () => {
    for (const outbox of outboxes.splice(0)) await outbox.close();
    await db.query('DROP TABLE IF EXISTS msg_send_record');
  });

  async function outbox(config: Omit<OutboxConfig, 'databases'> = {}): Promise<Outbox<unknown>> {
    await db.migrate();
    const created = db.createOutbox({ clusters: clusterMap(), ...config });
    outboxes.push(created);
    return created;
  }

  it('cleanup deletes old sent rows in small batches and leaves the rest', async () => {
    const { writer, relayJob, store, partitioning } = await outbox();
    const topic = await createdTopic('cleanup');
    await writer.addMany(db.pool, Array.from({ length: 35 }, (_, i) => ({ key: `c${i}`, topic, cluster: 'cluster_a', payload: 'x' })));
    await writer.add(db.pool, { key: 'pending', topic: 't', cluster: 'cluster_down', payload: 'x' });
    await drain(relayJob, 1);
    await db.query("UPDATE msg_send_record SET sent_time = CURRENT_TIMESTAMP(3) - INTERVAL '2' DAY WHERE state = 1");
    const cleanup = new OutboxCleanupJob({ store, partitioning, retentionMs: 86_400_000, batchSize: 10, pauseMs: 1 });
    await cleanup.execute(itemContext(0, 1, 1));
    expect(cleanup.lastDeleted).toBe(35);
    expect(await stateCountsOf(db)).toEqual({ 'cluster_down:0': 1 });
  });

  it('stats: counts per cluster, lag of the oldest pending row, sent counters', async () => {
    const { writer, relayJob } = await outbox();
    await writer.addMany(db.pool, [
      { key: 'a', topic: await createdTopic('stats'), cluster: 'cluster_a', payload: '1' },
      { key: 'b', topic: 't', cluster: 'nowhere', payload: '2' },
    ]);
    await writer.add(db.pool, { key: 'later', topic: 't', cluster: 'cluster_b', payload: '3' });
    await relayJob.processData(itemContext(0, 1, 1), (await relayJob.fetchData(itemContext(0, 1, 1))).filter((row) => row.key !== 'later'));
    // The pending row was written 5 s ago by the database's clock: its age is 5 s plus the time this takes, never 0.
    const before = Date.now();
    await db.query("UPDATE msg_send_record SET create_time = CURRENT_TIMESTAMP(3) - INTERVAL '5' SECOND WHERE account_no = 'later'");
    const stats = await relayJob.stats();
    const elapsed = Date.now() - before;
    expect(stats.sentTotal).toBe(1);
    expect(stats.deadTotal).toBe(1);
    expect(stats.lastError?.cluster).toBe('nowhere');
    expect(stats.clusters.find((entry) => entry.cluster === 'nowhere')).toMatchObject({ dead: 1, pending: 0 });
    expect(stats.clusters.find((entry) => entry.cluster === 'cluster_b')?.pending).toBe(1);
    const age = stats.clusters.find((entry) => entry.cluster === 'cluster_b')?.oldestPendingAgeMs;
    // A second either way for the two clocks' rounding; a wrong time zone or a clamped negative age is hours or 0 off.
    expect(age).toBeGreaterThanOrEqual(4_000);
    expect(age).toBeLessThanOrEqual(5_000 + elapsed + 1_000);
  });

  it('stats per item: counts per cluster of each item this instance owns, items it lost left out', async () => {
    const { writer, relayJob } = await outbox();
    await writer.addMany(db.pool, Array.from({ length: 60 }, (_, i) => ({ key: `user-${i}`, topic: 't', cluster: i % 3 === 0 ? 'cluster_b' : 'cluster_a', payload: `${i}` })));
    let ownsItem3 = true;
    for (const item of [0, 2]) await relayJob.fetchData(itemContext(item, 4, 1));
    await relayJob.fetchData(itemContext(3, 4, 1, { owner: () => ownsItem3 }));
    ownsItem3 = false;

    // Expected from the stored partition numbers: 1024 virtual partitions, item k of 4 owns k*256 .. k*256+255.
    const rows = await db.query('SELECT cluster_name, partition_no FROM msg_send_record');
    const expected = (item: number, cluster: string): number =>
      rows.filter((row) => row['cluster_name'] === cluster && Math.floor(Number(row['partition_no']) / 256) === item).length;
    const stats = await relayJob.stats();
    expect(stats.items.map((entry) => [entry.item, entry.epoch])).toEqual([[0, 1], [2, 1]]);
    for (const { item, clusters } of stats.items) {
      for (const cluster of ['cluster_a', 'cluster_b']) {
        const pending = clusters.find((entry) => entry.cluster === cluster)?.pending ?? 0;
        expect({ item, cluster, pending }).toEqual({ item, cluster, pending: expected(item, cluster) });
      }
    }
    expect(stats.items.flatMap((entry) => entry.clusters).reduce((sum, entry) => sum + entry.pending, 0)).toBeGreaterThan(0);
  });
});
