/**
 * cluster_b's relay throughput while cluster_a is down, as a ratio of cluster_b alone, one run:
 * over the whole run, and from the moment cluster_a's circuit opened.
 * Both phases relay the same cluster_b rows with the same relay, in the same table layout: cluster_a
 * and cluster_b rows interleaved as in the seed (ids 1-3 for a, 4-6 for b, and so on). In the first
 * phase cluster_a's rows are already sent; in the second they are pending and cluster_a is stopped.
 * (Comparing against a table of cluster_b rows only would also measure that cluster_b's rows are
 * then packed twice as densely into the table's pages.)
 * Every rate is also given as a ratio to the physical limit, measured first in the same run: the
 * smaller of cluster_b's broker limit (Kafka's own Java producer with the relay's settings, into a
 * topic of 4 partitions as the auto-created one) and the database's (the relay's mark of --rows
 * rows, at least 50 000, on 4 connections, as the 4 items mark); see bench/support/physical-limit.ts.
 * Usage: node --conditions=@shardflow/source --import tsx bench/head-of-line.ts [--database mysql|postgres] [--rows 100000]
 */
import { createOutbox, type Outbox } from '@shardflow/outbox-relay';
import { openBenchServices, report } from './support/bench-services.js';
import { benchDatabaseKind, openBenchDatabase } from './support/bench-database.js';
import { seedOutbox } from './support/outbox-rows.js';
import { kafkaBrokerLimit, measurePhysicalLimit, physicalLimitFields } from './support/physical-limit.js';
import { drainItems } from '@shardflow/core/testing';

const rowsArg = process.argv.indexOf('--rows');
const ROWS = rowsArg > 0 ? Number(process.argv[rowsArg + 1]) : 100_000;
const ITEMS = 4;
/** The broker's default for auto-created topics, as the relay's topic here is. */
const PARTITIONS = 4;
const bench = await openBenchServices(['cluster_a', 'cluster_b']);
const database = await openBenchDatabase(benchDatabaseKind(), { pool: bench.pool, name: bench.database.name });
const clusters = Object.fromEntries(Object.entries(bench.services.addresses.kafka).map(([name, brokers]) => [name, { brokers: [brokers] }]));

/**
 * One instance running its 4 items concurrently until cluster_b's rows are all sent. Returns
 * cluster_b's rate over the whole run and, when a circuit opened, over the rest of the run from
 * that moment: the detection of the outage (a failed send per item) is a one-off cost.
 */
async function relayClusterB(outbox: Outbox<unknown>): Promise<{ whole: number; afterOpen: number | undefined }> {
  const started = Date.now();
  let sentB = 0;
  let opened: { at: number; sentB: number } | undefined;
  const onSent = ({ cluster, count }: { cluster: string; count: number }): void => {
    if (cluster === 'cluster_b') sentB += count;
  };
  const onOpened = (): void => {
    opened ??= { at: Date.now(), sentB };
  };
  outbox.relayJob.on('sent', onSent).on('circuitOpened', onOpened);
  const [{ total } = {}] = await database.query("SELECT COUNT(*) AS total FROM msg_send_record WHERE cluster_name = 'cluster_b'");
  while (sentB < Number(total)) {
    await drainItems(outbox.relayJob, ITEMS, { concurrently: true });
  }
  const ended = Date.now();
  outbox.relayJob.off('sent', onSent).off('circuitOpened', onOpened);
  return {
    whole: Number(total) / ((ended - started) / 1000),
    afterOpen: opened === undefined ? undefined : (Number(total) - opened.sentB) / ((ended - opened.at) / 1000),
  };
}

const control = bench.services.kafka.get('cluster_a');
try {
  const outbox = createOutbox({ databases: [database.pool], clusters, relay: { pageSize: 500, backoff: { initialDelayMs: 2_000 }, circuitBreaker: { failureThreshold: 2, coolDownMs: 5_000 } } });
  const topic = `hol-${Date.now()}`;
  // First: the database's limit empties the outbox table.
  const limit = await measurePhysicalLimit((records) => kafkaBrokerLimit(bench.services.addresses.kafka['cluster_b'] as string, PARTITIONS, records), { database, topic, rows: ROWS, concurrency: ITEMS });
  // Warm up first (JIT, both producers connected), or the first phase pays for it alone.
  await seedOutbox(database, 2_000, topic, (index) => (index % 2 === 0 ? 'cluster_a' : 'cluster_b'));
  await relayClusterB(outbox);
  const seedInterleaved = (): Promise<void> => seedOutbox(database, ROWS * 2, topic, (index) => (Math.floor(index / 3) % 2 === 0 ? 'cluster_a' : 'cluster_b'));
  await seedInterleaved();
  await database.query("UPDATE msg_send_record SET state = 1, sent_time = CURRENT_TIMESTAMP(3) WHERE cluster_name = 'cluster_a'");
  const { whole: alone } = await relayClusterB(outbox);
  await seedInterleaved();
  await control?.stop();
  const withADown = await relayClusterB(outbox);
  await outbox.close();
  report('head-of-line', {
    database: database.kind,
    cluster_b_rows: ROWS,
    alone_rows_per_s: alone,
    with_cluster_a_down_rows_per_s: withADown.whole,
    ratio: withADown.whole / alone,
    after_circuit_opened_rows_per_s: withADown.afterOpen ?? Number.NaN,
    ratio_after_circuit_opened: (withADown.afterOpen ?? Number.NaN) / alone,
    ...physicalLimitFields(limit, { alone, with_cluster_a_down: withADown.whole, after_circuit_opened: withADown.afterOpen ?? Number.NaN }),
  });
} finally {
  await control?.start();
  await database.close();
  await bench.close();
}
