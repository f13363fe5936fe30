/**
 * The same relay, in one process, on MariaDB and on PostgreSQL: 4 items drained concurrently
 * (one fetch/process loop each, as 4 streaming items of one instance), 1 KB payloads to one real
 * Kafka cluster, rows written by the outbox's own writer. Each database relays a warm-up batch
 * first; the measured runs alternate between the databases, so that a drift of the shared
 * machine weighs on both.
 * Usage: node --conditions=@shardflow/source --import tsx bench/relay-mysql-vs-postgres.ts [--rows 40000] [--runs 3]
 */
import pg from 'pg';
import { createOutbox, migrateOutboxTable, migratePgOutboxTable, type OutboxPool } from '@shardflow/outbox-relay';
import { createPgTestDatabase } from '@shardflow/testkit';
import { median, openBenchServices, report } from './support/bench-services.js';
import { drainItems } from '@shardflow/core/testing';

const argument = (name: string, fallback: number): number => {
  const index = process.argv.indexOf(`--${name}`);
  return index > 0 ? Number(process.argv[index + 1]) : fallback;
};
const ROWS = argument('rows', 40_000);
const RUNS = argument('runs', 3);
const ITEMS = 4;

const bench = await openBenchServices(['cluster_a']);
const pgDatabase = await createPgTestDatabase('bench');
const pgPool = new pg.Pool({ connectionString: pgDatabase.url, max: 16 });
const clusters = { cluster_a: { brokers: [bench.services.addresses.kafka['cluster_a'] as string] } };
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
  { name: 'mariadb', pool: bench.pool as OutboxPool, reset: async () => { await migrateOutboxTable(bench.pool); await bench.pool.query('TRUNCATE TABLE msg_send_record'); } },
  { name: 'postgresql', pool: pgPool as OutboxPool, reset: async () => { await migratePgOutboxTable(pgPool); await pgPool.query('TRUNCATE TABLE msg_send_record'); } },
];
try {
  for (const database of databases) {
    await database.reset();
    await relayRun(database.pool, 5_000);
  }
  const rates = new Map(databases.map((database) => [database.name, [] as number[]]));
  for (let run = 0; run < RUNS; run++) {
    for (const database of databases) {
      await database.reset();
      const rate = await relayRun(database.pool, ROWS);
      rates.get(database.name)?.push(rate);
      report('relay-compare', { database: database.name, run: String(run + 1), rows: ROWS, rows_per_s: rate });
    }
  }
  const [mysqlRate, pgRate] = databases.map((database) => median(rates.get(database.name) ?? []));
  report('relay-compare', { summary: 'median', mariadb_rows_per_s: mysqlRate as number, postgresql_rows_per_s: pgRate as number, ratio: (pgRate as number) / (mysqlRate as number) });
} finally {
  await pgPool.end();
  await pgDatabase.drop();
  await bench.close();
}
