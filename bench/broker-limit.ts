/**
 * The machine's physical limit for relaying 1 KB rows, and the relay's ratio to it with each Kafka
 * driver, measured side by side in one run:
 * - broker: Kafka's own Java producer benchmark (ProducerPerformance, from the tools of the
 *   broker's version) against the same broker, with the relay's settings: acks=all, idempotence,
 *   1 KB records, the same 4 partitions, one request in flight (as kafkajs sends), batches of
 *   128 records per partition (a 500-row page over 4 partitions) and 5 ms linger;
 * - database: the relay's primary-key UPDATE of the same rows (state, sent_time, last_error,
 *   fence_epoch; WHERE id IN (...) AND state AND fence), 500 ids a statement, on 4 connections at
 *   once, as the relay's 4 items mark;
 * - the physical limit is the smaller of the two;
 * - the relay without a broker: the relay's own fetches and marks of the same rows through a sink
 *   that takes every message at once (4 items in this process), its database work alone;
 * - the relay: one example relay process (4 items, ZooKeeper-coordinated), with kafkajs and with
 *   @platformatic/kafka, alternated (ABBA) over the rounds; each first relays 30 000 warm-up rows,
 *   then the measured rows, which were seeded due a few seconds later (written once, as business
 *   code writes them, and not released by an UPDATE that would leave the database purging the old
 *   index entries during the drain).
 * Each round measures all four; the ratios are of the same round, then their medians. Each relay's
 * CPU time per 1 000 rows is printed too (a busy machine moves rates far more than it), and how
 * busy the machine's cores were in all while it drained: near 1, the relay's pace was the machine's.
 * @platformatic/kafka needs Node.js >= 22.22 or >= 24.6, and the relays run on this script's Node:
 *   PATH="$(scripts/node-from-npm.sh 24):$PATH" node --conditions=@shardflow/source --import tsx bench/broker-limit.ts [--database mysql|postgres] [--rows 50000] [--rounds 2]
 */
import { KAFKA_TOOLS_VERSION, KAFKA_VERSION } from '@shardflow/testkit';
import { availableParallelism } from 'node:os';
import { platformaticRunsOn, type KafkaDriver } from '@shardflow/outbox-relay';
import { median, numberArgument, openBenchServices, report, roundsSummary } from './support/bench-services.js';
import { benchDatabaseKind, openBenchDatabase, type BenchDatabase } from './support/bench-database.js';
import { createKafkaTopic } from '@shardflow/testkit';
import { kafkaBrokerLimit, measurePhysicalLimit, relayWithoutBroker, type PhysicalLimit } from './support/physical-limit.js';
import { drainRate } from './support/relay-rates.js';
import { busyShare, commandCpuMs, cpuMs, machineCpu } from './support/process-cpu.js';
import { seedWarmUpAndMeasured, waitForMeasuredRows, waitUntilSent } from './support/outbox-rows.js';
import { RELAY_NODE_FLAGS, startRelayProcesses, stopProcesses } from '../test/fixtures/relay-processes.js';

const ROWS = numberArgument('--rows', 50_000);
const ROUNDS = numberArgument('--rounds', 2);
/**
 * Rows each relay process relays before the measured ones: V8 optimises the code a page runs once
 * after tens of pages, and 5 000 rows (10 pages) left the relay at 1.4-1.6x its steady CPU per row.
 */
const WARM_UP_ROWS = 30_000;
/** When the measured rows are due, from their seeding: the relay's start and warm-up take 5-8 s here. */
const MEASURED_DUE_IN_S = 15;
const PARTITIONS = 4;
/** The example relay's items: as many pages are fetched, sent and marked at once. */
const ITEMS = 4;

if (!platformaticRunsOn(process.versions.node)) {
  console.error(`broker-limit: @platformatic/kafka needs Node.js >= 22.22 or >= 24.6, this is ${process.versions.node}. Run it as:\n  PATH="$(scripts/node-from-npm.sh 24):$PATH" node --conditions=@shardflow/source --import tsx bench/broker-limit.ts`);
  process.exit(2);
}

const bench = await openBenchServices(['cluster_a']);
const outboxDatabase = await openBenchDatabase(benchDatabaseKind(), { pool: bench.pool, name: bench.database.name });
const bootstrap = bench.services.addresses.kafka['cluster_a'] as string;

/**
 * One relay process with a driver: the rows/s it drains (from the first measured row marked sent to
 * the last) and the CPU it spends per 1 000 rows, which a busy machine disturbs far less.
 */
interface RelayRun {
  readonly rate: number;
  readonly cpuMsPerThousandRows: number;
  /** How busy the machine's cores were, in all, while the relay drained: near 1, the relay's pace was the machine's. */
  readonly machineBusy: number;
  /** The database server's CPU per 1 000 rows over the drain (mariadbd or postgres). */
  readonly databaseCpuMsPerThousandRows: number;
  /** The JVMs' CPU per 1 000 rows over the drain: the Kafka broker, and ZooKeeper's little. */
  readonly brokerCpuMsPerThousandRows: number;
}

/** The server command whose CPU is the database's. */
const DATABASE_COMMAND = benchDatabaseKind() === 'postgres' ? 'postgres' : 'mariadbd';

async function relay(database: BenchDatabase, topic: string, driver: KafkaDriver): Promise<RelayRun> {
  await seedWarmUpAndMeasured(database, topic, WARM_UP_ROWS, ROWS, MEASURED_DUE_IN_S);
  const relays = await startRelayProcesses(1, {
    ...bench.services.env,
    ...database.env,
    SHARDFLOW_EXAMPLE_NAMESPACE: `bench-limit-${driver}-${Date.now()}`,
    RELAY_KAFKA_DRIVER: driver,
  }, { nodeFlags: RELAY_NODE_FLAGS });
  let cpuBefore = 0;
  let cpuSpent = 0;
  let machineBefore = machineCpu();
  let machineBusy = 0;
  let servers = { database: 0, broker: 0 };
  const serversCpu = (): typeof servers => ({ database: commandCpuMs(DATABASE_COMMAND), broker: commandCpuMs('java') });
  try {
    await waitForMeasuredRows(database, WARM_UP_ROWS);
    cpuBefore = cpuMs(relays[0]?.pid);
    machineBefore = machineCpu();
    const serversBefore = serversCpu();
    await waitUntilSent(database);
    cpuSpent = cpuMs(relays[0]?.pid) - cpuBefore;
    machineBusy = busyShare(machineBefore, machineCpu());
    const serversAfter = serversCpu();
    servers = { database: serversAfter.database - serversBefore.database, broker: serversAfter.broker - serversBefore.broker };
  } finally {
    await stopProcesses(relays);
  }
  const perThousandRows = (ms: number): number => (ms / ROWS) * 1000;
  return {
    rate: await drainRate(database, WARM_UP_ROWS), cpuMsPerThousandRows: perThousandRows(cpuSpent), machineBusy,
    databaseCpuMsPerThousandRows: perThousandRows(servers.database), brokerCpuMsPerThousandRows: perThousandRows(servers.broker),
  };
}

try {
  const topic = await createKafkaTopic(bootstrap, `bench-limit-relay-${Date.now()}`, PARTITIONS);
  type Round = { limit: PhysicalLimit; withoutBroker: number; kafkajs: RelayRun; platformatic: RelayRun };
  const rounds: Round[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const limit = await measurePhysicalLimit((records) => kafkaBrokerLimit(bootstrap, PARTITIONS, records), { database: outboxDatabase, topic, rows: ROWS, concurrency: ITEMS });
    const withoutBroker = await relayWithoutBroker(outboxDatabase, topic, ROWS, ITEMS);
    // ABBA: whatever drifts along the run (the topic grows, the machine's load moves) weighs on both drivers alike.
    const order: KafkaDriver[] = round % 2 === 0 ? ['kafkajs', 'platformatic'] : ['platformatic', 'kafkajs'];
    const runs: Partial<Record<KafkaDriver, RelayRun>> = {};
    for (const driver of order) runs[driver] = await relay(outboxDatabase, topic, driver);
    const { kafkajs, platformatic } = runs as Record<KafkaDriver, RelayRun>;
    rounds.push({ limit, withoutBroker, kafkajs, platformatic });
    const physical = limit.physical;
    report(`broker-limit round ${round + 1}`, {
      broker_rows_per_s: limit.broker, database_rows_per_s: limit.database, physical_limit: physical,
      relay_without_broker_rows_per_s: withoutBroker, kafkajs_rows_per_s: kafkajs.rate, platformatic_rows_per_s: platformatic.rate,
      kafkajs_vs_limit: kafkajs.rate / physical, platformatic_vs_limit: platformatic.rate / physical, platformatic_vs_kafkajs: platformatic.rate / kafkajs.rate,
      kafkajs_cpu_ms_per_1000_rows: kafkajs.cpuMsPerThousandRows, platformatic_cpu_ms_per_1000_rows: platformatic.cpuMsPerThousandRows,
      machine_busy_kafkajs: kafkajs.machineBusy, machine_busy_platformatic: platformatic.machineBusy,
      platformatic_database_cpu_ms_per_1000_rows: platformatic.databaseCpuMsPerThousandRows,
      platformatic_broker_cpu_ms_per_1000_rows: platformatic.brokerCpuMsPerThousandRows,
    });
  }
  const summary = (of: (round: Round) => number): string => roundsSummary(rounds, of);
  const limit = (round: Round): number => round.limit.physical;
  const allCpu = ({ platformatic }: Round): number => platformatic.cpuMsPerThousandRows + platformatic.databaseCpuMsPerThousandRows + platformatic.brokerCpuMsPerThousandRows;
  report('broker-limit', {
    rows: String(ROWS), rounds: String(ROUNDS), kafka: KAFKA_VERSION, kafka_tools: KAFKA_TOOLS_VERSION, node: process.versions.node,
    physical_limit_rows_per_s: median(rounds.map(limit)),
    limited_by: rounds.map((round) => round.limit.limitedBy).join('/'),
    kafkajs_vs_limit: summary((round) => round.kafkajs.rate / limit(round)),
    platformatic_vs_limit: summary((round) => round.platformatic.rate / limit(round)),
    platformatic_vs_kafkajs: summary((round) => round.platformatic.rate / round.kafkajs.rate),
    without_broker_vs_limit: summary((round) => round.withoutBroker / limit(round)),
    platformatic_vs_without_broker: summary((round) => round.platformatic.rate / round.withoutBroker),
    platformatic_cpu_vs_kafkajs_cpu: summary((round) => round.platformatic.cpuMsPerThousandRows / round.kafkajs.cpuMsPerThousandRows),
    machine_busy_platformatic: summary((round) => round.platformatic.machineBusy),
    platformatic_relay_db_broker_cpu_ms_per_1000_rows: summary(allCpu),
    // What the three processes' CPU per row allows when they fill every core: the machine's bound for this relay.
    platformatic_cores_bound_rows_per_s: median(rounds.map((round) => (availableParallelism() * 1_000_000) / allCpu(round))),
  });
} finally {
  await outboxDatabase.close();
  await bench.close();
}
