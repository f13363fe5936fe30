/**
 * Relay throughput with 1 KB payloads, measured side by side in one run:
 * - naive: the seed's relay (fetch 100, send one at a time, UPDATE one row at a time);
 * - raw limit: kafkajs batched sends of every row alone, plus batched UPDATEs alone;
 * - shardflow with 1 and 3 relay instances (separate OS processes, ZooKeeper-coordinated, 4 items).
 * The naive relay's rate does not depend on the row count, so it relays at most 5 000 rows. The
 * relay processes first relay 5 000 warm-up rows, as a long-running relay is warm, and the raw
 * limit runs in this process after the naive relay warmed its Kafka client.
 * Usage: node --conditions=@shardflow/source --import tsx bench/outbox-throughput.ts [--rows 150000] [--default-heap]
 * The relays get the deployment's node flags (RELAY_NODE_FLAGS); --default-heap runs them without.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { Kafka, logLevel } from 'kafkajs';
import type { Pool, RowDataPacket } from 'mysql2/promise';
import { openBenchServices, report } from './support/bench-services.js';
import { seedOutbox, unsentCount } from './support/outbox-rows.js';
import { RELAY_NODE_FLAGS, startRelayProcesses, stopProcesses } from '../test/fixtures/relay-processes.js';

const rowsArg = process.argv.indexOf('--rows');
const ROWS = rowsArg > 0 ? Number(process.argv[rowsArg + 1]) : 150_000;
const NAIVE_ROWS = Math.min(ROWS, 5_000);
const WARM_UP_ROWS = 5_000;
const NODE_FLAGS = process.argv.includes('--default-heap') ? [] : RELAY_NODE_FLAGS;
const bench = await openBenchServices(['cluster_a']);
const bootstrap = bench.services.addresses.kafka['cluster_a'] as string;
const kafka = new Kafka({ clientId: 'bench', brokers: [bootstrap], logLevel: logLevel.NOTHING });
const topic = `bench-throughput-${Date.now()}`;
const admin = kafka.admin();
await admin.connect();
await admin.createTopics({ topics: [{ topic, numPartitions: 4 }], waitForLeaders: true });
await admin.disconnect();

async function naive(pool: Pool): Promise<number> {
  await seedOutbox(pool, NAIVE_ROWS, topic);
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
  return NAIVE_ROWS / seconds;
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

/**
 * Two rates over the measured rows: from the moment they are released (this includes the wait for
 * the relay's next cron fire, up to 1 s here) and the drain rate from the first of them marked sent
 * to the last.
 */
async function shardflow(pool: Pool, instances: number): Promise<{ fromRelease: number; drain: number }> {
  await seedOutbox(pool, WARM_UP_ROWS + ROWS, topic);
  // Park every row until the relays are up; release the warm-up rows, then the measured ones.
  await pool.query('UPDATE msg_send_record SET next_select_time = NOW(3) + INTERVAL 1 DAY');
  const relays = await startRelayProcesses(instances, {
    ...bench.services.env,
    SHARDFLOW_EXAMPLE_DB: bench.database.name,
    SHARDFLOW_EXAMPLE_NAMESPACE: `bench-${instances}-${Date.now()}`,
  }, { nodeFlags: NODE_FLAGS });
  await pool.query('UPDATE msg_send_record SET next_select_time = NOW(3) WHERE id <= ?', [WARM_UP_ROWS]);
  while ((await unsentCount(pool)) > ROWS) await sleep(100);
  await pool.query('UPDATE msg_send_record SET next_select_time = NOW(3) WHERE id > ?', [WARM_UP_ROWS]);
  const started = Date.now();
  while ((await unsentCount(pool)) > 0) await sleep(100);
  const seconds = (Date.now() - started) / 1000;
  await stopProcesses(relays);
  const [[span]] = await pool.query<RowDataPacket[]>(
    'SELECT TIMESTAMPDIFF(MICROSECOND, MIN(sent_time), MAX(sent_time)) AS us FROM msg_send_record WHERE id > ?', [WARM_UP_ROWS]);
  return { fromRelease: ROWS / seconds, drain: ROWS / (Number(span?.['us']) / 1e6) };
}

try {
  const naiveRate = await naive(bench.pool);
  const rawRate = await rawLimit(bench.pool);
  const one = await shardflow(bench.pool, 1);
  const three = await shardflow(bench.pool, 3);
  report('outbox-throughput', { rows: ROWS, relay_node_flags: NODE_FLAGS.join(' ') || 'none', naive_rows_per_s: naiveRate, raw_limit_rows_per_s: rawRate });
  for (const [instances, rates] of [[1, one], [3, three]] as const) {
    report(`outbox-throughput ${instances} instance(s)`, {
      from_release_rows_per_s: rates.fromRelease,
      drain_rows_per_s: rates.drain,
      from_release_vs_naive: rates.fromRelease / naiveRate,
      from_release_vs_raw: rates.fromRelease / rawRate,
      drain_vs_raw: rates.drain / rawRate,
    });
  }
} finally {
  await bench.close();
}
