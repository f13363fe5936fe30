/**
 * Relay throughput with 1 KB payloads, measured side by side in one run:
 * - naive: the seed's relay (fetch 100, send one at a time, UPDATE one row at a time);
 * - raw limit: kafkajs batched sends of every row alone, plus batched UPDATEs alone;
 * - shardflow with 1 and 3 relay instances (separate OS processes, ZooKeeper-coordinated, 4 items);
 * - the cost of metrics: 1 instance without and with Prometheus metrics (scraped every second),
 *   alternated (ABBA) over --metrics-rounds rounds (default 4), with the relay's CPU time per row,
 *   which a busy machine disturbs far less than the rate.
 * The naive relay's rate does not depend on the row count, so it relays at most 5 000 rows. The
 * relay processes first relay 5 000 warm-up rows, as a long-running relay is warm, and the raw
 * limit runs in this process after the naive relay warmed its Kafka client.
 * Usage: node --conditions=@shardflow/source --import tsx bench/outbox-throughput.ts [--rows 150000] [--default-heap] [--metrics-rounds 4] [--metrics-only]
 * The relays get the deployment's node flags (RELAY_NODE_FLAGS); --default-heap runs them without.
 * For 1 and 3 instances it also prints what the measured rows cost, per 1 000 rows: the relays' CPU
 * time, ZooKeeper requests (the server's received packets), database statements and InnoDB row
 * lock waits (server-wide counters: on a shared database server they include its other clients);
 * these hardly depend on how busy the machine is, and model separate machines.
 */
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { Kafka, logLevel } from 'kafkajs';
import type { Pool, RowDataPacket } from 'mysql2/promise';
import { fourLetterWord } from '@shardflow/testkit';
import { median, openBenchServices, report } from './support/bench-services.js';
import { seedOutbox, unsentCount } from './support/outbox-rows.js';
import { RELAY_NODE_FLAGS, startRelayProcesses, stopProcesses } from '../test/fixtures/relay-processes.js';

const rowsArg = process.argv.indexOf('--rows');
const ROWS = rowsArg > 0 ? Number(process.argv[rowsArg + 1]) : 150_000;
const NAIVE_ROWS = Math.min(ROWS, 5_000);
const WARM_UP_ROWS = 5_000;
/** How long the relays' CPU is read while nothing is due, before the warm-up rows. */
const IDLE_MS = 5_000;
const NODE_FLAGS = process.argv.includes('--default-heap') ? [] : RELAY_NODE_FLAGS;
const roundsArg = process.argv.indexOf('--metrics-rounds');
const METRICS_ROUNDS = roundsArg > 0 ? Number(process.argv[roundsArg + 1]) : 4;
const METRICS_ONLY = process.argv.includes('--metrics-only');
let scrapesAnswered = 0;
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
/** CPU time (user + system) a process has used so far, ms, from /proc; a busy machine slows a process but hardly changes this. */
function cpuMs(pid: number | undefined): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /, '').split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
}

/** Counters that only grow: ZooKeeper's received packets, the database's statements and row lock waits. */
async function counters(pool: Pool): Promise<Record<'zkPackets' | 'selects' | 'updates' | 'rowLockWaits', number>> {
  const [host, port] = (bench.services.addresses.zookeeper.split(',')[0] as string).split(':');
  const received = /Received: (\d+)/.exec(await fourLetterWord(host as string, Number(port), 'srvr'))?.[1];
  const [status] = await pool.query<RowDataPacket[]>("SHOW GLOBAL STATUS WHERE Variable_name IN ('Com_select', 'Com_update', 'Innodb_row_lock_waits')");
  const value = (name: string): number => Number(status.find((row) => row['Variable_name'] === name)?.['Value']);
  return { zkPackets: Number(received), selects: value('Com_select'), updates: value('Com_update'), rowLockWaits: value('Innodb_row_lock_waits') };
}

interface RunCosts {
  readonly fromRelease: number;
  readonly drain: number;
  readonly cpuMsPerThousandRows: number;
  /** The relays' CPU time per second together while they run with nothing due (their cron, ZooKeeper, Kafka and pool upkeep). */
  readonly idleCpuMsPerSecond: number;
  /** Per 1 000 measured rows, over the drain (the benchmark's own polling of the unsent count included: 10 SELECTs a second). */
  readonly perThousandRows: Record<'zkPackets' | 'selects' | 'updates' | 'rowLockWaits', number>;
}

async function shardflow(pool: Pool, instances: number, options: { metrics?: boolean } = {}): Promise<RunCosts> {
  await seedOutbox(pool, WARM_UP_ROWS + ROWS, topic);
  // Park every row until the relays are up; release the warm-up rows, then the measured ones.
  await pool.query('UPDATE msg_send_record SET next_select_time = NOW(3) + INTERVAL 1 DAY');
  const metricsPort = options.metrics ? await freePort() : undefined;
  const relays = await startRelayProcesses(instances, {
    ...bench.services.env,
    SHARDFLOW_EXAMPLE_DB: bench.database.name,
    SHARDFLOW_EXAMPLE_NAMESPACE: `bench-${instances}-${Date.now()}`,
    ...(metricsPort === undefined ? {} : { RELAY_METRICS_PORT: String(metricsPort) }),
  }, { nodeFlags: NODE_FLAGS });
  // Scraped every second, more often than a Prometheus would: the backlog reads and the rendering count too.
  const scraper = metricsPort === undefined ? undefined : setInterval(() => {
    void fetch(`http://127.0.0.1:${metricsPort}/metrics`).then(async (response) => {
      if (response.ok && (await response.text()).includes('shardflow_outbox_rows_sent_total')) scrapesAnswered += 1;
    }).catch(() => undefined);
  }, 1_000);
  const idleFrom = { cpu: relays.reduce((sum, relay) => sum + cpuMs(relay.pid), 0), at: Date.now() };
  await sleep(IDLE_MS);
  const idleCpuMsPerSecond = ((relays.reduce((sum, relay) => sum + cpuMs(relay.pid), 0) - idleFrom.cpu) / (Date.now() - idleFrom.at)) * 1000;
  await pool.query('UPDATE msg_send_record SET next_select_time = NOW(3) WHERE id <= ?', [WARM_UP_ROWS]);
  while ((await unsentCount(pool)) > ROWS) await sleep(100);
  const cpuBefore = relays.reduce((sum, relay) => sum + cpuMs(relay.pid), 0);
  const countersBefore = await counters(pool);
  await pool.query('UPDATE msg_send_record SET next_select_time = NOW(3) WHERE id > ?', [WARM_UP_ROWS]);
  const started = Date.now();
  while ((await unsentCount(pool)) > 0) await sleep(100);
  const seconds = (Date.now() - started) / 1000;
  const countersAfter = await counters(pool);
  const perThousandRows = Object.fromEntries(Object.entries(countersAfter).map(([name, after]) =>
    [name, ((after - countersBefore[name as keyof typeof countersBefore]) / ROWS) * 1000])) as RunCosts['perThousandRows'];
  const cpuMsPerThousandRows = ((relays.reduce((sum, relay) => sum + cpuMs(relay.pid), 0) - cpuBefore) / ROWS) * 1000;
  clearInterval(scraper);
  await stopProcesses(relays);
  const [[span]] = await pool.query<RowDataPacket[]>(
    'SELECT TIMESTAMPDIFF(MICROSECOND, MIN(sent_time), MAX(sent_time)) AS us FROM msg_send_record WHERE id > ?', [WARM_UP_ROWS]);
  return { fromRelease: ROWS / seconds, drain: ROWS / (Number(span?.['us']) / 1e6), cpuMsPerThousandRows, idleCpuMsPerSecond, perThousandRows };
}

/** A port nothing listens on right now, for one relay's metrics server. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** One relay instance without and with metrics, alternated; medians of each. */
async function metricsCost(pool: Pool): Promise<void> {
  const runs: Record<'without' | 'with', RunCosts[]> = { without: [], with: [] };
  // ABBA order: whatever drifts along the run (the topic grows, the machine's load moves) weighs on both alike.
  for (let round = 0; round < METRICS_ROUNDS; round++) {
    const order = round % 2 === 0 ? [false, true] : [true, false];
    for (const metrics of order) (metrics ? runs.with : runs.without).push(await shardflow(pool, 1, { metrics }));
  }
  const drain = { without: median(runs.without.map((run) => run.drain)), with: median(runs.with.map((run) => run.drain)) };
  const cpu = { without: median(runs.without.map((run) => run.cpuMsPerThousandRows)), with: median(runs.with.map((run) => run.cpuMsPerThousandRows)) };
  const fromRelease = { without: median(runs.without.map((run) => run.fromRelease)), with: median(runs.with.map((run) => run.fromRelease)) };
  report('outbox-throughput metrics cost, 1 instance', {
    rounds: METRICS_ROUNDS,
    scrapes_answered: scrapesAnswered,
    drain_without: drain.without,
    drain_with: drain.with,
    drain_cost_percent: (1 - drain.with / drain.without) * 100,
    from_release_without: fromRelease.without,
    from_release_with: fromRelease.with,
    from_release_cost_percent: (1 - fromRelease.with / fromRelease.without) * 100,
    relay_cpu_ms_per_1000_rows_without: cpu.without,
    relay_cpu_ms_per_1000_rows_with: cpu.with,
    relay_cpu_cost_percent: (cpu.with / cpu.without - 1) * 100,
    cpu_runs_without: runs.without.map((run) => run.cpuMsPerThousandRows.toFixed(1)).join('/'),
    cpu_runs_with: runs.with.map((run) => run.cpuMsPerThousandRows.toFixed(1)).join('/'),
    drain_runs_without: runs.without.map((run) => Math.round(run.drain)).join('/'),
    drain_runs_with: runs.with.map((run) => Math.round(run.drain)).join('/'),
  });
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
    report(`outbox-throughput ${instances} instance(s), per 1000 rows`, {
      relay_cpu_ms: rates.cpuMsPerThousandRows,
      relays_idle_cpu_ms_per_s: rates.idleCpuMsPerSecond,
      drain_seconds: ROWS / rates.drain,
      zookeeper_packets: rates.perThousandRows.zkPackets,
      db_selects: rates.perThousandRows.selects,
      db_updates: rates.perThousandRows.updates,
      row_lock_waits: rates.perThousandRows.rowLockWaits,
    });
  }
  report('outbox-throughput 3 vs 1 instance', { from_release: three.fromRelease / one.fromRelease, drain: three.drain / one.drain });
}

try {
  if (!METRICS_ONLY) await relayComparison();
  await metricsCost(bench.pool);
} finally {
  await bench.close();
}
