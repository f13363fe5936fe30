/**
 * Relay throughput with 1 KB payloads, measured side by side in one run:
 * - naive: the seed's relay (fetch 100, send one at a time, UPDATE one row at a time);
 * - raw limit: kafkajs batched sends of every row alone, plus batched UPDATEs alone;
 * - shardflow with 1 and 3 relay instances (separate OS processes, ZooKeeper-coordinated, 4 items).
 * Usage: node --conditions=@shardflow/source --import tsx bench/outbox-throughput.ts [--rows 20000]
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { Kafka, logLevel } from 'kafkajs';
import type { Pool, RowDataPacket } from 'mysql2/promise';
import { openBenchServices, report } from './support/bench-services.js';
import { seedOutbox, unsentCount } from './support/outbox-rows.js';
import { startRelayProcesses, stopProcesses } from '../test/fixtures/relay-processes.js';

const rowsArg = process.argv.indexOf('--rows');
const ROWS = rowsArg > 0 ? Number(process.argv[rowsArg + 1]) : 20_000;
const bench = await openBenchServices(['cluster_a']);
const bootstrap = bench.services.addresses.kafka['cluster_a'] as string;
const kafka = new Kafka({ clientId: 'bench', brokers: [bootstrap], logLevel: logLevel.NOTHING });
const topic = `bench-throughput-${Date.now()}`;
const admin = kafka.admin();
await admin.connect();
await admin.createTopics({ topics: [{ topic, numPartitions: 4 }], waitForLeaders: true });
await admin.disconnect();

async function naive(pool: Pool): Promise<number> {
  await seedOutbox(pool, ROWS, topic);
  const producer = kafka.producer();
  await producer.connect();
  const started = Date.now();
  for (;;) {
    const [rows] = await pool.query<RowDataPacket[]>('SELECT id, account_no, payload FROM msg_send_record WHERE state = 0 ORDER BY id LIMIT 100');
    if (rows.length === 0) break;
    for (const row of rows) {
      await producer.send({ topic, acks: -1, messages: [{ key: String(row['account_no']), value: row['payload'] as Buffer }] });
      await pool.query('UPDATE msg_send_record SET state = 1, sent_time = NOW(3) WHERE id = ?', [row['id']]);
    }
  }
  const seconds = (Date.now() - started) / 1000;
  await producer.disconnect();
  return ROWS / seconds;
}

async function rawLimit(pool: Pool): Promise<number> {
  await seedOutbox(pool, ROWS, topic);
  const [rows] = await pool.query<RowDataPacket[]>('SELECT id, account_no, payload FROM msg_send_record ORDER BY id');
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  const sendStarted = Date.now();
  for (let i = 0; i < rows.length; i += 500) {
    await producer.sendBatch({ acks: -1, topicMessages: [{ topic, messages: rows.slice(i, i + 500).map((row) => ({ key: String(row['account_no']), value: row['payload'] as Buffer })) }] });
  }
  const sendSeconds = (Date.now() - sendStarted) / 1000;
  await producer.disconnect();
  const updateStarted = Date.now();
  for (let i = 0; i < rows.length; i += 500) {
    await pool.query('UPDATE msg_send_record SET state = 1, sent_time = NOW(3) WHERE id IN (?)', [rows.slice(i, i + 500).map((row) => row['id'])]);
  }
  const updateSeconds = (Date.now() - updateStarted) / 1000;
  return ROWS / (sendSeconds + updateSeconds);
}

async function shardflow(pool: Pool, instances: number): Promise<number> {
  await seedOutbox(pool, ROWS, topic);
  // Park the rows until every relay is up, then release them all at once and start the clock.
  await pool.query('UPDATE msg_send_record SET next_select_time = NOW(3) + INTERVAL 1 DAY');
  const relays = await startRelayProcesses(instances, {
    ...bench.services.env,
    SHARDFLOW_EXAMPLE_DB: bench.database.name,
    SHARDFLOW_EXAMPLE_NAMESPACE: `bench-${instances}-${Date.now()}`,
  });
  await sleep(3_000);
  await pool.query('UPDATE msg_send_record SET next_select_time = NOW(3)');
  const started = Date.now();
  while ((await unsentCount(pool)) > 0) await sleep(100);
  const seconds = (Date.now() - started) / 1000;
  await stopProcesses(relays);
  return ROWS / seconds;
}

try {
  const naiveRate = await naive(bench.pool);
  const rawRate = await rawLimit(bench.pool);
  const one = await shardflow(bench.pool, 1);
  const three = await shardflow(bench.pool, 3);
  report('outbox-throughput', { rows: ROWS, naive_rows_per_s: naiveRate, raw_limit_rows_per_s: rawRate, shardflow_1_rows_per_s: one, shardflow_3_rows_per_s: three });
  report('outbox-throughput ratios', {
    '1_instance_vs_naive': one / naiveRate,
    '3_instances_vs_naive': three / naiveRate,
    '1_instance_vs_raw': one / rawRate,
    '3_instances_vs_raw': three / rawRate,
  });
} finally {
  await bench.close();
}
