/**
 * Time from an instance's death (kill -9) or graceful stop (SIGTERM) to its items running on
 * another instance, with real processes and a real ZooKeeper. 3 instances, 6 items, streaming runs
 * that never drain (each item is busy all the time). Five rounds per setting; median and max.
 * Usage: node --conditions=@shardflow/source --import tsx bench/failover-time.ts [--rounds 5]
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { JobOperator, ZookeeperRegistry } from '@shardflow/core';
import { startServices, uniqueNamespace } from '@shardflow/testkit';
import { batches, readRecords, startWorker, type WorkerProcess } from '../test/fixtures/worker-process.js';
import { median, report } from './support/bench-services.js';

const roundsArg = process.argv.indexOf('--rounds');
const ROUNDS = roundsArg > 0 ? Number(process.argv[roundsArg + 1]) : 5;
const services = await startServices({ kafkaClusters: [] });

async function round(sessionTimeoutMs: number, how: 'kill' | 'stop'): Promise<number> {
  const logFile = join(mkdtempSync(join(tmpdir(), 'shardflow-bench-failover-')), 'records.jsonl');
  const namespace = uniqueNamespace('bench-failover');
  const common = { connectString: services.addresses.zookeeper, namespace, jobName: 'bench-failover', sessionTimeoutMs, cron: '0 0 * * * ?', shardingTotalCount: 6, batchMs: 50, logFile };
  const workers: WorkerProcess[] = [];
  for (const instanceId of ['a', 'b', 'c']) workers.push(await startWorker({ ...common, instanceId }));
  const registry = new ZookeeperRegistry({ connectString: services.addresses.zookeeper, namespace });
  await registry.connect();
  try {
    await sleep(1_000);
    await new JobOperator(registry).trigger('bench-failover');
    await sleep(1_500);
    const victim = workers[0] as WorkerProcess;
    const items = new Set(batches(readRecords(logFile)).filter((b) => b.instance === victim.instanceId).map((b) => b.item));
    const at = Date.now();
    await (how === 'kill' ? victim.kill() : victim.stop());
    for (let waited = 0; waited < sessionTimeoutMs + 10_000; waited += 50) {
      const elsewhere = batches(readRecords(logFile)).filter((b) => items.has(b.item) && b.instance !== victim.instanceId && b.start >= at);
      if (new Set(elsewhere.map((b) => b.item)).size === items.size) return Math.max(...[...items].map((item) => Math.min(...elsewhere.filter((b) => b.item === item).map((b) => b.start)))) - at;
      await sleep(50);
    }
    return Number.NaN;
  } finally {
    await registry.close();
    await Promise.allSettled(workers.map((worker) => worker.kill()));
  }
}

try {
  for (const [sessionTimeoutMs, how] of [[3_000, 'kill'], [10_000, 'kill'], [10_000, 'stop']] as const) {
    const times: number[] = [];
    for (let i = 0; i < ROUNDS; i++) times.push(await round(sessionTimeoutMs, how));
    report('failover-time', { how: how === 'kill' ? 'kill -9' : 'graceful', session_timeout_ms: sessionTimeoutMs, rounds: ROUNDS, median_ms: median(times), max_ms: Math.max(...times), all: times.join('/') });
  }
} finally {
  await services.stopAll();
}
