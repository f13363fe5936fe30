import type { RowDataPacket } from 'mysql2/promise';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { testServices } from '@shardflow/testkit';
import { createOutbox, DeliveryError, fetchPage, KafkajsSink, migrateOutboxTable, type MessageSink, type Outbox, type OutboxConfig } from '../../src/index.js';
import { countBy } from '../../src/util/group-by.js';
import { clusterMap, consume, drain, itemContext, openTestDb, stateCounts, uniqueTopic, type TestDb } from './outbox-fixture.js';

describe('outbox relay against real MariaDB and Kafka', () => {
  let db: TestDb;
  const outboxes: Outbox[] = [];

  beforeAll(async () => {
    db = await openTestDb();
  });
  afterAll(async () => {
    await db.close();
  });
  afterEach(async () => {
    for (const outbox of outboxes.splice(0)) await outbox.close();
    await db.pool.query('DROP TABLE IF EXISTS msg_send_record');
  });

  async function outbox(config: Partial<OutboxConfig> = {}): Promise<Outbox> {
    await migrateOutboxTable(db.pool);
    const created = createOutbox({ databases: [db.pool], clusters: clusterMap(), ...config });
    outboxes.push(created);
    return created;
  }

  it('writes the row only if the business transaction commits, with the partition MySQL computes too', async () => {
    const { writer } = await outbox();
    const connection = await db.pool.getConnection();
    try {
      await connection.beginTransaction();
      await writer.add(connection, { key: 'rolled-back', topic: 't', cluster: 'cluster_a', payload: { a: 1 } });
      await connection.rollback();
      await connection.beginTransaction();
      const id = await writer.add(connection, { key: 'acct-42', topic: 't', cluster: 'cluster_a', payload: { a: 2 } });
      await connection.commit();
      const [rows] = await db.pool.query<RowDataPacket[]>('SELECT id, account_no, partition_no, CRC32(account_no) % 1024 AS expected, state FROM msg_send_record');
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({ id, account_no: 'acct-42', state: 0 });
      expect(rows[0]?.['partition_no']).toBe(Number(rows[0]?.['expected']));
    } finally {
      connection.release();
    }
  });

  it('relays every row once per item to Kafka with the outbox id header, and marks them sent', async () => {
    const topic = uniqueTopic('roundtrip');
    const { writer, relayJob } = await outbox();
    const connection = await db.pool.getConnection();
    const ids = await writer.addMany(connection, Array.from({ length: 60 }, (_, i) => ({ key: `user-${i}`, topic, cluster: 'cluster_a', payload: `payload-${i}`, headers: { source: 'test' } })));
    connection.release();
    await drain(relayJob, 4);
    expect(await stateCounts(db.pool)).toEqual({ 'cluster_a:1': 60 });
    const messages = await consume(testServices().kafka['cluster_a'] as string, topic, 60);
    expect(messages.map((message) => Number(message.headers?.['outbox-id']?.toString())).sort((a, b) => a - b)).toEqual(ids);
    const first = messages.find((message) => message.key?.toString() === 'user-0');
    expect(first?.value?.toString()).toBe('payload-0');
    expect(first?.headers?.['source']?.toString()).toBe('test');
    expect(first?.headers?.['outbox-create-time']).toBeDefined();
  });

  it('fast path: published and marked sent right after commit; on failure the row waits for the relay past the grace time', async () => {
    const topic = uniqueTopic('fast');
    const { writer, relayJob } = await outbox({ fastPath: { graceMs: 60_000 } });
    const sentEvents: boolean[] = [];
    writer.on('sent', ({ fastPath }) => sentEvents.push(fastPath));
    const connection = await db.pool.getConnection();
    try {
      await connection.beginTransaction();
      const ok = await writer.add(connection, { key: 'fast', topic, cluster: 'cluster_a', payload: 'now' });
      const failing = await writer.add(connection, { key: 'slow', topic, cluster: 'cluster_down', payload: 'later' });
      await connection.commit();
      expect(await writer.publishNow([ok, failing])).toBe(1);
    } finally {
      connection.release();
    }
    expect(sentEvents).toEqual([true]);
    expect(await stateCounts(db.pool)).toEqual({ 'cluster_a:1': 1, 'cluster_down:0': 1 });
    // Within the grace time the relay leaves the failed row alone: no race with the fast path.
    expect(await relayJob.fetchData(itemContext(0, 1, 1))).toEqual([]);
    const messages = await consume(testServices().kafka['cluster_a'] as string, topic, 1);
    expect(messages[0]?.value?.toString()).toBe('now');
  });

  it('a zombie holding an older epoch can neither overwrite nor re-fetch rows whose outcome a newer owner wrote', async () => {
    const { writer, relayJob, store } = await outbox();
    await writer.addMany(db.pool as never, Array.from({ length: 5 }, (_, i) => ({ key: `k${i}`, topic: 'fence', cluster: 'cluster_a', payload: 'x' })));
    const zombieRows = await relayJob.fetchData(itemContext(0, 1, 3));
    const ownerRows = await relayJob.fetchData(itemContext(0, 1, 4));
    expect(zombieRows.map((row) => row.id)).toEqual(ownerRows.map((row) => row.id));
    const failed = ownerRows.slice(2).map((record) => ({ record, code: 'DELIVERY_FAILED' as const, message: 'rejected', charged: true, dead: false, nextAttemptAt: new Date(Date.now() - 1_000) }));
    expect(await store.markSent(ownerRows.slice(0, 2), 4)).toBe(2);
    expect(await store.markFailed(failed, 4)).toBe(3);

    const zombieDead = zombieRows.map((record) => ({ record, code: 'MESSAGE_TOO_LARGE' as const, message: 'late', charged: true, dead: true, nextAttemptAt: new Date() }));
    expect(await store.markFailed(zombieDead, 3)).toBe(0);
    expect(await store.markSent(zombieRows, 3)).toBe(0);
    expect(await relayJob.fetchData(itemContext(0, 1, 3))).toHaveLength(0);
    expect((await relayJob.fetchData(itemContext(0, 1, 4))).map((row) => row.id)).toEqual(ownerRows.slice(2).map((row) => row.id));
    expect(await stateCounts(db.pool)).toEqual({ 'cluster_a:0': 3, 'cluster_a:1': 2 });
    const [retried] = await db.pool.query<RowDataPacket[]>('SELECT retry_count, fence_epoch FROM msg_send_record WHERE state = 0');
    expect(retried.map((row) => [row['retry_count'], row['fence_epoch']])).toEqual([[1, 4], [1, 4], [1, 4]]);
  });

  it('an outcome written under an older epoch is overwritten by a newer owner, and the row is not lost', async () => {
    const { writer, relayJob, store } = await outbox();
    await writer.add(db.pool as never, { key: 'k', topic: 'fence', cluster: 'cluster_a', payload: 'x' });
    const [row] = await relayJob.fetchData(itemContext(0, 1, 3));
    expect(await store.markFailed([{ record: row!, code: 'BROKER_UNAVAILABLE', message: 'down', charged: false, dead: false, nextAttemptAt: new Date(Date.now() - 1_000) }], 3)).toBe(1);
    const [again] = await relayJob.fetchData(itemContext(0, 1, 4));
    expect(again?.id).toBe(row?.id);
    expect(await store.markSent([again!], 4)).toBe(1);
    expect(await stateCounts(db.pool)).toEqual({ 'cluster_a:1': 1 });
  });

  it('processData refuses to mark when the item is no longer owned', async () => {
    const { writer, relayJob } = await outbox();
    await writer.add(db.pool as never, { key: 'k', topic: uniqueTopic('owner'), cluster: 'cluster_a', payload: 'x' });
    const ctx = itemContext(0, 1, 1, { owner: () => false });
    const rows = await relayJob.fetchData(ctx);
    await expect(relayJob.processData(ctx, rows)).rejects.toMatchObject({ code: 'ITEM_FENCED' });
    expect(await stateCounts(db.pool)).toEqual({ 'cluster_a:0': 1 });
  });

  it("a row's own failure raises retry_count, pushes next_select_time out and keeps the error; after maxRetries the row is dead", async () => {
    const kafka = new KafkajsSink({ clusters: clusterMap() });
    // A user's sink that rejects one cluster's messages one by one, as a broker rejects a record.
    const sink: MessageSink = {
      send: async (cluster, messages) => (cluster === 'cluster_rejects'
        ? messages.map(() => ({ ok: false, error: new DeliveryError('DELIVERY_FAILED', 'record rejected') }))
        : kafka.send(cluster, messages)),
      close: () => kafka.close(),
    };
    const { writer, relayJob } = await outbox({ sink, relay: { maxRetries: 1, backoff: { initialDelayMs: 0, maxDelayMs: 0, jitter: 0 } } });
    const dead: number[] = [];
    relayJob.on('dead', ({ ids }) => dead.push(...ids));
    const id = await writer.add(db.pool as never, { key: 'k', topic: 't', cluster: 'cluster_rejects', payload: 'x' });
    await relayJob.processData(itemContext(0, 1, 1), await relayJob.fetchData(itemContext(0, 1, 1)));
    const [[afterFirst]] = await db.pool.query<RowDataPacket[]>('SELECT state, retry_count, last_error, next_select_time FROM msg_send_record');
    expect(afterFirst).toMatchObject({ state: 0, retry_count: 1, last_error: 'DELIVERY_FAILED: record rejected' });
    await relayJob.processData(itemContext(0, 1, 1), await relayJob.fetchData(itemContext(0, 1, 1)));
    expect(await stateCounts(db.pool)).toEqual({ 'cluster_rejects:2': 1 });
    expect(dead).toEqual([id]);
    expect(await relayJob.fetchData(itemContext(0, 1, 1))).toEqual([]);
  });

  it('an outage is not an attempt: sends to a cluster that is down leave retry_count at 0 and keep the error, and the row never dies of it', async () => {
    // No backoff and no cool-down: the row is due again at once, each try after the first a failed probe.
    const { writer, relayJob } = await outbox({ relay: { maxRetries: 0, backoff: { initialDelayMs: 0, maxDelayMs: 0, jitter: 0 }, circuitBreaker: { coolDownMs: 0, maxCoolDownMs: 0 } } });
    const dead: number[] = [];
    relayJob.on('dead', ({ ids }) => dead.push(...ids));
    await writer.add(db.pool as never, { key: 'k', topic: 't', cluster: 'cluster_down', payload: 'x' });
    let attempts = 0;
    for (; attempts < 4; attempts++) {
      const rows = await relayJob.fetchData(itemContext(0, 1, 1));
      if (rows.length === 0) break;
      await relayJob.processData(itemContext(0, 1, 1), rows);
    }
    expect(attempts).toBe(4);
    const [[row]] = await db.pool.query<RowDataPacket[]>('SELECT state, retry_count, last_error FROM msg_send_record');
    expect(row).toMatchObject({ state: 0, retry_count: 0 });
    expect(String(row?.['last_error'])).toMatch(/^BROKER_UNAVAILABLE: /);
    expect(dead).toEqual([]);
  });

  it('an open circuit is written into the rows: a fresh relay finds nothing due, probes with a few rows uncharged, and a successful probe releases the rest', async () => {
    const kafka = new KafkajsSink({ clusters: clusterMap() });
    let down = true;
    const sentPerCall: number[] = [];
    // Real Kafka behind a switch: while down, every send fails as the cluster's outage.
    const sink: MessageSink = {
      send: async (cluster, messages) => {
        sentPerCall.push(messages.length);
        if (!down) return kafka.send(cluster, messages);
        return messages.map(() => ({ ok: false, error: new DeliveryError('BROKER_UNAVAILABLE', 'switched off by the test') }));
      },
      close: () => kafka.close(),
    };
    const relay = { pageSize: 20, maxRetries: 0, circuitBreaker: { failureThreshold: 1, coolDownMs: 60_000, maxCoolDownMs: 120_000, probeSize: 5 } };
    const first = await outbox({ sink, relay });
    const topic = uniqueTopic('circuit');
    const ids = await first.writer.addMany(db.pool as never, Array.from({ length: 50 }, (_, i) => ({ key: `c${i}`, topic, cluster: 'cluster_a', payload: `${i}` })));
    const opened: string[] = [];
    first.relayJob.on('circuitOpened', ({ cluster }) => opened.push(cluster));
    await first.relayJob.processData(itemContext(0, 1, 1), await first.relayJob.fetchData(itemContext(0, 1, 1)));
    expect(opened).toEqual(['cluster_a']);
    await first.relayJob.circuitWritesDone();
    const rows = async (): Promise<string[]> => (await db.pool.query<RowDataPacket[]>(
      `SELECT state, retry_count, SUBSTRING_INDEX(last_error, ':', 1) AS code,
              CASE WHEN next_select_time <= NOW(3) THEN 'due' WHEN next_select_time < NOW(3) + INTERVAL 90 SECOND THEN 'probe' ELSE 'parked' END AS due
       FROM msg_send_record ORDER BY id`))[0].map((row) => `${String(row['state'])}:${String(row['retry_count'])}:${String(row['code'])}:${String(row['due'])}`);
    // The page that failed and the 5 oldest other rows come back with the probe; the other 25 are parked.
    expect(Object.fromEntries(countBy(await rows(), (row) => row))).toEqual({ '0:0:BROKER_UNAVAILABLE:probe': 25, '0:0:BROKER_UNAVAILABLE:parked': 25 });

    // Another instance, or this one restarted: nothing is due, so nothing is sent.
    const second = createOutbox({ databases: [db.pool], sink, relay });
    outboxes.push(second);
    expect(await second.relayJob.fetchData(itemContext(0, 1, 1))).toEqual([]);

    // The cool-down ends while the cluster is still down: the fresh relay sends a probe of 5 rows, charged nothing.
    const coolDownEnds = (): Promise<unknown> => db.pool.query('UPDATE msg_send_record SET next_select_time = NOW(3) - INTERVAL 1 SECOND WHERE next_select_time < NOW(3) + INTERVAL 90 SECOND');
    await coolDownEnds();
    sentPerCall.length = 0;
    await second.relayJob.processData(itemContext(0, 1, 1), await second.relayJob.fetchData(itemContext(0, 1, 1)));
    await second.relayJob.circuitWritesDone();
    expect(sentPerCall).toEqual([5]);
    expect((await rows()).filter((row) => !row.startsWith('0:0:BROKER_UNAVAILABLE:'))).toEqual([]);
    expect((await rows()).filter((row) => row.endsWith(':due'))).toEqual([]);

    // Next cool-down, the cluster is back: a third relay's probe succeeds and releases every deferred row.
    down = false;
    await coolDownEnds();
    const third = createOutbox({ databases: [db.pool], sink, relay });
    outboxes.push(third);
    sentPerCall.length = 0;
    await third.relayJob.processData(itemContext(0, 1, 1), await third.relayJob.fetchData(itemContext(0, 1, 1)));
    await third.relayJob.circuitWritesDone();
    expect(sentPerCall).toEqual([5]);
    expect(Object.fromEntries(countBy(await rows(), (row) => row))).toEqual({ '1:0:null:due': 5, '0:0:null:due': 45 });
    await drain(third.relayJob, 1);
    expect(await stateCounts(db.pool)).toEqual({ 'cluster_a:1': 50 });
    const delivered = new Set((await consume(testServices().kafka['cluster_a'] as string, topic, 50)).map((message) => Number(message.headers?.['outbox-id']?.toString())));
    expect(ids.filter((id) => !delivered.has(id))).toEqual([]);
  });

  it('backs off: a failed row is not due again before its next_select_time', async () => {
    const { writer, relayJob } = await outbox({ relay: { backoff: { initialDelayMs: 60_000, jitter: 0 } } });
    await writer.add(db.pool as never, { key: 'k', topic: 't', cluster: 'cluster_down', payload: 'x' });
    await drain(relayJob, 1);
    const [[row]] = await db.pool.query<RowDataPacket[]>('SELECT TIMESTAMPDIFF(SECOND, NOW(3), next_select_time) AS wait FROM msg_send_record');
    expect(Number(row?.['wait'])).toBeGreaterThanOrEqual(55);
    expect(await relayJob.fetchData(itemContext(0, 1, 1))).toEqual([]);
  });

  it('parks a poison message (too large) at once while the rest of its batch is delivered', async () => {
    const topic = uniqueTopic('poison');
    const { writer, relayJob } = await outbox();
    const big = Buffer.alloc(2 * 1024 * 1024, 1);
    const ids = await writer.addMany(db.pool as never, [
      { key: 'a', topic, cluster: 'cluster_a', payload: 'small-1' },
      { key: 'b', topic, cluster: 'cluster_a', payload: big },
      { key: 'c', topic, cluster: 'cluster_a', payload: 'small-2' },
      { key: 'd', topic, cluster: 'nowhere', payload: 'unknown cluster' },
    ]);
    await drain(relayJob, 1);
    const [rows] = await db.pool.query<RowDataPacket[]>('SELECT id, state, last_error FROM msg_send_record ORDER BY id');
    expect(rows.map((row) => row['state'])).toEqual([1, 2, 1, 2]);
    expect(String(rows[1]?.['last_error'])).toMatch(/^MESSAGE_TOO_LARGE/);
    expect(String(rows[3]?.['last_error'])).toMatch(/^UNKNOWN_CLUSTER/);
    const messages = await consume(testServices().kafka['cluster_a'] as string, topic, 2);
    expect(messages.map((message) => message.value?.toString()).sort()).toEqual(['small-1', 'small-2']);
    expect(ids).toHaveLength(4);
  });

  it('parks a row whose stored headers are corrupt without blocking the others', async () => {
    const { writer, relayJob } = await outbox();
    const [bad] = await writer.addMany(db.pool as never, [{ key: 'x', topic: uniqueTopic('corrupt'), cluster: 'cluster_a', payload: '1' }, { key: 'y', topic: uniqueTopic('corrupt'), cluster: 'cluster_a', payload: '2' }]);
    await db.pool.query('UPDATE msg_send_record SET headers = ? WHERE id = ?', ['{broken', bad]);
    await drain(relayJob, 1);
    const [rows] = await db.pool.query<RowDataPacket[]>('SELECT state, last_error FROM msg_send_record ORDER BY id');
    expect(rows.map((row) => [row['state'], row['last_error'] === null ? null : String(row['last_error']).split(':')[0]])).toEqual([[2, 'UNSERIALIZABLE_RECORD'], [1, null]]);
  });

  it('a sink that throws is an outage of its cluster, never an attempt; one that answers short fails the rows it left unanswered until they are dead; other clusters flow', async () => {
    const kafka = new KafkajsSink({ clusters: clusterMap() });
    // A user's sink wrapping real Kafka that misbehaves for two cluster names.
    const sink: MessageSink = {
      send: async (cluster, messages) => {
        if (cluster === 'cluster_throws') throw new Error('driver crashed');
        if (cluster === 'cluster_short') return [];
        return kafka.send(cluster, messages);
      },
      close: () => kafka.close(),
    };
    // No backoff: every round of one batch tries each failed row again.
    const { writer, relayJob } = await outbox({ sink, relay: { maxRetries: 1, backoff: { initialDelayMs: 0, maxDelayMs: 0, jitter: 0 } } });
    const topic = uniqueTopic('sink');
    await writer.addMany(db.pool as never, ['cluster_throws', 'cluster_a', 'cluster_short', 'cluster_a'].map((cluster, i) => ({ key: `k${i}`, topic, cluster, payload: `${i}` })));
    await drain(relayJob, 1, 1, { maxBatches: 1 });
    const after = async (): Promise<string[]> => (await db.pool.query<RowDataPacket[]>('SELECT cluster_name, state, retry_count, last_error FROM msg_send_record ORDER BY id'))[0]
      .map((row) => `${String(row['cluster_name'])}:${String(row['state'])}:${String(row['retry_count'])}:${String(row['last_error'])}`);
    expect(await after()).toEqual([
      'cluster_throws:0:0:SINK_FAILED: the sink threw: driver crashed', 'cluster_a:1:0:null',
      'cluster_short:0:1:DELIVERY_FAILED: the sink answered for 0 of 1 messages', 'cluster_a:1:0:null',
    ]);
    for (let round = 0; round < 3; round++) await drain(relayJob, 1, 1, { maxBatches: 1 });
    expect((await after()).map((row) => row.split(':').slice(0, 3).join(':'))).toEqual(['cluster_throws:0:0', 'cluster_a:1:0', 'cluster_short:2:2', 'cluster_a:1:0']);
  });

  it('lists, counts and replays dead rows by filter', async () => {
    const { writer, relayJob, store } = await outbox();
    const topic = uniqueTopic('replay');
    // A cluster name the relay does not know parks its rows at once.
    await writer.addMany(db.pool as never, [
      { key: 'k1', topic, cluster: 'nowhere', payload: '1' },
      { key: 'k2', topic, cluster: 'nowhere', payload: '2' },
      { key: 'k3', topic: 'other', cluster: 'nowhere', payload: '3' },
    ]);
    await drain(relayJob, 1);
    expect(await store.countDead({})).toBe(3);
    expect(await store.countDead({ topic })).toBe(2);
    expect((await store.listDead({ key: 'k2' }, 10)).map((row) => row.key)).toEqual(['k2']);
    await db.pool.query("UPDATE msg_send_record SET cluster_name = 'cluster_a'");
    expect(await store.replayDead({ topic })).toBe(2);
    await drain(relayJob, 1);
    expect(await stateCounts(db.pool)).toEqual({ 'cluster_a:1': 2, 'cluster_a:2': 1 });
  });

  it('per-key ordering: a row waiting for a retry holds back later rows of its key only', async () => {
    const topic = uniqueTopic('ordered');
    const { writer, relayJob } = await outbox({ relay: { perKeyOrdering: true, backoff: { initialDelayMs: 60_000, jitter: 0 } } });
    await writer.addMany(db.pool as never, [
      { key: 'K', topic, cluster: 'cluster_down', payload: 'K-1' },
      { key: 'L', topic, cluster: 'cluster_a', payload: 'L-1' },
    ]);
    await drain(relayJob, 1);
    await writer.addMany(db.pool as never, [
      { key: 'K', topic, cluster: 'cluster_a', payload: 'K-2' },
      { key: 'L', topic, cluster: 'cluster_a', payload: 'L-2' },
    ]);
    await drain(relayJob, 1);
    const [rows] = await db.pool.query<RowDataPacket[]>('SELECT CAST(payload AS CHAR) AS p, state FROM msg_send_record ORDER BY id');
    expect(rows.map((row) => `${String(row['p'])}:${String(row['state'])}`)).toEqual(['K-1:0', 'L-1:1', 'K-2:0', 'L-2:1']);
    // The failing row's cluster comes back: K's rows then go out in id order.
    await db.pool.query("UPDATE msg_send_record SET cluster_name = 'cluster_a', next_select_time = NOW(3) WHERE state = 0");
    await drain(relayJob, 1);
    const messages = await consume(testServices().kafka['cluster_a'] as string, topic, 4);
    expect(messages.filter((message) => message.key?.toString() === 'K').map((message) => message.value?.toString())).toEqual(['K-1', 'K-2']);
  });

  it('a cluster with few due rows leaves its share of the page to the others, and a half-open probe stays a probe', async () => {
    const { writer, store, partitioning } = await outbox();
    const rows = (cluster: string, count: number): Array<{ key: string; topic: string; cluster: string; payload: string }> =>
      Array.from({ length: count }, (_, i) => ({ key: `${cluster}-${i}`, topic: 't', cluster, payload: `${i}` }));
    await writer.addMany(db.pool as never, rows('cluster_a', 40));
    await writer.addMany(db.pool as never, rows('cluster_b', 300));
    // cluster_a: 5 rows due, 35 waiting for a retry.
    await db.pool.query("UPDATE msg_send_record SET next_select_time = NOW(3) + INTERVAL 1 HOUR WHERE cluster_name = 'cluster_a' ORDER BY id LIMIT 35");
    const scopes = partitioning.scopes({ item: 0, total: 1, jobParameter: '', shardingParameter: undefined });
    const oldestB = (await db.pool.query<RowDataPacket[]>("SELECT id FROM msg_send_record WHERE cluster_name = 'cluster_b' ORDER BY id LIMIT 95"))[0].map((row) => Number(row['id']));

    const page = await fetchPage(store, scopes, { limit: 100, epoch: 1, admits: (_cluster, share) => share, perKeyOrdering: false });
    expect(page).toHaveLength(100);
    expect(page.filter((record) => record.cluster === 'cluster_a')).toHaveLength(5);
    expect(page.filter((record) => record.cluster === 'cluster_b').map((record) => record.id)).toEqual(oldestB);

    // cluster_b half-open (a probe of 10), cluster_a fully admitted but with only 5 due rows.
    const probing = await fetchPage(store, scopes, { limit: 100, epoch: 1, admits: (cluster, share) => (cluster === 'cluster_b' ? Math.min(share, 10) : share), perKeyOrdering: false });
    expect(Object.fromEntries(countBy(probing, (record) => record.cluster))).toEqual({ cluster_a: 5, cluster_b: 10 });
  });

  it('MySQL connections killed mid-relay: the failed batch is retried by the next run, no row is lost', async () => {
    const topic = uniqueTopic('mysql-drop');
    const { writer, relayJob } = await outbox({ relay: { pageSize: 50 } });
    const ids = await writer.addMany(db.pool as never, Array.from({ length: 400 }, (_, i) => ({ key: `m${i}`, topic, cluster: 'cluster_a', payload: `v${i}` })));
    let batches = 0;
    let killed = 0;
    for (let run = 0; run < 20 && (await stateCounts(db.pool))['cluster_a:1'] !== ids.length; run++) {
      try {
        const ctx = itemContext(0, 1, 1);
        for (;;) {
          const rows = await relayJob.fetchData(ctx);
          if (rows.length === 0) break;
          batches += 1;
          if (batches === 3) {
            // Cut every connection of the pool, as a failover of the database or a network blip would.
            const [connections] = await db.pool.query<RowDataPacket[]>('SELECT id FROM information_schema.PROCESSLIST WHERE db = ? AND id <> CONNECTION_ID()', [db.database.name]);
            const admin = await (await import('mysql2/promise')).createConnection(db.database.config);
            for (const connection of connections) await admin.query('KILL CONNECTION ?', [connection['id']]).then(() => (killed += 1), () => undefined);
            await admin.end();
          }
          await relayJob.processData(ctx, rows);
        }
      } catch {
        // The batch that met a dead connection fails like an item error; the next run picks it up.
      }
    }
    expect(killed).toBeGreaterThan(0);
    expect(await stateCounts(db.pool)).toEqual({ 'cluster_a:1': ids.length });
    const delivered = new Set((await consume(testServices().kafka['cluster_a'] as string, topic, ids.length)).map((message) => Number(message.headers?.['outbox-id']?.toString())));
    expect(ids.filter((id) => !delivered.has(id))).toEqual([]);
  });

});
