import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { FaultProxy, testServices, uniqueNamespace } from '@shardflow/testkit';
import { batches, overlappingBatches, readRecords, startWorker, type WorkerProcess } from '../fixtures/worker-process.js';

const SESSION_TIMEOUT_MS = 4_000;

describe('fencing: an item never runs on two instances at once', () => {
  const workers: WorkerProcess[] = [];
  const proxies: FaultProxy[] = [];
  afterEach(async () => {
    await Promise.allSettled(workers.splice(0).map((worker) => worker.kill()));
    await Promise.allSettled(proxies.splice(0).map((proxy) => proxy.close()));
  });

  it('an instance cut off from ZooKeeper stops before a survivor takes its items over', async () => {
    const logFile = join(mkdtempSync(join(tmpdir(), 'shardflow-fencing-')), 'records.jsonl');
    const namespace = uniqueNamespace('fencing');
    const proxy = await FaultProxy.start({ target: testServices().zookeeper });
    proxies.push(proxy);
    const common = {
      namespace,
      jobName: 'fenced-job',
      sessionTimeoutMs: SESSION_TIMEOUT_MS,
      cron: '* * * * * ?',
      shardingTotalCount: 4,
      batchMs: 150,
      logFile,
    };
    // The partitioned instance starts first so it owns items from the beginning.
    workers.push(await startWorker({ ...common, instanceId: 'partitioned', connectString: proxy.address }));
    workers.push(await startWorker({ ...common, instanceId: 'survivor-1', connectString: testServices().zookeeper }));
    workers.push(await startWorker({ ...common, instanceId: 'survivor-2', connectString: testServices().zookeeper }));
    await sleep(4_000);

    const cutAt = Date.now();
    const assignments = readRecords(logFile).filter((record) => record.type === 'assigned' && record.instance === 'partitioned');
    const lastAssignment = assignments[assignments.length - 1] as { items?: number[] } | undefined;
    const partitionedItemsBefore = new Set(lastAssignment?.items ?? []);
    expect(partitionedItemsBefore.size).toBeGreaterThan(0);
    proxy.blackhole();
    await sleep(SESSION_TIMEOUT_MS * 3);
    proxy.pass();
    await sleep(4_000);

    const all = batches(readRecords(logFile));
    expect(overlappingBatches(all)).toEqual([]);
    const takenOver = all.filter((b) => b.instance !== 'partitioned' && partitionedItemsBefore.has(b.item) && b.start > cutAt);
    expect(takenOver.length).toBeGreaterThan(0);
    // Fenced well before expiry: the cut-off instance's last batch ended before anyone took over.
    const partitionedAroundCut = all.filter((b) => b.instance === 'partitioned' && b.start < cutAt + SESSION_TIMEOUT_MS);
    expect(partitionedAroundCut.length).toBeGreaterThan(0);
    const lastPartitionedEnd = Math.max(...partitionedAroundCut.map((b) => b.end));
    const firstTakeover = Math.min(...takenOver.map((b) => b.start));
    expect(lastPartitionedEnd).toBeLessThan(firstTakeover);
    // Every item it had was taken over, each under a higher epoch than any it ran under.
    for (const item of partitionedItemsBefore) {
      const before = all.filter((b) => b.item === item && b.instance === 'partitioned' && b.start < cutAt).map((b) => b.epoch);
      const after = takenOver.filter((b) => b.item === item).map((b) => b.epoch);
      expect(before, `item ${item} ran on the partitioned instance before the cut`).not.toEqual([]);
      expect(after, `item ${item} was taken over`).not.toEqual([]);
      expect(Math.min(...after)).toBeGreaterThan(Math.max(...before));
    }
  });
});
