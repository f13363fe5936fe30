import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { testServices, uniqueNamespace, waitUntil } from '@shardflow/testkit';
import {
  batchesUntil, fetchesOf as fetches, overlappingBatches, readRecords, startWorker, type BatchRecord, type FetchRecord, type WorkerProcess,
} from '../fixtures/worker-process.js';

const SESSION_TIMEOUT_MS = 3_000;
const FREEZE_MS = 3 * SESSION_TIMEOUT_MS;

/**
 * A frozen process did nothing while it was stopped: the batch it had in flight when it froze is
 * counted up to the freeze. What it did after the resume counts in full.
 */
function cutAtFreeze(all: readonly BatchRecord[], instance: string, stoppedAt: number): BatchRecord[] {
  return all.map((batch) => (batch.instance === instance && batch.start < stoppedAt && batch.end > stoppedAt ? { ...batch, end: stoppedAt } : batch));
}

describe('a process frozen past its session timeout (SIGSTOP), then resumed', () => {
  const workers: WorkerProcess[] = [];
  afterEach(async () => {
    for (const worker of workers) worker.child.kill('SIGCONT');
    await Promise.allSettled(workers.splice(0).map((worker) => worker.kill()));
  });

  it('neither removes the run lock of the item\'s new owner nor starts new work on the item it lost', async () => {
    const logFile = join(mkdtempSync(join(tmpdir(), 'shardflow-frozen-')), 'records.jsonl');
    const common = {
      connectString: testServices().zookeeper,
      namespace: uniqueNamespace('frozen'),
      jobName: 'frozen-job',
      sessionTimeoutMs: SESSION_TIMEOUT_MS,
      cron: '* * * * * ?',
      shardingTotalCount: 1,
      // Batches cannot be cut short, as a send on the wire cannot.
      ignoreAbort: true,
      logFile,
    };
    // 'a-frozen' sorts first, so the item comes back to it once it has rejoined. Its batch in
    // flight outlasts the freeze (a sink that answers late): it ends, and its run lets go of the
    // lock, only after the process has a new session, while the survivor is still mid-batch.
    const frozen = await startWorker({ ...common, batchMs: 4 * FREEZE_MS / 3, instanceId: 'a-frozen' });
    workers.push(frozen);
    await waitUntil(() => fetches(readRecords(logFile), 'a-frozen').length > 0, { timeoutMs: 15_000 });
    workers.push(await startWorker({ ...common, batchMs: 2 * FREEZE_MS, instanceId: 'b-survivor' }));

    // Freeze right after a fresh fetch: the process is inside a batch.
    const fetchesBefore = fetches(readRecords(logFile), 'a-frozen').length;
    await waitUntil(() => fetches(readRecords(logFile), 'a-frozen').length > fetchesBefore, { timeoutMs: 30_000, intervalMs: 20 });
    frozen.child.kill('SIGSTOP');
    const stoppedAt = Date.now();
    const lostEpoch = (fetches(readRecords(logFile), 'a-frozen').at(-1) as FetchRecord).epoch;
    // The server expires the session; the survivor takes the item over and works on it.
    await waitUntil(() => fetches(readRecords(logFile), 'b-survivor').some((fetch) => fetch.at > stoppedAt), { timeoutMs: 20_000 });
    await sleep(FREEZE_MS - (Date.now() - stoppedAt));
    frozen.child.kill('SIGCONT');
    const resumedAt = Date.now();
    // The resumed process rejoins, gets the item back under a new epoch and runs it.
    await waitUntil(() => fetches(readRecords(logFile), 'a-frozen').some((fetch) => fetch.at > resumedAt), { timeoutMs: 30_000 });
    await sleep(1_000);

    const records = readRecords(logFile);
    const takeoverEpochs = fetches(records, 'b-survivor').filter((fetch) => fetch.at > stoppedAt).map((fetch) => fetch.epoch);
    expect(takeoverEpochs.length).toBeGreaterThan(0);
    expect(Math.min(...takeoverEpochs)).toBeGreaterThan(lostEpoch);
    // No fetch under the epoch it lost after the resume: new work only under the epoch it got back.
    const afterResume = fetches(records, 'a-frozen').filter((fetch) => fetch.at > resumedAt);
    expect(afterResume.length).toBeGreaterThan(0);
    expect(afterResume.filter((fetch) => fetch.epoch <= Math.max(...takeoverEpochs))).toEqual([]);
    // And never two instances in a batch of the item at once.
    expect(overlappingBatches(cutAtFreeze(batchesUntil(records, Date.now()), 'a-frozen', stoppedAt))).toEqual([]);
  });
});
