/**
 * Relay throughput with 1 KB payloads, measured side by side in one run:
 * - naive: the seed's relay (fetch 100, send one at a time, UPDATE one row at a time);
 * - raw limit: kafkajs batched sends of every row alone, plus batched UPDATEs alone;
 * - shardflow with 1 and 3 relay instances (separate OS processes, ZooKeeper-coordinated, 4 items);
 * - the cost of metrics: two resident relay processes, one without and one with Prometheus metrics
 *   (scraped every second while it relays), each on its own database holding the same rows (for
 *   the second half of the pairs the databases swap roles). They take turns, in pairs of short
 *   rounds whose order alternates (without-with, with-without, ...); every round relays
 *   --metrics-rows rows. Each pair gives a throughput ratio (drain rate with / without) and a CPU
 *   ratio (the relay process's CPU per row, with / without); the script prints the median of each over the pairs, with their
 *   quartiles and range. Load on a shared machine moves over seconds and minutes: a pair's two
 *   rounds, a few seconds apart, see nearly the same load, and the median drops the pairs a burst hit.
 * The naive relay's rate does not depend on the row count, so it relays at most 5 000 rows. The
 * relay processes first relay 5 000 warm-up rows, as a long-running relay is warm, and the raw
 * limit runs in this process after the naive relay warmed its Kafka client.
 * Usage: node --conditions=@shardflow/source --import tsx bench/outbox-throughput.ts [--rows 150000] [--default-heap]
 *          [--metrics-pairs 16] [--metrics-rows 20000] [--metrics-only] [--metrics-null]
 * --metrics-null runs the 'with' relay without metrics too: an A/A control, whose ratios show the noise.
 * The relays get the deployment's node flags (RELAY_NODE_FLAGS); --default-heap runs them without.
 */
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { Kafka, logLevel } from 'kafkajs';
import mysql, { type Pool, type RowDataPacket } from 'mysql2/promise';
import type { ChildProcess } from 'node:child_process';
import { createTestDatabase } from '@shardflow/testkit';
import { median, openBenchServices, percentile, report } from './support/bench-services.js';
import { seedOutbox, unsentCount } from './support/outbox-rows.js';
import { cpuMs } from './support/process-cpu.js';
import { RELAY_NODE_FLAGS, startRelayProcesses, stopProcesses } from '../test/fixtures/relay-processes.js';

const rowsArg = process.argv.indexOf('--rows');
const ROWS = rowsArg > 0 ? Number(process.argv[rowsArg + 1]) : 150_000;
const NAIVE_ROWS = Math.min(ROWS, 5_000);
const WARM_UP_ROWS = 5_000;
const NODE_FLAGS = process.argv.includes('--default-heap') ? [] : RELAY_NODE_FLAGS;
const numberFlag = (flag: string, fallback: number): number => {
  const index = process.argv.indexOf(flag);
  return index > 0 ? Number(process.argv[index + 1]) : fallback;
};
const METRICS_PAIRS = numberFlag('--metrics-pairs', 16);
const METRICS_ROWS = numberFlag('--metrics-rows', 20_000);
const METRICS_ONLY = process.argv.includes('--metrics-only');
// A/A control: the second relay runs without metrics too, so its ratio shows what the two sides differ by without them.
const METRICS_NULL = process.argv.includes('--metrics-null');
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
  return { fromRelease: ROWS / seconds, drain: await drainRate(pool, WARM_UP_ROWS) };
}

/** Rows per second from the first of the rows after `afterId` marked sent to the last. */
async function drainRate(pool: Pool, afterId: number): Promise<number> {
  const [[span]] = await pool.query<RowDataPacket[]>(
    'SELECT COUNT(*) AS n, TIMESTAMPDIFF(MICROSECOND, MIN(sent_time), MAX(sent_time)) AS us FROM msg_send_record WHERE id > ?', [afterId]);
  return Number(span?.['n']) / (Number(span?.['us']) / 1e6);
}

/** A port nothing listens on right now, for one relay's metrics server. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** One of the two relays of the metrics comparison: its database (which keeps the round's rows in `bench_round_rows`), its process. */
interface MeteredSide {
  readonly pool: Pool;
  readonly relay: ChildProcess;
  readonly metricsUrl: string | undefined;
}

async function startSide(pool: Pool, databaseName: string, metrics: boolean): Promise<MeteredSide> {
  await seedOutbox(pool, METRICS_ROWS, topic);
  await pool.query('DROP TABLE IF EXISTS bench_round_rows');
  await pool.query('CREATE TABLE bench_round_rows LIKE msg_send_record');
  await pool.query('INSERT INTO bench_round_rows SELECT * FROM msg_send_record');
  await pool.query('TRUNCATE TABLE msg_send_record');
  const metricsPort = metrics ? await freePort() : undefined;
  const [relay] = await startRelayProcesses(1, {
    ...bench.services.env,
    SHARDFLOW_EXAMPLE_DB: databaseName,
    SHARDFLOW_EXAMPLE_NAMESPACE: `bench-metrics-${metrics ? 'with' : 'without'}-${Date.now()}`,
    ...(metricsPort === undefined ? {} : { RELAY_METRICS_PORT: String(metricsPort) }),
  }, { nodeFlags: NODE_FLAGS });
  return { pool, relay: relay as ChildProcess, metricsUrl: metricsPort === undefined ? undefined : `http://127.0.0.1:${metricsPort}/metrics` };
}

/**
 * One round: the side's rows are put back as pending in one statement (so they become due at one
 * commit, while the relay keeps running), and relayed. Returns the drain rate and the relay
 * process's CPU per 1 000 rows over the round.
 */
async function relayRound(side: MeteredSide): Promise<{ drain: number; cpuMsPerThousandRows: number; scrapes: number }> {
  await side.pool.query('TRUNCATE TABLE msg_send_record');
  let scrapes = 0;
  // Scraped every second, more often than a Prometheus would: the backlog reads and the rendering count too.
  const scraper = side.metricsUrl === undefined ? undefined : setInterval(() => {
    void fetch(side.metricsUrl as string).then(async (response) => {
      if (response.ok && (await response.text()).includes('shardflow_outbox_rows_sent_total')) scrapes += 1;
    }).catch(() => undefined);
  }, 1_000);
  const cpuBefore = cpuMs(side.relay.pid);
  await side.pool.query('INSERT INTO msg_send_record SELECT * FROM bench_round_rows');
  while ((await unsentCount(side.pool)) > 0) await sleep(100);
  const cpuMsPerThousandRows = ((cpuMs(side.relay.pid) - cpuBefore) / METRICS_ROWS) * 1000;
  clearInterval(scraper);
  return { drain: await drainRate(side.pool, 0), cpuMsPerThousandRows, scrapes };
}

/** One relay without and one with metrics, taking turns in pairs of rounds; medians of the per-pair ratios. */
async function metricsCost(): Promise<void> {
  const second = await createTestDatabase('bench_metrics');
  const secondPool = mysql.createPool({ ...second.config, connectionLimit: 4 });
  const databases = [{ pool: bench.pool, name: bench.database.name }, { pool: secondPool, name: second.name }] as const;
  const sides: MeteredSide[] = [];
  const pairs: Array<{ without: { drain: number; cpuMsPerThousandRows: number }; with: { drain: number; cpuMsPerThousandRows: number } }> = [];
  let scrapes = 0;
  const loads: number[] = [];
  try {
    // Half the pairs with metrics on the second database, half on the first (relays restarted in
    // between), so that whatever tells the two databases apart weighs on both sides alike.
    for (const [off, on] of [[databases[0], databases[1]], [databases[1], databases[0]]] as const) {
      const without = await startSide(off.pool, off.name, false);
      sides.push(without);
      const withMetrics = await startSide(on.pool, on.name, !METRICS_NULL);
      sides.push(withMetrics);
      // Warm-up: one round each, not counted (a long-running relay is warm).
      await relayRound(without);
      await relayRound(withMetrics);
      for (let pair = 0; pair < METRICS_PAIRS / 2; pair++) {
        loads.push(loadAverage());
        // Alternate which goes first, so that a trend within a pair (the topic grows, load builds) weighs on both alike.
        const first = pair % 2 === 0 ? without : withMetrics;
        const a = await relayRound(first);
        const b = await relayRound(first === without ? withMetrics : without);
        const [offRound, onRound] = first === without ? [a, b] : [b, a];
        scrapes += onRound.scrapes;
        pairs.push({ without: offRound, with: onRound });
      }
      await stopProcesses(sides.splice(0).map((side) => side.relay));
    }
    const throughput = pairs.map((pair) => pair.with.drain / pair.without.drain);
    const cpu = pairs.map((pair) => pair.with.cpuMsPerThousandRows / pair.without.cpuMsPerThousandRows);
    const spread = (values: readonly number[]): string => `${percentile(values, 25).toFixed(3)}..${percentile(values, 75).toFixed(3)}`;
    const range = (values: readonly number[]): string => `${Math.min(...values).toFixed(3)}..${Math.max(...values).toFixed(3)}`;
    report(`outbox-throughput metrics cost, 1 instance${METRICS_NULL ? ', A/A control (no metrics on either side)' : ''}`, {
      pairs: pairs.length,
      rows_per_round: METRICS_ROWS,
      scrapes_answered: scrapes,
      load_average_1m: `${Math.min(...loads).toFixed(1)}..${Math.max(...loads).toFixed(1)}`,
      drain_rows_per_s_without: median(pairs.map((pair) => pair.without.drain)),
      drain_rows_per_s_with: median(pairs.map((pair) => pair.with.drain)),
      throughput_ratio_median: median(throughput).toFixed(3),
      throughput_ratio_quartiles: spread(throughput),
      throughput_ratio_range: range(throughput),
      throughput_cost_percent: (1 - median(throughput)) * 100,
      relay_cpu_ms_per_1000_rows_without: median(pairs.map((pair) => pair.without.cpuMsPerThousandRows)),
      relay_cpu_ms_per_1000_rows_with: median(pairs.map((pair) => pair.with.cpuMsPerThousandRows)),
      cpu_ratio_median: median(cpu).toFixed(3),
      cpu_ratio_quartiles: spread(cpu),
      cpu_ratio_range: range(cpu),
      cpu_cost_percent: (median(cpu) - 1) * 100,
    });
    report('outbox-throughput metrics cost, per pair', {
      throughput_ratios: throughput.map((ratio) => ratio.toFixed(3)).join('/'),
      cpu_ratios: cpu.map((ratio) => ratio.toFixed(3)).join('/'),
    });
  } finally {
    await stopProcesses(sides.map((side) => side.relay));
    await secondPool.end();
    await second.drop();
  }
}

function loadAverage(): number {
  return Number(readFileSync('/proc/loadavg', 'utf8').split(' ')[0]);
}

/** The comparison of the seed's relay, the raw limit and shardflow with 1 and 3 instances. */
async function relayComparison(): Promise<void> {
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
}

try {
  if (!METRICS_ONLY) await relayComparison();
  await metricsCost();
} finally {
  await bench.close();
}
