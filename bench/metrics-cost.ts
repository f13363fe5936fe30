/**
 * The cost of Prometheus metrics on the relay's throughput, on MariaDB: two resident relay
 * processes, one without and one with metrics (scraped every second while it relays), each on its
 * own database holding the same rows (for the second half of the pairs the databases swap roles).
 * They take turns, in pairs of short rounds whose order alternates (without-with, with-without,
 * ...); every round relays --rows rows. Each pair gives a throughput ratio (drain rate with /
 * without) and a CPU ratio (the relay process's CPU per row, with / without); the script prints the
 * median of each over the pairs, with their quartiles and range. Load on a shared machine moves
 * over seconds and minutes: a pair's two rounds, a few seconds apart, see nearly the same load, and
 * the median drops the pairs a burst hit.
 * Usage: node --conditions=@shardflow/source --import tsx bench/metrics-cost.ts [--pairs 16] [--rows 20000] [--null] [--default-heap]
 * --null runs the 'with' relay without metrics too: an A/A control, whose ratios show the noise.
 * The median drain rates are also given as ratios to the physical limit, measured first in the same
 * run: the smaller of the broker's (Kafka's own Java producer with the relay's settings, into a
 * topic of the same 4 partitions) and the database's (the relay's mark of --rows rows, at least
 * 50 000, on 4 connections, as the example relay's 4 items mark); see bench/support/physical-limit.ts.
 */
import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import mysql from 'mysql2/promise';
import { createTestDatabase } from '@shardflow/testkit';
import { median, openBenchServices, percentile, report } from './support/bench-services.js';
import { openBenchDatabase, type BenchDatabase } from './support/bench-database.js';
import { drainRate, freePort } from './support/relay-rates.js';
import { seedOutbox, unsentCount } from './support/outbox-rows.js';
import { cpuMs } from './support/process-cpu.js';
import { createKafkaTopic } from '@shardflow/testkit';
import { kafkaBrokerLimit, measurePhysicalLimit, physicalLimitFields } from './support/physical-limit.js';
import { RELAY_NODE_FLAGS, startRelayProcesses, stopProcesses } from '../test/fixtures/relay-processes.js';

const numberFlag = (flag: string, fallback: number): number => {
  const index = process.argv.indexOf(flag);
  return index > 0 ? Number(process.argv[index + 1]) : fallback;
};
const PAIRS = numberFlag('--pairs', 16);
const ROWS = numberFlag('--rows', 20_000);
// A/A control: the second relay runs without metrics too, so its ratio shows what the two sides differ by without them.
const NULL_CONTROL = process.argv.includes('--null');
const NODE_FLAGS = process.argv.includes('--default-heap') ? [] : RELAY_NODE_FLAGS;
const bench = await openBenchServices(['cluster_a']);
const bootstrap = bench.services.addresses.kafka['cluster_a'] as string;
const topic = `bench-metrics-${Date.now()}`;
const PARTITIONS = 4;
/** The example relay's items: as many pages are marked at once. */
const ITEMS = 4;
await createKafkaTopic(bootstrap, topic, PARTITIONS);

/** One of the two relays: its database (which keeps the round's rows in `bench_round_rows`), its process. */
interface MeteredSide {
  readonly database: BenchDatabase;
  readonly relay: ChildProcess;
  readonly metricsUrl: string | undefined;
}

async function startSide(database: BenchDatabase, metrics: boolean): Promise<MeteredSide> {
  await seedOutbox(database, ROWS, topic);
  await database.query('DROP TABLE IF EXISTS bench_round_rows');
  await database.query('CREATE TABLE bench_round_rows LIKE msg_send_record');
  await database.query('INSERT INTO bench_round_rows SELECT * FROM msg_send_record');
  await database.query('TRUNCATE TABLE msg_send_record');
  const metricsPort = metrics ? await freePort() : undefined;
  const [relay] = await startRelayProcesses(1, {
    ...bench.services.env,
    ...database.env,
    SHARDFLOW_EXAMPLE_NAMESPACE: `bench-metrics-${metrics ? 'with' : 'without'}-${Date.now()}`,
    ...(metricsPort === undefined ? {} : { RELAY_METRICS_PORT: String(metricsPort) }),
  }, { nodeFlags: NODE_FLAGS });
  return { database, relay: relay as ChildProcess, metricsUrl: metricsPort === undefined ? undefined : `http://127.0.0.1:${metricsPort}/metrics` };
}

/**
 * One round: the side's rows are put back as pending in one statement (so they become due at one
 * commit, while the relay keeps running), and relayed. Returns the drain rate and the relay
 * process's CPU per 1 000 rows over the round.
 */
async function relayRound(side: MeteredSide): Promise<{ drain: number; cpuMsPerThousandRows: number; scrapes: number }> {
  await side.database.query('TRUNCATE TABLE msg_send_record');
  let scrapes = 0;
  // Scraped every second, more often than a Prometheus would: the backlog reads and the rendering count too.
  const scraper = side.metricsUrl === undefined ? undefined : setInterval(() => {
    void fetch(side.metricsUrl as string).then(async (response) => {
      if (response.ok && (await response.text()).includes('shardflow_outbox_rows_sent_total')) scrapes += 1;
    }).catch(() => undefined);
  }, 1_000);
  const cpuBefore = cpuMs(side.relay.pid);
  await side.database.query('INSERT INTO msg_send_record SELECT * FROM bench_round_rows');
  while ((await unsentCount(side.database)) > 0) await sleep(100);
  const cpuMsPerThousandRows = ((cpuMs(side.relay.pid) - cpuBefore) / ROWS) * 1000;
  clearInterval(scraper);
  return { drain: await drainRate(side.database, 0), cpuMsPerThousandRows, scrapes };
}

function loadAverage(): number {
  return Number(readFileSync('/proc/loadavg', 'utf8').split(' ')[0]);
}

const second = await createTestDatabase('bench_metrics');
const secondPool = mysql.createPool({ ...second.config, connectionLimit: 4 });
const databases = [
  await openBenchDatabase('mysql', { pool: bench.pool, name: bench.database.name }),
  await openBenchDatabase('mysql', { pool: secondPool, name: second.name }),
] as const;
const sides: MeteredSide[] = [];
const pairs: Array<{ without: { drain: number; cpuMsPerThousandRows: number }; with: { drain: number; cpuMsPerThousandRows: number } }> = [];
let scrapes = 0;
const loads: number[] = [];
try {
  // First: the database's limit empties the outbox table, which each side then seeds.
  const limit = await measurePhysicalLimit((records) => kafkaBrokerLimit(bootstrap, PARTITIONS, records), { database: databases[0], topic, rows: ROWS, concurrency: ITEMS });
  // Half the pairs with metrics on the second database, half on the first (relays restarted in
  // between), so that whatever tells the two databases apart weighs on both sides alike.
  for (const [off, on] of [[databases[0], databases[1]], [databases[1], databases[0]]] as const) {
    const without = await startSide(off, false);
    sides.push(without);
    const withMetrics = await startSide(on, !NULL_CONTROL);
    sides.push(withMetrics);
    // Warm-up: one round each, not counted (a long-running relay is warm).
    await relayRound(without);
    await relayRound(withMetrics);
    for (let pair = 0; pair < PAIRS / 2; pair++) {
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
  const drainWithout = median(pairs.map((pair) => pair.without.drain));
  const drainWith = median(pairs.map((pair) => pair.with.drain));
  const cpu = pairs.map((pair) => pair.with.cpuMsPerThousandRows / pair.without.cpuMsPerThousandRows);
  const spread = (values: readonly number[]): string => `${percentile(values, 25).toFixed(3)}..${percentile(values, 75).toFixed(3)}`;
  const range = (values: readonly number[]): string => `${Math.min(...values).toFixed(3)}..${Math.max(...values).toFixed(3)}`;
  report(`metrics cost, 1 relay instance${NULL_CONTROL ? ', A/A control (no metrics on either side)' : ''}`, {
    pairs: pairs.length,
    rows_per_round: ROWS,
    scrapes_answered: scrapes,
    load_average_1m: `${Math.min(...loads).toFixed(1)}..${Math.max(...loads).toFixed(1)}`,
    drain_rows_per_s_without: drainWithout,
    drain_rows_per_s_with: drainWith,
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
  report('metrics cost, physical limit', physicalLimitFields(limit, { drain_without: drainWithout, drain_with: drainWith }));
  report('metrics cost, per pair', {
    throughput_ratios: throughput.map((ratio) => ratio.toFixed(3)).join('/'),
    cpu_ratios: cpu.map((ratio) => ratio.toFixed(3)).join('/'),
  });
} finally {
  await stopProcesses(sides.map((side) => side.relay));
  await secondPool.end();
  await second.drop();
  await bench.close();
}
