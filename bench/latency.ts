/**
 * Commit-to-Kafka latency at a steady 500 rows/s: with the writer's fast path, and relay only
 * (a separate relay process) on MariaDB and on PostgreSQL, each with the cron alone (every
 * second) and with the wakeup (cron every minute: rows are sent by the runs the wakeup starts).
 * Each row is written in its own transaction; the clock starts at COMMIT.
 * - fast path: commit -> publishNow resolved (Kafka acks=all received and row marked sent);
 * - relay only: commit -> a consumer receives it.
 * The relay-only cases run one after another in one invocation, so that their figures are side by side.
 * Usage: node --conditions=@shardflow/source --import tsx bench/latency.ts [--seconds 20]
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { Kafka, logLevel } from 'kafkajs';
import pg from 'pg';
import { createOutbox, migrateOutboxTable, migratePgOutboxTable, type OutboxPool } from '@shardflow/outbox-relay';
import { createKafkaTopic, createPgTestDatabase } from '@shardflow/testkit';
import { openBenchServices, percentile, report } from './support/bench-services.js';
import { RELAY_NODE_FLAGS, SOURCE_FLAGS, spawnUntilReady, stopProcesses } from '../test/fixtures/relay-processes.js';

const secondsArg = process.argv.indexOf('--seconds');
const SECONDS = secondsArg > 0 ? Number(process.argv[secondsArg + 1]) : 20;
const RATE = 500;
const relayScript = fileURLToPath(new URL('./support/latency-relay.ts', import.meta.url));
const bench = await openBenchServices(['cluster_a']);
const pgDatabase = await createPgTestDatabase('bench_latency');
const pgPool = new pg.Pool({ connectionString: pgDatabase.url, max: 16 });
const bootstrap = bench.services.addresses.kafka['cluster_a'] as string;
const kafka = new Kafka({ clientId: 'latency', brokers: [bootstrap], logLevel: logLevel.NOTHING });
await migrateOutboxTable(bench.pool);
await migratePgOutboxTable(pgPool);

interface Database {
  readonly name: string;
  readonly url: string;
  readonly pool: OutboxPool;
  /** One row in its own transaction; resolves with its id once committed. */
  commitRow(writer: ReturnType<typeof createOutbox<OutboxPool>>['writer'], message: { key: string; topic: string }): Promise<number>;
  truncate(): Promise<void>;
  /** Rows still pending: what the relay had not sent when the measurement ended. */
  pending(): Promise<number>;
}

const mariadb: Database = {
  name: 'mariadb',
  url: bench.database.url,
  pool: bench.pool,
  commitRow: async (writer, { key, topic }) => {
    const connection = await bench.pool.getConnection();
    try {
      await connection.beginTransaction();
      const id = await writer.add(connection as never, { key, topic, cluster: 'cluster_a', payload: Buffer.alloc(1024) });
      await connection.commit();
      return id;
    } finally {
      // Released before publishing: publishNow needs a pool connection of its own.
      connection.release();
    }
  },
  truncate: async () => void (await bench.pool.query('TRUNCATE TABLE msg_send_record')),
  pending: async () => Number(((await bench.pool.query('SELECT COUNT(*) AS n FROM msg_send_record WHERE state = 0'))[0] as Array<{ n: number }>)[0]?.n),
};
const postgresql: Database = {
  name: 'postgresql',
  url: pgDatabase.url,
  pool: pgPool,
  commitRow: async (writer, { key, topic }) => {
    const client = await pgPool.connect();
    try {
      await client.query('BEGIN');
      const id = await writer.add(client as never, { key, topic, cluster: 'cluster_a', payload: Buffer.alloc(1024) });
      await client.query('COMMIT');
      return id;
    } finally {
      client.release();
    }
  },
  truncate: async () => void (await pgPool.query('TRUNCATE TABLE msg_send_record')),
  pending: async () => Number((await pgPool.query<{ n: string }>('SELECT COUNT(*) AS n FROM msg_send_record WHERE state = 0')).rows[0]?.n),
};

/** Writes RATE rows/s for SECONDS; `afterCommit` gets each id and its commit time. */
async function writeSteadily(
  database: Database,
  topic: string,
  options: { fastPath: boolean; wakeup: boolean },
  afterCommit: (id: number, committedAt: number) => void,
): Promise<void> {
  // The writer's side of the wakeup: on PostgreSQL its INSERT notifies.
  const outbox = createOutbox<OutboxPool>({
    databases: [database.pool], clusters: { cluster_a: { brokers: [bootstrap] } }, fastPath: options.fastPath ? { graceMs: 5_000 } : false, wakeup: options.wakeup,
  });
  if (options.fastPath) {
    // A running service has its producer connected already: warm it up outside the measurement.
    await outbox.writer.publishNow([await database.commitRow(outbox.writer, { key: 'warm-up', topic })]);
  }
  const started = Date.now();
  const inFlight: Promise<unknown>[] = [];
  for (let i = 0; i < RATE * SECONDS; i++) {
    const due = started + (i * 1000) / RATE;
    if (due > Date.now()) await sleep(due - Date.now());
    inFlight.push((async () => {
      const id = await database.commitRow(outbox.writer, { key: `user-${i}`, topic });
      const committedAt = performance.now();
      if (options.fastPath) await outbox.writer.publishNow([id]);
      afterCommit(id, committedAt);
    })());
  }
  await Promise.all(inFlight);
  await outbox.close();
}

async function createTopic(topic: string): Promise<void> {
  // Topics exist before traffic in production; creating one on first use would be measured here.
  await createKafkaTopic(bootstrap, topic, 4);
}

/** Relay only: a relay process, a consumer, RATE rows/s; commit -> consumer latencies and the relay's runs by trigger. */
async function relayOnly(database: Database, wakeup: boolean): Promise<{ latencies: number[]; runs: unknown; pending: number }> {
  const topic = `latency-${database.name}-${randomUUID().slice(0, 8)}`;
  await createTopic(topic);
  await database.truncate();
  const committed = new Map<number, number>();
  const received: number[] = [];
  let pending = Number.NaN;
  const consumer = kafka.consumer({ groupId: `latency-${randomUUID()}`, maxWaitTimeInMs: 20 });
  await consumer.connect();
  const relay = await spawnUntilReady([...RELAY_NODE_FLAGS, ...SOURCE_FLAGS, relayScript], {
    ...bench.services.env,
    LATENCY_DB_URL: database.url,
    LATENCY_KAFKA: bootstrap,
    LATENCY_NAMESPACE: `latency-${randomUUID().slice(0, 8)}`,
    LATENCY_CRON: wakeup ? '0 * * * * ?' : '* * * * * ?',
    LATENCY_WAKEUP: wakeup ? '1' : '0',
  }, `relay ${database.name}`, { keepEvents: true });
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => {
        const id = Number(message.headers?.['outbox-id']?.toString());
        const at = committed.get(id);
        if (at !== undefined) received.push(performance.now() - at);
      },
    });
    await sleep(3_000);
    await writeSteadily(database, topic, { fastPath: false, wakeup }, (id, committedAt) => committed.set(id, committedAt));
    for (let waited = 0; waited < 30_000 && received.length < committed.size; waited += 200) await sleep(200);
    pending = await database.pending();
  } finally {
    await consumer.disconnect();
    await stopProcesses([relay.child]);
  }
  for (let waited = 0; waited < 2_000 && !relay.events.some((event) => event['event'] === 'runs'); waited += 50) await sleep(50);
  return { latencies: received, runs: relay.events.find((event) => event['event'] === 'runs')?.['runs'], pending };
}

try {
  const fastTopic = `latency-fast-${randomUUID().slice(0, 8)}`;
  await createTopic(fastTopic);
  const fastLatencies: number[] = [];
  await writeSteadily(mariadb, fastTopic, { fastPath: true, wakeup: false }, (_id, committedAt) => fastLatencies.push(performance.now() - committedAt));
  report('latency', { mode: 'fast path: commit -> acked and marked', database: 'mariadb', rows: fastLatencies.length, p50_ms: percentile(fastLatencies, 50), p99_ms: percentile(fastLatencies, 99) });

  const results: Array<{ database: string; trigger: string; latencies: number[]; runs: unknown; pending: number }> = [];
  for (const database of [mariadb, postgresql]) {
    for (const wakeup of [false, true]) {
      results.push({ database: database.name, trigger: wakeup ? 'wakeup (cron 60 s)' : 'cron 1 s', ...(await relayOnly(database, wakeup)) });
    }
  }
  for (const { database, trigger, latencies, runs, pending } of results) {
    report('latency', {
      mode: 'relay only: commit -> consumer receives', database, trigger, rows: latencies.length, still_pending: pending,
      p50_ms: percentile(latencies, 50), p99_ms: percentile(latencies, 99), runs: JSON.stringify(runs),
    });
  }
} finally {
  await pgPool.end();
  await pgDatabase.drop();
  await bench.close();
}
