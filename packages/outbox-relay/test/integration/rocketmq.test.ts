import { setTimeout as sleep } from 'node:timers/promises';
import type { RowDataPacket } from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kafkaControl, startTestRocketMq, testServices, waitUntil, type TestRocketMq } from '@shardflow/testkit';
import { createOutbox, RocketMqSink, type Outbox, type OutboxConfig, type OutboxMessage } from '../../src/index.js';
import { describeSinkConformance } from '../sink-conformance.js';
import { clusterMap, consume, drain, stateCounts, suiteOutboxDb, uniqueTopic, type TestDb } from './outbox-fixture.js';
import { consumeRocketMq, toReadMessage } from './rocketmq-fixture.js';

// One RocketMQ for the whole file: its two JVMs are the heaviest thing the tests start.
let rocket: TestRocketMq;
let sink: RocketMqSink;
beforeAll(async () => {
  rocket = await startTestRocketMq('rocket_a');
  sink = new RocketMqSink({ clusters: { rocket_a: { endpoints: rocket.address.endpoints }, rocket_down: { endpoints: '127.0.0.1:1' } }, messageGroups: true });
}, 300_000);
afterAll(async () => {
  await sink?.close();
  await rocket?.close();
});

/** Brings back the brokers a test stopped, before its block's database goes. */
async function restoreBrokers(): Promise<void> {
  await rocket.start().catch(() => undefined);
  await kafkaControl.start('cluster_a');
}

describeSinkConformance('RocketMQ', () => ({
  sink,
  cluster: 'rocket_a',
  downCluster: 'rocket_down',
  // Over the proxy's default maxMessageSize (4 MiB).
  tooLargeBytes: 4 * 1024 * 1024 + 1,
  topic: async () => {
    const topic = uniqueTopic('conformance');
    await rocket.createTopic(topic, { fifo: true });
    return topic;
  },
  read: async (topic, count) => (await consumeRocketMq(rocket.address.endpoints, topic, count)).map(toReadMessage),
}));

describe('RocketMQ sink with message groups', () => {
  it("holds back a key's later messages behind one that failed for a retriable reason; other keys go on", async () => {
    // A grouped (FIFO) message to a normal topic is refused as retriable: the topic's type is wrong, not the row.
    const normal = uniqueTopic('normal');
    const fifo = uniqueTopic('fifo');
    await rocket.createTopic(normal);
    await rocket.createTopic(fifo, { fifo: true });
    const message = (id: number, key: string, topic: string) => ({ id, key, topic, value: Buffer.from(String(id)), headers: {} });
    const [first, second, other] = await sink.send('rocket_a', [message(1, 'k', normal), message(2, 'k', fifo), message(3, 'j', fifo)]);
    expect(first?.ok === false && [first.error.code, first.error.retriable]).toEqual(['DELIVERY_FAILED', true]);
    expect(second?.ok === false && second.error.message).toMatch(/^held back behind message 1 of the same key/);
    expect(other).toEqual({ ok: true });
    // Waits for two to make sure the held-back message did not go out after all.
    expect((await consumeRocketMq(rocket.address.endpoints, fifo, 2, 10_000)).map((m) => m.body.toString())).toEqual(['3']);
  }, 300_000);
});

const ROWS_PER_CLUSTER = 300;
const RELAY = { pageSize: 100, maxRetries: 30, backoff: { initialDelayMs: 200, maxDelayMs: 1_000, jitter: 0.2 }, circuitBreaker: { failureThreshold: 2, coolDownMs: 1_000 } };

function mixedOutbox(db: TestDb, relay: OutboxConfig['relay'] = RELAY): Outbox {
  return createOutbox({ databases: [db.pool], clusters: clusterMap(), rocketmqClusters: { rocket_a: { endpoints: rocket.address.endpoints } }, relay });
}

/** Rows for a Kafka and a RocketMQ cluster interleaved in blocks of three, like the seed's table. */
function interleaved(kafkaTopic: string, rocketTopic: string): OutboxMessage[] {
  return Array.from({ length: ROWS_PER_CLUSTER * 2 }, (_, i) => {
    const toKafka = Math.floor(i / 3) % 2 === 0;
    return { key: `user-${i}`, topic: toKafka ? kafkaTopic : rocketTopic, cluster: toKafka ? 'cluster_a' : 'rocket_a', payload: Buffer.alloc(512, i % 256) };
  });
}

/** Drains round after round (a pause between, for backoffs and the breaker's cool-down) until `done`. */
async function drainUntil(db: TestDb, outbox: Outbox, done: (counts: Record<string, number>) => boolean, rounds: number): Promise<Record<string, number>> {
  for (let round = 0; round < rounds; round++) {
    await drain(outbox.relayJob, 4);
    const counts = await stateCounts(db.pool);
    if (done(counts)) return counts;
    await sleep(500);
  }
  return stateCounts(db.pool);
}

describe('one table feeding a Kafka and a RocketMQ cluster', () => {
  const db = suiteOutboxDb('rocketmq', restoreBrokers);

  it('relays with the field mapping: topic:tag, key, headers as properties, outbox id, message group per key', async () => {
    const topic = uniqueTopic('mapping');
    await rocket.createTopic(topic, { fifo: true });
    const outbox = mixedOutbox(db, { ...RELAY, perKeyOrdering: true });
    try {
      const ids = await outbox.writer.addMany(db.pool as never, [
        { key: 'acct-1', topic: `${topic}:registered`, cluster: 'rocket_a', payload: '{"n":1}', headers: { source: 'signup' } },
        { key: 'acct-2', topic, cluster: 'rocket_a', payload: '{"n":2}' },
        { key: 'acct-1', topic: `${topic}:registered`, cluster: 'rocket_a', payload: '{"n":3}' },
      ]);
      await drain(outbox.relayJob, 1);
      const read = await consumeRocketMq(rocket.address.endpoints, topic, 3);
      const byId = new Map(read.map((message) => [Number(message.properties.get('outbox-id')), message]));
      const first = byId.get(ids[0] as number);
      expect(first?.tag).toBe('registered');
      expect(first?.keys).toEqual(['acct-1']);
      expect(first?.messageGroup).toBe('acct-1');
      expect(first?.properties.get('source')).toBe('signup');
      expect(first?.properties.get('outbox-create-time')).toMatch(/^\d{4}-\d\d-\d\dT/);
      expect(first?.body.toString()).toBe('{"n":1}');
      expect(byId.get(ids[1] as number)?.tag).toBeFalsy();
      expect(Number(byId.get(ids[2] as number)?.offset)).toBeGreaterThan(Number(first?.offset));
    } finally {
      await outbox.close();
    }
  }, 300_000);

  it('parks a row too large for RocketMQ and a row for a missing topic as dead; their neighbours go out', async () => {
    const topic = uniqueTopic('dead');
    await rocket.createTopic(topic);
    const outbox = mixedOutbox(db);
    try {
      const ids = await outbox.writer.addMany(db.pool as never, [
        { key: 'a', topic, cluster: 'rocket_a', payload: 'small-1' },
        { key: 'b', topic, cluster: 'rocket_a', payload: Buffer.alloc(4 * 1024 * 1024 + 1024, 1) },
        { key: 'c', topic, cluster: 'rocket_a', payload: 'small-2' },
        { key: 'd', topic: uniqueTopic('never-created'), cluster: 'rocket_a', payload: 'nowhere to go' },
      ]);
      await drain(outbox.relayJob, 1);
      const [rows] = await db.pool.query<RowDataPacket[]>('SELECT id, state, last_error FROM msg_send_record WHERE id IN (?) ORDER BY id', [ids]);
      expect(rows.map((row) => row['state'])).toEqual([1, 2, 1, 2]);
      expect(String(rows[1]?.['last_error'])).toMatch(/^MESSAGE_TOO_LARGE/);
      expect(String(rows[3]?.['last_error'])).toMatch(/^TOPIC_NOT_FOUND/);
      expect((await consumeRocketMq(rocket.address.endpoints, topic, 2)).map((message) => message.body.toString()).sort()).toEqual(['small-1', 'small-2']);
    } finally {
      await outbox.close();
    }
  }, 300_000);
});

describe("the seed's head-of-line case across brokers: either broker down must not hold back the other", () => {
  const db = suiteOutboxDb('rocketmq_hol', restoreBrokers);

  interface Outage {
    /** The cluster whose broker goes down, and the other one. */
    readonly down: 'rocket_a' | 'cluster_a';
    readonly up: 'rocket_a' | 'cluster_a';
    readonly stop: () => Promise<unknown>;
    readonly start: () => Promise<unknown>;
    /** How many distinct rows the down cluster's topic holds in the end. */
    readonly delivered: (topic: string) => Promise<number>;
  }

  const outages: Array<[string, Outage]> = [
    ['RocketMQ down: every Kafka row flows, the RocketMQ rows wait (none dead) and all go out once it is back', {
      down: 'rocket_a',
      up: 'cluster_a',
      stop: () => rocket.stop(),
      start: () => rocket.start(),
      delivered: async (topic) => new Set((await consumeRocketMq(rocket.address.endpoints, topic, ROWS_PER_CLUSTER, 60_000)).map((message) => message.properties.get('outbox-id'))).size,
    }],
    ['Kafka down: every RocketMQ row flows, the Kafka rows wait (none dead) and all go out once it is back', {
      down: 'cluster_a',
      up: 'rocket_a',
      stop: () => kafkaControl.stop('cluster_a'),
      start: () => kafkaControl.start('cluster_a'),
      delivered: async (topic) => (await consume(testServices().kafka['cluster_a'] as string, topic, ROWS_PER_CLUSTER, 60_000)).length,
    }],
  ];

  it.each(outages)('%s', async (_, outage) => {
    await db.pool.query('DELETE FROM msg_send_record');
    const topics = { cluster_a: uniqueTopic('hol-kafka'), rocket_a: uniqueTopic('hol-rocket') };
    await rocket.createTopic(topics.rocket_a);
    const outbox = mixedOutbox(db);
    const opened: string[] = [];
    outbox.relayJob.on('circuitOpened', ({ cluster }) => opened.push(cluster));
    try {
      await outbox.writer.addMany(db.pool as never, interleaved(topics.cluster_a, topics.rocket_a));
      await outage.stop();
      const whileDown = await drainUntil(db, outbox, (counts) => counts[`${outage.up}:1`] === ROWS_PER_CLUSTER, 20);
      expect(whileDown).toEqual({ [`${outage.up}:1`]: ROWS_PER_CLUSTER, [`${outage.down}:0`]: ROWS_PER_CLUSTER });
      expect(opened).toContain(outage.down);

      await outage.start();
      const after = await drainUntil(db, outbox, (counts) => counts[`${outage.down}:1`] === ROWS_PER_CLUSTER, 120);
      expect(after).toEqual({ 'cluster_a:1': ROWS_PER_CLUSTER, 'rocket_a:1': ROWS_PER_CLUSTER });
      expect(await outage.delivered(topics[outage.down])).toBe(ROWS_PER_CLUSTER);
    } finally {
      await outbox.close();
    }
  }, 600_000);
});

describe('no lost row: the RocketMQ broker restarted under a running relay', () => {
  const ROWS = 1_000;
  const db = suiteOutboxDb('rocketmq_lost', () => rocket.start().catch(() => undefined));

  it('every committed row reaches RocketMQ at least once, none dead, while rows keep coming', async () => {
    const topic = uniqueTopic('no-lost');
    await rocket.createTopic(topic);
    const outbox = mixedOutbox(db);
    const opened: string[] = [];
    outbox.relayJob.on('circuitOpened', ({ cluster }) => opened.push(cluster));
    let running = true;
    const relay = (async () => {
      while (running) {
        await drain(outbox.relayJob, 4);
        await sleep(100);
      }
    })();
    try {
      for (let batch = 0; batch < ROWS / 50; batch++) {
        await outbox.writer.addMany(db.pool as never, Array.from({ length: 50 }, (_, i) => ({ key: `user-${batch}-${i}`, topic, cluster: 'rocket_a', payload: Buffer.alloc(256, i) })));
        // The broker goes away while rows are on their way to it and comes back some rows later.
        if (batch === 5) await rocket.stop();
        if (batch === 9) {
          // Only an outage the relay has seen proves anything: it must have failed sends to the broker.
          await waitUntil(() => opened.includes('rocket_a'), { what: "the relay to open rocket_a's circuit", timeoutMs: 60_000 });
          await rocket.start();
        }
        await sleep(50);
      }
      running = false;
      await relay;
      const counts = await drainUntil(db, outbox, (c) => c['rocket_a:1'] === ROWS, 240);
      expect(counts).toEqual({ 'rocket_a:1': ROWS });
      const [idRows] = await db.pool.query<RowDataPacket[]>('SELECT id FROM msg_send_record');
      const delivered = new Set((await consumeRocketMq(rocket.address.endpoints, topic, ROWS, 90_000)).map((message) => Number(message.properties.get('outbox-id'))));
      expect(idRows.map((row) => Number(row['id'])).filter((id) => !delivered.has(id))).toEqual([]);
    } finally {
      running = false;
      await relay;
      await outbox.close();
    }
  }, 600_000);
});
