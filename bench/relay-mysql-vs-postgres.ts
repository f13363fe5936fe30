/**
 * The same relay, in one process, on MariaDB and on PostgreSQL: 4 items drained concurrently
 * (one fetch/process loop each, as 4 streaming items of one instance), 1 KB payloads to one real
 * Kafka cluster, rows written by the outbox's own writer. Each database relays a warm-up batch
 * first; the measured runs alternate between the databases, so that a drift of the shared
 * machine weighs on both.
 * Every rate is also given as a ratio to its database's physical limit, measured first in the same
 * run: the smaller of the broker's (Kafka's own Java producer with the relay's settings, into a
 * topic of 4 partitions as the relay's auto-created one; measured again for each database) and
 * that database's (the relay's mark of --rows rows, at least 50 000, on 4 connections, as the 4
 * items mark); see bench/support/physical-limit.ts.
 * Usage: node --conditions=@shardflow/source --import tsx bench/relay-mysql-vs-postgres.ts [--rows 40000] [--runs 3]
 */
import { createOutbox, type OutboxPool } from '@shardflow/outbox-relay';
import { median, numberArgument, openBenchServices, report } from './support/bench-services.js';
import { openBenchDatabase } from './support/bench-database.js';
import { kafkaBrokerLimit, measurePhysicalLimit, physicalLimitFields, type PhysicalLimit } from './support/physical-limit.js';
import { drainItems } from '@shardflow/core/testing';

const ROWS = numberArgument('--rows', 40_000);
const RUNS = numberArgument('--runs', 3);
const ITEMS = 4;
/** The broker's default for auto-created topics, as the relay's topic here is. */
const PARTITIONS = 4;

const bench = await openBenchServices(['cluster_a']);
const bootstrap = bench.services.addresses.kafka['cluster_a'] as string;
const clusters = { cluster_a: { brokers: [bootstrap] } };
const topic = `bench-compare-${Date.now()}`;
const payload = Buffer.alloc(1024, 7);

/** Writes `count` pending rows and relays them; rows per second from the first fetch to the last mark. */
async function relayRun(pool: OutboxPool, count: number): Promise<number> {
  const outbox = createOutbox({ databases: [pool], clusters, relay: { pageSize: 500 } });
  try {
    for (let offset = 0; offset < count; offset += 1000) {
      const size = Math.min(1000, count - offset);
      await outbox.writer.addMany(pool as never, Array.from({ length: size }, (_, i) => ({ key: `user-${offset + i}`, topic, cluster: 'cluster_a', payload })));
    }
    const started = Date.now();
    const relayed = (await drainItems(outbox.relayJob, ITEMS, { concurrently: true })).rows;
    if (relayed !== count) throw new Error(`relayed ${relayed} of ${count} rows`);
    return count / ((Date.now() - started) / 1000);
  } finally {
    await outbox.close();
  }
}

const databases = [
  { name: 'mariadb', database: await openBenchDatabase('mysql', { pool: bench.pool, name: bench.database.name }) },
  { name: 'postgresql', database: await openBenchDatabase('postgres', { pool: bench.pool, name: bench.database.name }) },
];
try {
  const limits = new Map<string, PhysicalLimit>();
  for (const { name, database } of databases) {
    limits.set(name, await measurePhysicalLimit((records) => kafkaBrokerLimit(bootstrap, PARTITIONS, records), { database, topic, rows: ROWS, concurrency: ITEMS }));
    await database.resetOutbox();
    await relayRun(database.pool, 5_000);
  }
  const rates = new Map(databases.map(({ name }) => [name, [] as number[]]));
  for (let run = 0; run < RUNS; run++) {
    for (const { name, database } of databases) {
      await database.resetOutbox();
      const rate = await relayRun(database.pool, ROWS);
      rates.get(name)?.push(rate);
      report('relay-compare', { database: name, run: String(run + 1), rows: ROWS, rows_per_s: rate, vs_physical: rate / (limits.get(name) as PhysicalLimit).physical });
    }
  }
  const [mysqlRate, pgRate] = databases.map(({ name }) => median(rates.get(name) ?? []));
  report('relay-compare', { summary: 'median', mariadb_rows_per_s: mysqlRate as number, postgresql_rows_per_s: pgRate as number, ratio: (pgRate as number) / (mysqlRate as number) });
  for (const { name } of databases) {
    report('relay-compare physical limit', { database: name, ...physicalLimitFields(limits.get(name) as PhysicalLimit, { median: median(rates.get(name) ?? []) }) });
  }
} finally {
  for (const { database } of databases) await database.close();
  await bench.close();
}
