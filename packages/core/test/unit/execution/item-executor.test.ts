import { EventEmitter } from 'eventemitter3';
import { afterEach, describe, expect, it } from 'vitest';
import { waitUntil } from '@shardflow/testkit';
import { InMemoryRegistry, InMemoryRegistryStore, type DataflowJob, type ShardingContext } from '../../../src/index.js';
import type { JobSchedulerEvents } from '../../../src/events/job-events.js';
import { publishJobConfig } from '../../../src/coordination/job-config-store.js';
import { validateJobConfig } from '../../../src/config/validate-job-config.js';
import { ConnectionFence } from '../../../src/coordination/connection-fence.js';
import { ItemExecutor } from '../../../src/execution/item-executor.js';
import { ItemLock } from '../../../src/coordination/item-lock.js';
import { JobPaths } from '../../../src/coordination/job-paths.js';
import { serializeAssignment } from '../../../src/sharding/assignment.js';
import { JobStateView } from '../../../src/coordination/job-state-view.js';

const JOB = 'executor-job';
const paths = new JobPaths(JOB);

/** A dataflow job whose batches wait at a gate the test opens; it records every fetch and drains after three. */
class GatedJob implements DataflowJob<number> {
  readonly fetches: Array<{ item: number; epoch: number; total: number }> = [];
  readonly processing = new Set<number>();
  private open: (() => void) | undefined;
  private gate = new Promise<void>((resolve) => (this.open = resolve));

  async fetchData(ctx: ShardingContext): Promise<number[]> {
    this.fetches.push({ item: ctx.shardingItem, epoch: ctx.epoch, total: ctx.shardingTotalCount });
    return this.fetches.filter((fetch) => fetch.item === ctx.shardingItem).length > 3 ? [] : [ctx.shardingItem];
  }

  async processData(ctx: ShardingContext): Promise<void> {
    this.processing.add(ctx.shardingItem);
    await this.gate;
  }

  release(): void {
    this.open?.();
  }
}

/** One executor over its own registry session, with the job's nodes written by hand (no leader). */
async function setUp(store: InMemoryRegistryStore, shardingTotalCount: number) {
  const registry = new InMemoryRegistry({ store });
  await registry.connect();
  await publishJobConfig(registry, paths, validateJobConfig({ jobName: JOB, cron: '0 0 * * * ?', shardingTotalCount, streamingProcess: true }));
  const view = new JobStateView(registry, paths, 60_000);
  await view.start();
  const job = new GatedJob();
  const events = new EventEmitter<JobSchedulerEvents>();
  const executor = new ItemExecutor({
    instanceId: 'x',
    registry,
    job,
    view,
    fence: new ConnectionFence(registry),
    lock: new ItemLock(registry, paths, 'x'),
    events,
    onItemError: undefined,
  });
  executor.setConcurrency(4);
  return { registry, view, job, events, executor };
}

async function writeAssignment(registry: InMemoryRegistry, generation: number, owners: Array<{ instance: string; epoch: number }>): Promise<void> {
  await registry.put(paths.assignment, serializeAssignment({
    generation,
    shardingTotalCount: owners.length,
    items: owners.map((owner) => ({ ...owner, failover: false })),
  }));
}

describe('ItemExecutor', () => {
  const closers: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const close of closers.splice(0)) await close();
  });

  it('takes a run\'s item count and epoch from one assignment, and fires nothing while the configured count differs', async () => {
    const store = new InMemoryRegistryStore();
    const { registry, view, job, executor } = await setUp(store, 4);
    closers.push(async () => {
      job.release();
      await executor.stop(1_000);
      view.stop();
      await registry.close();
    });
    // The config says 4 items, the leader has not resharded yet: the assignment still has 2.
    await writeAssignment(registry, 1, [{ instance: 'x', epoch: 1 }, { instance: 'x', epoch: 1 }]);
    await waitUntil(() => view.assignment?.generation === 1);
    executor.fire('cron');
    expect(executor.isRunning(0)).toBe(false);
    expect(executor.isRunning(1)).toBe(false);

    await writeAssignment(registry, 2, [0, 1, 2, 3].map(() => ({ instance: 'x', epoch: 2 })));
    await waitUntil(() => view.assignment?.generation === 2);
    executor.fire('cron');
    await waitUntil(() => job.fetches.length === 4);
    expect(job.fetches.map((fetch) => fetch.total)).toEqual([4, 4, 4, 4]);
    expect(job.fetches.map((fetch) => fetch.epoch)).toEqual([2, 2, 2, 2]);
  });

  it('a run that outlives its registry session starts no new batch and leaves the new owner\'s run lock alone', async () => {
    const store = new InMemoryRegistryStore();
    const { registry, view, job, executor } = await setUp(store, 1);
    const newOwner = new InMemoryRegistry({ store });
    await newOwner.connect();
    closers.push(async () => {
      job.release();
      await executor.stop(1_000);
      view.stop();
      await registry.close();
      await newOwner.close();
    });
    await writeAssignment(registry, 1, [{ instance: 'x', epoch: 1 }]);
    await waitUntil(() => view.assignment?.generation === 1);
    executor.fire('cron');
    await waitUntil(() => job.processing.has(0));

    // Frozen past the session timeout: the server ended our session, another instance took the item.
    registry.expireSession();
    await newOwner.create(paths.runningItem(0), JSON.stringify({ instance: 'y', epoch: 2, startedAt: Date.now() }), { ephemeral: true });
    job.release();
    await waitUntil(() => !executor.isRunning(0));

    const lock = await newOwner.get(paths.runningItem(0));
    expect(lock?.ephemeralOwner).toBe(newOwner.sessionId);
    expect(job.fetches).toHaveLength(1);
  });

  it('a run waiting for the lock when its session ends never takes the lock in the new session', async () => {
    const store = new InMemoryRegistryStore();
    const { registry, view, job, executor } = await setUp(store, 1);
    const previousOwner = new InMemoryRegistry({ store });
    await previousOwner.connect();
    closers.push(async () => {
      job.release();
      await executor.stop(1_000);
      view.stop();
      await registry.close();
      await previousOwner.close();
    });
    await previousOwner.create(paths.runningItem(0), JSON.stringify({ instance: 'y', epoch: 1, startedAt: Date.now() }), { ephemeral: true });
    await writeAssignment(registry, 2, [{ instance: 'x', epoch: 2 }]);
    await waitUntil(() => view.assignment?.generation === 2);
    executor.fire('cron');
    expect(executor.isRunning(0)).toBe(true);

    registry.expireSession();
    await previousOwner.removeOwned(paths.runningItem(0), previousOwner.sessionId);
    await waitUntil(() => !executor.isRunning(0));

    expect(await previousOwner.exists(paths.runningItem(0))).toBe(false);
    expect(job.fetches).toEqual([]);
  });
});
