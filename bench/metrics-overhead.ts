/**
 * The relay's own CPU per batch without and with the metrics listening, in one process and
 * without I/O: processData of 500 rows against a sink and a store that answer at once, so that
 * nothing but the relay's code and the metrics' subscribers runs. Alternated over several rounds
 * (ABBA), medians reported. The end-to-end cost, with real services, is in outbox-throughput.ts.
 * Usage: node --conditions=@shardflow/source --import tsx bench/metrics-overhead.ts [--rounds 6]
 */
import { Registry } from 'prom-client';
import { testContext } from '@shardflow/core/testing';
import { ShardflowMetrics } from '@shardflow/metrics';
import { OutboxMetrics } from '@shardflow/metrics/outbox';
import {
  OutboxRelayJob, OutboxWriter, VirtualPartitioning, resolveOutboxTable, type MessageSink, type OutboxRecord, type OutboxStore,
} from '@shardflow/outbox-relay';
import { median, report } from './support/bench-services.js';

const roundsArg = process.argv.indexOf('--rounds');
const ROUNDS = roundsArg > 0 ? Number(process.argv[roundsArg + 1]) : 6;
const BATCHES = 3_000;
const table = resolveOutboxTable({});
const partitioning = new VirtualPartitioning(table);
const records: OutboxRecord[] = Array.from({ length: 500 }, (_, i) => ({
  id: i, key: `user-${i}`, topic: 'bench', cluster: 'cluster_a', payload: Buffer.alloc(1024, 7), headers: {}, retryCount: 0, createTime: new Date(), location: { database: 0, table },
}));
const unused = (): never => {
  throw new Error('not used by processData');
};
const store: OutboxStore = {
  fetchDue: unused, findUnfenced: unused, markSent: async (sent) => sent.length, markFailed: async (failed) => failed.length,
  listDead: unused, countDead: unused, replayDead: unused, counts: unused, deleteSent: unused,
  deferCluster: async () => 0, releaseCluster: async () => 0, pendingClusters: unused, verifyTables: unused, backlog: unused,
};
const sink: MessageSink = { send: async (_cluster, messages) => messages.map(() => ({ ok: true as const })), close: async () => undefined };
const ctx = testContext({ jobName: 'bench', instanceId: 'bench', trigger: 'cron' });
const job = new OutboxRelayJob({ store, sink, partitioning });

/** CPU microseconds per 500-row batch over BATCHES batches. */
async function cpuPerBatch(): Promise<number> {
  const before = process.cpuUsage();
  for (let i = 0; i < BATCHES; i++) await job.processData(ctx, records);
  const used = process.cpuUsage(before);
  return (used.user + used.system) / BATCHES;
}

let stopMetrics: (() => void) | undefined;
function setMetrics(on: boolean): void {
  stopMetrics?.();
  stopMetrics = undefined;
  if (!on) return;
  const register = new Registry();
  const metrics = new ShardflowMetrics({ register });
  const outboxMetrics = new OutboxMetrics({ register });
  const unobserve = outboxMetrics.observe({ relayJob: job, writer: new OutboxWriter(table, partitioning), store: { backlog: async () => [] } });
  stopMetrics = () => {
    unobserve();
    outboxMetrics.close();
    metrics.close();
  };
}

await cpuPerBatch(); // warm-up
const runs: Record<'without' | 'with', number[]> = { without: [], with: [] };
for (let round = 0; round < ROUNDS; round++) {
  for (const on of round % 2 === 0 ? [false, true] : [true, false]) {
    setMetrics(on);
    runs[on ? 'with' : 'without'].push(await cpuPerBatch());
  }
}
setMetrics(false);
const without = median(runs.without);
const withMetrics = median(runs.with);
report('metrics-overhead, relay processData of 500 rows, no I/O', {
  rounds: ROUNDS,
  cpu_us_per_batch_without: without,
  cpu_us_per_batch_with: withMetrics,
  cost_percent: (withMetrics / without - 1) * 100,
  runs_without: runs.without.map((value) => value.toFixed(0)).join('/'),
  runs_with: runs.with.map((value) => value.toFixed(0)).join('/'),
});
