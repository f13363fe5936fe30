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
 * Usage: node --conditions=@shardflow/source --import tsx bench/outbox-throughput.ts [--database mysql|postgres] [--rows 150000] [--default-heap] [--metrics-rounds 4] [--metrics-only]
 * The outbox is on MariaDB (default) or PostgreSQL (--database postgres), the naive relay and the
 * raw limit included. --metrics-rounds 0 leaves the cost of metrics out.
 * The relays get the deployment's node flags (RELAY_NODE_FLAGS); --default-heap runs them without.
 */
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { Kafka, logLevel } from 'kafkajs';
import { median, openBenchServices, report } from './support/bench-services.js';
import { benchDatabaseKind, openBenchDatabase, type BenchDatabase } from './support/bench-database.js';
import { seedOutbox, unsentCount } from './support/outbox-rows.js';
import { RELAY_NODE_FLAGS, startRelayProcesses, stopProcesses } from '../test/fixtures/relay-processes.js';

const rowsArg = process.argv.indexOf('--rows');
const ROWS = rowsArg > 0 ? Number(process.argv[rowsArg + 1]) : 150_000;
const NAIVE_ROWS = Math.min(ROWS, 5_000);
const WARM_UP_ROWS = 5_000;
const NODE_FLAGS = process.argv.includes('--default-heap') ? [] : RELAY_NODE_FLAGS;
const roundsArg = process.argv.indexOf('--metrics-rounds');
const METRICS_ROUNDS = roundsArg > 0 ? Number(process.argv[roundsArg + 1]) : 4;
const METRICS_ONLY = process.argv.includes('--metrics-only');
let scrapesAnswered = 0;
const bench = await openBenchServices(['cluster_a']);
const outboxDatabase = await openBenchDatabase(benchDatabaseKind(), { pool: bench.pool, name: bench.database.name });
const bootstrap = bench.services.addresses.kafka['cluster_a'] as string;
const kafka = new Kafka({ clientId: 'bench', brokers: [bootstrap], logLevel: logLevel.NOTHING });
const topic = `bench-throughput-${Date.now()}`;
const admin = kafka.admin();
await admin.connect();
await admin.createTopics({ topics: [{ topic, numPartitions: 4 }], waitForLeaders: true });
await admin.disconnect();

async function naive(database: BenchDatabase): Promise<number> {
  await seedOutbox(database, NAIVE_ROWS, topic);
  const producer = kafka.producer();
  await producer.connect();
  const started = Date.now();
  for (;;) {
    const rows = await database.query('SELECT id, account_no, payload FROM msg_send_record WHERE state = 0 ORDER BY id LIMIT 100');
    if (rows.length === 0) break;
    for (const row of rows) {
      await producer.send({ topic, acks: -1, messages: [{ key: String(row['account_no']), value: row['payload'] as Buffer }] });
      await database.query('UPDATE msg_send_record SET state = 1, sent_time = CURRENT_TIMESTAMP(3) WHERE id = ?', [row['id']]);
    }
  }
  const seconds = (Date.now() - started) / 1000;
  await producer.disconnect();
  return NAIVE_ROWS / seconds;
}

async function rawLimit(database: BenchDatabase): Promise<number> {
  await seedOutbox(database, ROWS, topic);
  const rows = await database.query('SELECT id, account_no, payload FROM msg_send_record ORDER BY id');
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
    const ids = rows.slice(i, i + 500).map((row) => row['id']);
    await database.query(`UPDATE msg_send_record SET state = 1, sent_time = CURRENT_TIMESTAMP(3) WHERE id IN (${ids.map(() => '?').join(', ')})`, ids);
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

async function shardflow(database: BenchDatabase, instances: number, options: { metrics?: boolean } = {}): Promise<{ fromRelease: number; drain: number; cpuMsPerThousandRows: number }> {
  await seedOutbox(database, WARM_UP_ROWS + ROWS, topic);
  // Park every row until the relays are up; release the warm-up rows, then the measured ones.
  await database.query("UPDATE msg_send_record SET next_select_time = CURRENT_TIMESTAMP(3) + INTERVAL '1' DAY");
  const metricsPort = options.metrics ? await freePort() : undefined;
  const relays = await startRelayProcesses(instances, {
    ...bench.services.env,
    ...database.env,
    SHARDFLOW_EXAMPLE_NAMESPACE: `bench-${instances}-${Date.now()}`,
    ...(metricsPort === undefined ? {} : { RELAY_METRICS_PORT: String(metricsPort) }),
  }, { nodeFlags: NODE_FLAGS });
  // Scraped every second, more often than a Prometheus would: the backlog reads and the rendering count too.
  const scraper = metricsPort === undefined ? undefined : setInterval(() => {
    void fetch(`http://127.0.0.1:${metricsPort}/metrics`).then(async (response) => {
      if (response.ok && (await response.text()).includes('shardflow_outbox_rows_sent_total')) scrapesAnswered += 1;
    }).catch(() => undefined);
  }, 1_000);
  await database.query('UPDATE msg_send_record SET next_select_time = CURRENT_TIMESTAMP(3) WHERE id <= ?', [WARM_UP_ROWS]);
  while ((await unsentCount(database)) > ROWS) await sleep(100);
  const cpuBefore = relays.reduce((sum, relay) => sum + cpuMs(relay.pid), 0);
  await database.query('UPDATE msg_send_record SET next_select_time = CURRENT_TIMESTAMP(3) WHERE id > ?', [WARM_UP_ROWS]);
  const started = Date.now();
  while ((await unsentCount(database)) > 0) await sleep(100);
  const seconds = (Date.now() - started) / 1000;
  const cpuMsPerThousandRows = ((relays.reduce((sum, relay) => sum + cpuMs(relay.pid), 0) - cpuBefore) / ROWS) * 1000;
  clearInterval(scraper);
  await stopProcesses(relays);
  const [span] = await database.query('SELECT MIN(sent_time) AS first_sent, MAX(sent_time) AS last_sent FROM msg_send_record WHERE id > ?', [WARM_UP_ROWS]);
  const drainMs = (span?.['last_sent'] as Date).getTime() - (span?.['first_sent'] as Date).getTime();
  return { fromRelease: ROWS / seconds, drain: ROWS / (drainMs / 1000), cpuMsPerThousandRows };
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
async function metricsCost(database: BenchDatabase): Promise<void> {
  const runs: Record<'without' | 'with', Array<{ fromRelease: number; drain: number; cpuMsPerThousandRows: number }>> = { without: [], with: [] };
  // ABBA order: whatever drifts along the run (the topic grows, the machine's load moves) weighs on both alike.
  for (let round = 0; round < METRICS_ROUNDS; round++) {
    const order = round % 2 === 0 ? [false, true] : [true, false];
    for (const metrics of order) (metrics ? runs.with : runs.without).push(await shardflow(database, 1, { metrics }));
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
  const naiveRate = await naive(outboxDatabase);
  const rawRate = await rawLimit(outboxDatabase);
  const one = await shardflow(outboxDatabase, 1);
  const three = await shardflow(outboxDatabase, 3);
  report('outbox-throughput', { database: outboxDatabase.kind, rows: ROWS, relay_node_flags: NODE_FLAGS.join(' ') || 'none', naive_rows_per_s: naiveRate, raw_limit_rows_per_s: rawRate });
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
  if (METRICS_ROUNDS > 0) await metricsCost(outboxDatabase);
} finally {
  await outboxDatabase.close();
  await bench.close();
}
