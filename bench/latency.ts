/**
 * Commit-to-Kafka latency at a steady 500 rows/s, with and without the writer's fast path.
 * Each row is written in its own transaction; the clock starts at COMMIT.
 * - fast path: commit -> publishNow resolved (Kafka acks=all received and row marked sent);
 * - relay only: commit -> a consumer receives it (the relay fires every second, streaming).
 * Usage: node --conditions=@shardflow/source --import tsx bench/latency.ts [--seconds 20]
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Kafka, logLevel } from 'kafkajs';
import { createOutbox } from '@shardflow/outbox-relay';
import { migrate } from '../examples/user-register-relay/src/database.js';
import { readEnvironment } from '../examples/user-register-relay/src/environment.js';
import { openBenchServices, percentile, report } from './support/bench-services.js';
import { startRelayProcesses, stopProcesses } from '../test/fixtures/relay-processes.js';

const secondsArg = process.argv.indexOf('--seconds');
const SECONDS = secondsArg > 0 ? Number(process.argv[secondsArg + 1]) : 20;
const RATE = 500;
const bench = await openBenchServices(['cluster_a']);
const bootstrap = bench.services.addresses.kafka['cluster_a'] as string;
const env = { ...bench.services.env, SHARDFLOW_EXAMPLE_DB: bench.database.name, SHARDFLOW_EXAMPLE_TOPIC: `latency-${Date.now()}`, SHARDFLOW_EXAMPLE_NAMESPACE: `latency-${Date.now()}` };
const environment = readEnvironment({ ...process.env, ...env });
await migrate(environment);

/** Writes RATE rows/s for SECONDS; `afterCommit` gets each id and its commit time. */
async function writeSteadily(fastPath: boolean, afterCommit: (id: number, committedAt: number) => void): Promise<void> {
  const outbox = createOutbox({ databases: [bench.pool], clusters: { cluster_a: { brokers: [bootstrap] } }, fastPath: fastPath ? { graceMs: 5_000 } : false });
  if (fastPath) {
    // A running service has its producer connected already: warm it up outside the measurement.
    await outbox.writer.publishNow([await outbox.writer.add(bench.pool as never, { key: 'warm-up', topic: environment.topic, cluster: 'cluster_a', payload: 'warm-up' })]);
  }
  const started = Date.now();
  const inFlight: Promise<unknown>[] = [];
  for (let i = 0; i < RATE * SECONDS; i++) {
    const due = started + (i * 1000) / RATE;
    if (due > Date.now()) await sleep(due - Date.now());
    inFlight.push((async () => {
      const connection = await bench.pool.getConnection();
      let id: number;
      try {
        await connection.beginTransaction();
        id = await outbox.writer.add(connection, { key: `user-${i}`, topic: environment.topic, cluster: 'cluster_a', payload: Buffer.alloc(1024) });
        await connection.commit();
      } finally {
        // Released before publishing: publishNow needs a pool connection of its own.
        connection.release();
      }
      const committedAt = performance.now();
      if (fastPath) await outbox.writer.publishNow([id]);
      afterCommit(id, committedAt);
    })());
  }
  await Promise.all(inFlight);
  await outbox.close();
}

try {
  // Topics exist before traffic in production; creating one on first use would be measured here.
  const setup = new Kafka({ clientId: 'latency-setup', brokers: [bootstrap], logLevel: logLevel.NOTHING }).admin();
  await setup.connect();
  await setup.createTopics({ topics: [{ topic: environment.topic, numPartitions: 4 }], waitForLeaders: true });
  await setup.disconnect();
  const fastLatencies: number[] = [];
  await writeSteadily(true, (_id, committedAt) => fastLatencies.push(performance.now() - committedAt));
  await bench.pool.query('TRUNCATE TABLE msg_send_record');

  const committed = new Map<number, number>();
  const received: number[] = [];
  const consumer = new Kafka({ clientId: 'latency', brokers: [bootstrap], logLevel: logLevel.NOTHING }).consumer({ groupId: `latency-${randomUUID()}`, maxWaitTimeInMs: 20 });
  await consumer.connect();
  const relays = await startRelayProcesses(1, env);
  await consumer.subscribe({ topic: environment.topic, fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ message }) => {
      const id = Number(message.headers?.['outbox-id']?.toString());
      const at = committed.get(id);
      if (at !== undefined) received.push(performance.now() - at);
    },
  });
  await sleep(3_000);
  await writeSteadily(false, (id, committedAt) => committed.set(id, committedAt));
  for (let waited = 0; waited < 30_000 && received.length < committed.size; waited += 200) await sleep(200);
  await consumer.disconnect();
  await stopProcesses(relays);
  report('latency', { mode: 'fast path: commit -> acked and marked', rows: fastLatencies.length, p50_ms: percentile(fastLatencies, 50), p99_ms: percentile(fastLatencies, 99) });
  report('latency', { mode: 'relay only: commit -> consumer receives', rows: received.length, p50_ms: percentile(received, 50), p99_ms: percentile(received, 99) });
} finally {
  await bench.close();
}
