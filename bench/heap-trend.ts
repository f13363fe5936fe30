/**
 * Does the relay keep anything per row relayed? One relay (4 items, page 500) drains rounds of
 * 20 000 rows (1 KB payloads) through its fetch/process loop in this process; after each round a
 * full GC, then the live heap. Prints the heap after the warm-up rounds, at the end, and the
 * difference per 100 000 rows relayed in between.
 * Usage: node --expose-gc --conditions=@shardflow/source --import tsx bench/heap-trend.ts [--rounds 22]
 */
import { createOutbox } from '@shardflow/outbox-relay';
import { openBenchServices, report } from './support/bench-services.js';
import { openBenchDatabase } from './support/bench-database.js';
import { seedOutbox } from './support/outbox-rows.js';
import { drainItems } from '@shardflow/core/testing';

const roundsArg = process.argv.indexOf('--rounds');
const ROUNDS = roundsArg > 0 ? Number(process.argv[roundsArg + 1]) : 22;
const ROWS_PER_ROUND = 20_000;
const WARM_UP_ROUNDS = 2;
const ITEMS = 4;
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with node --expose-gc');

const bench = await openBenchServices(['cluster_a']);
const outboxDatabase = await openBenchDatabase('mysql', { pool: bench.pool, name: bench.database.name });
const outbox = createOutbox({
  databases: [bench.pool],
  clusters: { cluster_a: { brokers: [bench.services.addresses.kafka['cluster_a'] as string] } },
  relay: { pageSize: 500 },
});

async function liveHeapMb(): Promise<number> {
  gc?.();
  await new Promise((resolve) => setTimeout(resolve, 100));
  gc?.();
  return process.memoryUsage().heapUsed / 1e6;
}

try {
  let relayed = 0;
  let afterWarmUp = { heapMb: 0, relayed: 0 };
  for (let round = 1; round <= ROUNDS; round++) {
    await seedOutbox(outboxDatabase, ROWS_PER_ROUND, 'heap-trend');
    relayed += (await drainItems(outbox.relayJob, ITEMS, { concurrently: true })).rows;
    await outbox.relayJob.stats();
    if (round === WARM_UP_ROUNDS) afterWarmUp = { heapMb: await liveHeapMb(), relayed };
  }
  const endHeapMb = await liveHeapMb();
  report('heap-trend', {
    rows_relayed: relayed,
    heap_after_warm_up_mb: afterWarmUp.heapMb,
    heap_at_end_mb: endHeapMb,
    growth_per_100k_rows_kb: ((endHeapMb - afterWarmUp.heapMb) * 1000) / ((relayed - afterWarmUp.relayed) / 100_000),
  });
} finally {
  await outbox.close();
  await bench.close();
}
