/**
 * Peak and trend of one relay instance's RSS at full throughput: a writer inserts 1 KB rows as fast
 * as the relay drains them for the whole run; the relay runs in its own process (the example's
 * relay.ts) and its RSS is sampled from /proc every 5 s; the peak is the kernel's high-water mark
 * (VmHWM), so a spike between samples counts too.
 * Usage: node --conditions=@shardflow/source --import tsx bench/memory.ts [--minutes 10] [--built] [--default-heap | --node-flags "..."] [--gc-trace]
 * With --built the relay runs from `npm run build` output with plain node (no TypeScript loader).
 * The relay gets the deployment's node flags (RELAY_NODE_FLAGS); --default-heap runs it without them,
 * --node-flags with these instead. The relay's CPU per 1 000 rows after the first minute is reported
 * too, so that a flag that saves memory can be seen to cost (or not cost) CPU.
 * The RSS is also split into what is mapped from files (the node binary and its libraries) and the
 * process's own memory. With --gc-trace the relay also runs with V8's --trace-gc, and the script
 * reports V8's heap at each full collection: the live heap it leaves, the heap it found, and the heap
 * V8 holds from the system; the rest of the process's own memory is off V8's heap (Buffers, the
 * allocator's). The trace writes a line per collection, so rows/s are not comparable with a run without it.
 * Its rows/s is also given as a ratio to the physical limit, measured before the relay starts: the
 * smaller of the broker's (Kafka's own Java producer with the relay's settings, into a topic of 4
 * partitions as the relay's auto-created one) and the database's (the relay's mark of 50 000 rows on
 * 4 connections, as the example relay's 4 items mark); see bench/support/physical-limit.ts.
 */
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { createOutbox } from '@shardflow/outbox-relay';
import { migrate } from '../examples/user-register-relay/src/database.js';
import { readEnvironment } from '../examples/user-register-relay/src/environment.js';
import { openBenchServices, report } from './support/bench-services.js';
import { openBenchDatabase } from './support/bench-database.js';
import { kafkaBrokerLimit, measurePhysicalLimit, physicalLimitFields } from './support/physical-limit.js';
import { cpuMs } from './support/process-cpu.js';
import { RELAY_NODE_FLAGS, startRelayProcesses, stopProcesses } from '../test/fixtures/relay-processes.js';

const minutesArg = process.argv.indexOf('--minutes');
const MINUTES = minutesArg > 0 ? Number(process.argv[minutesArg + 1]) : 10;
const bench = await openBenchServices(['cluster_a']);
const env = { ...bench.services.env, SHARDFLOW_EXAMPLE_DB: bench.database.name, SHARDFLOW_EXAMPLE_TOPIC: `memory-${Date.now()}`, SHARDFLOW_EXAMPLE_NAMESPACE: `memory-${Date.now()}` };
const environment = readEnvironment({ ...process.env, ...env });
await migrate(environment);
const bootstrap = bench.services.addresses.kafka['cluster_a'] as string;
/** The example relay's items; its topic is auto-created with the broker's default of 4 partitions. */
const ITEMS = 4;
const PARTITIONS = 4;
const outboxDatabase = await openBenchDatabase('mysql', { pool: bench.pool, name: bench.database.name });
const limit = await measurePhysicalLimit((records) => kafkaBrokerLimit(bootstrap, PARTITIONS, records), { database: outboxDatabase, topic: environment.topic, concurrency: ITEMS });
// The limit's rows are marked sent; the run counts sent rows from none.
await outboxDatabase.resetOutbox();

function statusMb(pid: number, field: 'VmRSS' | 'VmHWM' | 'RssAnon' | 'RssFile'): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find((entry) => entry.startsWith(`${field}:`)) ?? '';
  return Number(line.replace(/\D+/g, '')) / 1024;
}

const BUILT = process.argv.includes('--built');
const DEFAULT_HEAP = process.argv.includes('--default-heap');
const GC_TRACE = process.argv.includes('--gc-trace');
const nodeFlagsArg = process.argv.indexOf('--node-flags');
const CHOSEN_FLAGS = nodeFlagsArg > 0 ? (process.argv[nodeFlagsArg + 1] ?? '').split(' ').filter(Boolean) : undefined;
const NODE_FLAGS = [...(CHOSEN_FLAGS ?? (DEFAULT_HEAP ? [] : RELAY_NODE_FLAGS)), ...(GC_TRACE ? ['--trace-gc'] : [])];
const [relay] = await startRelayProcesses(1, env, { fromBuild: BUILT, nodeFlags: NODE_FLAGS });
/** V8's full collections, from --trace-gc's lines on the relay's stdout: `Mark-Compact <used> (<held>) -> <used> (<held>) MB`. */
const fullCollections: Array<{ at: number; foundMb: number; liveMb: number; heldMb: number }> = [];
relay?.stdout?.on('data', (chunk: Buffer) => {
  for (const match of chunk.toString().matchAll(/Mark-Compact ([\d.]+) \(([\d.]+)\) -> ([\d.]+) \(([\d.]+)\) MB/g)) {
    const [foundMb, heldBeforeMb, liveMb, heldMb] = match.slice(1, 5).map(Number) as [number, number, number, number];
    fullCollections.push({ at: Date.now(), foundMb, liveMb, heldMb: Math.max(heldBeforeMb, heldMb) });
  }
});
const outbox = createOutbox({ databases: [bench.pool], clusters: { cluster_a: { brokers: [bootstrap] } } });
const samples: Array<{ minute: number; rssMb: number; fileMb: number; sent: number; cpuMs: number }> = [];
const started = Date.now();
let written = 0;
try {
  const end = started + MINUTES * 60_000;
  let nextSample = started;
  while (Date.now() < end) {
    const [[{ n }]] = (await bench.pool.query('SELECT COUNT(*) AS n FROM msg_send_record WHERE state = 0')) as unknown as [[{ n: number }]];
    if (Number(n) < 5_000) {
      await outbox.writer.addMany(bench.pool as never, Array.from({ length: 1_000 }, (_, i) => ({ key: `user-${written + i}`, topic: environment.topic, cluster: 'cluster_a', payload: Buffer.alloc(1024) })));
      written += 1_000;
    } else {
      await sleep(50);
    }
    if (Date.now() >= nextSample) {
      const [[{ sent }]] = (await bench.pool.query('SELECT COUNT(*) AS sent FROM msg_send_record WHERE state = 1')) as unknown as [[{ sent: number }]];
      samples.push({
        minute: (Date.now() - started) / 60_000, rssMb: statusMb(relay?.pid as number, 'VmRSS'), fileMb: statusMb(relay?.pid as number, 'RssFile'), sent: Number(sent), cpuMs: cpuMs(relay?.pid),
      });
      nextSample += 5_000;
    }
  }
  const firstHalf = samples.filter((sample) => sample.minute < MINUTES / 2 && sample.minute >= 1);
  const secondHalf = samples.filter((sample) => sample.minute >= MINUTES / 2);
  const mean = (list: typeof samples): number => list.reduce((sum, sample) => sum + sample.rssMb, 0) / Math.max(1, list.length);
  const afterFirstMinute = samples.filter((sample) => sample.minute >= 1);
  const collections = fullCollections.filter((collection) => collection.at >= started + 60_000);
  const range = (values: number[]): string => (values.length === 0 ? 'n/a' : `${Math.min(...values).toFixed(1)}-${Math.max(...values).toFixed(1)}`);
  const last = samples[samples.length - 1];
  const peak = statusMb(relay?.pid as number, 'VmHWM');
  const rowsPerSecond = (last?.sent ?? 0) / (MINUTES * 60);
  const warm = afterFirstMinute[0];
  const cpuPerThousandRows = warm && last && last.sent > warm.sent ? ((last.cpuMs - warm.cpuMs) / (last.sent - warm.sent)) * 1_000 : Number.NaN;
  report('memory', {
    relay: BUILT ? 'built, plain node' : 'sources through tsx',
    node_flags: NODE_FLAGS.join(' ') || 'none',
    minutes: MINUTES,
    rows_relayed: last?.sent ?? 0,
    rows_per_s: rowsPerSecond,
    peak_rss_mb: peak,
    mean_rss_first_half_mb: mean(firstHalf),
    mean_rss_second_half_mb: mean(secondHalf),
    rss_mapped_from_files_mb: range(afterFirstMinute.map((sample) => sample.fileMb)),
    rss_own_mb: range(afterFirstMinute.map((sample) => sample.rssMb - sample.fileMb)),
    relay_cpu_ms_per_1000_rows: cpuPerThousandRows,
    ...(GC_TRACE ? {
      full_collections_per_min: collections.length / Math.max(1e-9, MINUTES - 1),
      v8_live_heap_after_full_gc_mb: range(collections.map((collection) => collection.liveMb)),
      v8_heap_found_by_full_gc_mb: range(collections.map((collection) => collection.foundMb)),
      v8_heap_held_mb: range(collections.map((collection) => collection.heldMb)),
    } : {}),
    ...physicalLimitFields(limit, { rows: rowsPerSecond }),
  });
} finally {
  await outbox.close();
  if (relay) await stopProcesses([relay]);
  await bench.close();
}
