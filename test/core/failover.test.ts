import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { JobOperator, ZookeeperRegistry } from '@shardflow/core';
import { testServices, uniqueNamespace } from '@shardflow/testkit';
import { batches, overlappingBatches, readRecords, startWorker, type WorkerProcess, type WorkerRecord } from '../fixtures/worker-process.js';

const SESSION_TIMEOUT_MS = 3_000;

function failovers(records: readonly WorkerRecord[]): WorkerRecord[] {
  return records.filter((record) => record.type === 'failover');
}

describe('failover across real processes', () => {
  const workers: WorkerProcess[] = [];
  afterEach(async () => {
    await Promise.allSettled(workers.splice(0).map((worker) => worker.kill()));
  });

  async function startThree(common: Omit<Parameters<typeof startWorker>[0], 'instanceId'>): Promise<void> {
    for (const instanceId of ['node-a', 'node-b', 'node-c']) workers.push(await startWorker({ ...common, instanceId }));
  }

  it('kill -9 of an instance mid-run: survivors take its items at once, never overlapping', async () => {
    const logFile = join(mkdtempSync(join(tmpdir(), 'shardflow-failover-')), 'records.jsonl');
    // A fire once an hour: any run after the kill can only come from failover, not from cron.
    const namespace = uniqueNamespace('failover');
    await startThree({
      connectString: testServices().zookeeper, namespace, jobName: 'failover-job',
      sessionTimeoutMs: SESSION_TIMEOUT_MS, cron: '0 0 * * * ?', shardingTotalCount: 6, batchMs: 200, logFile,
    });
    // Streaming runs of this job never drain, so one manual trigger keeps every item busy.
    const registry = new ZookeeperRegistry({ connectString: testServices().zookeeper, namespace });
    await registry.connect();
    try {
      await new JobOperator(registry).trigger('failover-job');
    } finally {
      await registry.close();
    }
    await sleep(1_500);
    const victim = workers[0] as WorkerProcess;
    const victimItems = new Set(batches(readRecords(logFile)).filter((b) => b.instance === victim.instanceId).map((b) => b.item));
    expect(victimItems.size).toBeGreaterThan(0);
    const killedAt = Date.now();
    await victim.kill();
    await sleep(SESSION_TIMEOUT_MS + 4_000);

    const records = readRecords(logFile);
    const taken = failovers(records).filter((record) => record.instance !== victim.instanceId);
    expect(new Set(taken.map((record) => record['item'] as number))).toEqual(victimItems);
    const runsElsewhere = batches(records).filter((b) => victimItems.has(b.item) && b.instance !== victim.instanceId && b.start > killedAt);
    expect(runsElsewhere.length).toBeGreaterThan(0);
    expect(runsElsewhere.every((b) => b.trigger === 'failover')).toBe(true);
    expect(overlappingBatches(batches(records))).toEqual([]);
  });

  it('graceful shutdown hands running items over at once', async () => {
    const logFile = join(mkdtempSync(join(tmpdir(), 'shardflow-handover-')), 'records.jsonl');
    const namespace = uniqueNamespace('handover');
    await startThree({
      connectString: testServices().zookeeper, namespace, jobName: 'handover-job',
      sessionTimeoutMs: 10_000, cron: '0 0 * * * ?', shardingTotalCount: 6, batchMs: 100, logFile,
    });
    const registry = new ZookeeperRegistry({ connectString: testServices().zookeeper, namespace });
    await registry.connect();
    try {
      await new JobOperator(registry).trigger('handover-job');
      await sleep(1_500);
      const leaving = workers.shift() as WorkerProcess;
      const leavingItems = new Set(batches(readRecords(logFile)).filter((b) => b.instance === leaving.instanceId).map((b) => b.item));
      expect(leavingItems.size).toBeGreaterThan(0);
      const stoppedAt = Date.now();
      await leaving.stop();
      // Far below the 10 s session timeout: only a graceful handover can be this quick.
      await sleep(3_000);
      const records = readRecords(logFile);
      const runsElsewhere = batches(records).filter((b) => leavingItems.has(b.item) && b.instance !== leaving.instanceId && b.start > stoppedAt);
      expect(new Set(runsElsewhere.map((b) => b.item))).toEqual(leavingItems);
      expect(overlappingBatches(batches(records))).toEqual([]);
      const status = await new JobOperator(registry).status('handover-job');
      expect(status.instances).not.toContain(leaving.instanceId);
    } finally {
      await registry.close();
    }
  });
});
