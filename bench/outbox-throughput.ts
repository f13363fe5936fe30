/**
 * Relay throughput with 1 KB payloads, measured side by side in one run:
 * - naive: the seed's relay (fetch 100, send one at a time, UPDATE one row at a time);
 * - raw limit: kafkajs batched sends of every row alone, plus batched UPDATEs alone;
 * - physical limit: the smaller of the broker's (Kafka's own Java producer benchmark with the
 *   relay's settings) and the database's (the relay's mark of as many rows, at least 50 000, on 4 connections), see
 *   bench/broker-limit.ts; every rate is also printed as a ratio to it;
 * - shardflow with 1 and 3 relay instances (separate OS processes, ZooKeeper-coordinated, 4 items).
 * The naive relay's rate does not depend on the row count, so it relays at most 5 000 rows. The
 * relay processes first relay 30 000 warm-up rows each, as a long-running relay is warm (three
 * instances share 90 000: each must be as warm as the one), and the raw limit runs in this process
 * after the naive relay warmed its Kafka client. The measured rows are seeded due a little later
 * and the database settled before the relays start (bench/support/outbox-rows.ts says why).
 * For 1 and 3 instances it also prints what the measured rows cost, per 1 000 rows: the relays' CPU
 * time, ZooKeeper requests (the server's received packets) and, on MariaDB, database statements and
 * InnoDB row lock waits (server-wide counters: on a shared database server they include its other
 * clients); these hardly depend on how busy the machine is, and model separate machines.
 * The cost of metrics has its own script, bench/metrics-cost.ts.
 * Usage: node --conditions=@shardflow/source --import tsx bench/outbox-throughput.ts [--database mysql|postgres] [--rows 150000] [--default-heap]
 * The outbox is on MariaDB (default) or PostgreSQL (--database postgres), the naive relay and the
 * raw limit included.
 * The relays get the deployment's node flags (RELAY_NODE_FLAGS); --default-heap runs them without.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { Kafka, logLevel } from 'kafkajs';
import { fourLetterWord } from '@shardflow/testkit';
import { openBenchServices, report } from './support/bench-services.js';
import { benchDatabaseKind, openBenchDatabase, type BenchDatabase } from './support/bench-database.js';
import { seedOutbox, seedWarmUpAndMeasured, waitForMeasuredRows, waitUntilSent } from './support/outbox-rows.js';
import { createKafkaTopic } from '@shardflow/testkit';
import { kafkaBrokerLimit, measurePhysicalLimit, physicalLimitFields } from './support/physical-limit.js';
import { cpuMs } from './support/process-cpu.js';
import { drainRate } from './support/relay-rates.js';
import { RELAY_NODE_FLAGS, startRelayProcesses, stopProcesses } from '../test/fixtures/relay-processes.js';

const rowsArg = process.argv.indexOf('--rows');
const ROWS = rowsArg > 0 ? Number(process.argv[rowsArg + 1]) : 150_000;
const NAIVE_ROWS = Math.min(ROWS, 5_000);
/**
 * Rows each relay process relays before the measured ones: V8 optimises the code a page runs after
 * tens of pages (see bench/broker-limit.ts), and an instance of three relays a third of the rows.
 */
const WARM_UP_ROWS_PER_INSTANCE = 30_000;
/** How long the relays' CPU is read while nothing is due, after the measured rows are sent. */
const IDLE_MS = 5_000;
const NODE_FLAGS = process.argv.includes('--default-heap') ? [] : RELAY_NODE_FLAGS;
const bench = await openBenchServices(['cluster_a']);
const outboxDatabase = await openBenchDatabase(benchDatabaseKind(), { pool: bench.pool, name: bench.database.name });
const bootstrap = bench.services.addresses.kafka['cluster_a'] as string;
const kafka = new Kafka({ clientId: 'bench', brokers: [bootstrap], logLevel: logLevel.NOTHING });
const topic = `bench-throughput-${Date.now()}`;
const PARTITIONS = 4;
/** The example relay's items: as many pages are marked at once. */
const ITEMS = 4;

await createKafkaTopic(bootstrap, topic, PARTITIONS);

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

type Counter = 'zkPackets' | 'selects' | 'updates' | 'rowLockWaits';

/**
 * Counters that only grow: ZooKeeper's received packets and, on MariaDB, the server's statements
 * and row lock waits (PostgreSQL's statistics are flushed late and per database: left out).
 */
async function counters(database: BenchDatabase): Promise<Partial<Record<Counter, number>>> {
  const [host, port] = (bench.services.addresses.zookeeper.split(',')[0] as string).split(':');
  const zkPackets = Number(/Received: (\d+)/.exec(await fourLetterWord(host as string, Number(port), 'srvr'))?.[1]);
  if (database.kind !== 'mysql') return { zkPackets };
  const status = await database.query("SHOW GLOBAL STATUS WHERE Variable_name IN ('Com_select', 'Com_update', 'Innodb_row_lock_waits')");
  const value = (name: string): number => Number(status.find((row) => row['Variable_name'] === name)?.['Value']);
  return { zkPackets, selects: value('Com_select'), updates: value('Com_update'), rowLockWaits: value('Innodb_row_lock_waits') };
}

interface RunCosts {
  readonly fromDue: number;
  readonly drain: number;
  readonly cpuMsPerThousandRows: number;
  /** The relays' CPU time per second together with nothing due, after the drain (their cron, ZooKeeper, Kafka and pool upkeep). */
  readonly idleCpuMsPerSecond: number;
  /** Per 1 000 measured rows, over the drain (the benchmark's own polling of the unsent count included: 10 SELECTs a second). */
  readonly perThousandRows: Partial<Record<Counter, number>>;
}

/**
 * Two rates over the measured rows: from the moment they are due (this includes the wait for the
 * relay's next cron fire, up to 1 s here) and the drain rate from the first of them marked sent to
 * the last; and what they cost.
 */
async function shardflow(database: BenchDatabase, instances: number): Promise<RunCosts> {
  const warmUp = WARM_UP_ROWS_PER_INSTANCE * instances;
  // The relays start in 5-8 s here and warm up at 20 000-40 000 rows/s.
  await seedWarmUpAndMeasured(database, topic, warmUp, ROWS, 12 + warmUp / 10_000);
  const relays = await startRelayProcesses(instances, {
    ...bench.services.env,
    ...database.env,
    SHARDFLOW_EXAMPLE_NAMESPACE: `bench-${instances}-${Date.now()}`,
  }, { nodeFlags: NODE_FLAGS });
  const relaysCpuMs = (): number => relays.reduce((sum, relay) => sum + cpuMs(relay.pid), 0);
  try {
    await waitForMeasuredRows(database, warmUp);
    const cpuBefore = relaysCpuMs();
    const countersBefore = await counters(database);
    const started = Date.now();
    await waitUntilSent(database);
    const seconds = (Date.now() - started) / 1000;
    const countersAfter = await counters(database);
    const perThousandRows = Object.fromEntries(Object.entries(countersAfter).map(([name, after]) =>
      [name, ((after - (countersBefore[name as Counter] ?? 0)) / ROWS) * 1000]));
    const cpuMsPerThousandRows = ((relaysCpuMs() - cpuBefore) / ROWS) * 1000;
    await sleep(1_000);
    const idleFrom = { cpu: relaysCpuMs(), at: Date.now() };
    await sleep(IDLE_MS);
    const idleCpuMsPerSecond = ((relaysCpuMs() - idleFrom.cpu) / (Date.now() - idleFrom.at)) * 1000;
    return { fromDue: ROWS / seconds, drain: await drainRate(database, warmUp), cpuMsPerThousandRows, idleCpuMsPerSecond, perThousandRows };
  } finally {
    await stopProcesses(relays);
  }
}

try {
  const naiveRate = await naive(outboxDatabase);
  const rawRate = await rawLimit(outboxDatabase);
  const limit = await measurePhysicalLimit((records) => kafkaBrokerLimit(bootstrap, PARTITIONS, records), { database: outboxDatabase, topic, rows: ROWS, concurrency: ITEMS });
  const one = await shardflow(outboxDatabase, 1);
  const three = await shardflow(outboxDatabase, 3);
  report('outbox-throughput', {
    database: outboxDatabase.kind, rows: ROWS, relay_node_flags: NODE_FLAGS.join(' ') || 'none', naive_rows_per_s: naiveRate, raw_limit_rows_per_s: rawRate,
    ...physicalLimitFields(limit, { naive: naiveRate, raw_limit: rawRate }),
  });
  for (const [instances, rates] of [[1, one], [3, three]] as const) {
    report(`outbox-throughput ${instances} instance(s)`, {
      from_due_rows_per_s: rates.fromDue,
      drain_rows_per_s: rates.drain,
      from_due_vs_naive: rates.fromDue / naiveRate,
      from_due_vs_raw: rates.fromDue / rawRate,
      drain_vs_raw: rates.drain / rawRate,
      drain_vs_physical: rates.drain / limit.physical,
    });
    report(`outbox-throughput ${instances} instance(s), per 1000 rows`, {
      relay_cpu_ms: rates.cpuMsPerThousandRows,
      relays_idle_cpu_ms_per_s: rates.idleCpuMsPerSecond,
      drain_seconds: ROWS / rates.drain,
      zookeeper_packets: rates.perThousandRows.zkPackets ?? 'n/a',
      db_selects: rates.perThousandRows.selects ?? 'n/a',
      db_updates: rates.perThousandRows.updates ?? 'n/a',
      row_lock_waits: rates.perThousandRows.rowLockWaits ?? 'n/a',
    });
  }
  report('outbox-throughput 3 vs 1 instance', { from_due: three.fromDue / one.fromDue, drain: three.drain / one.drain });
} finally {
  await outboxDatabase.close();
  await bench.close();
}
