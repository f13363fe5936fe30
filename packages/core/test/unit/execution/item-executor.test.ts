import { EventEmitter } from 'eventemitter3';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { untilSettled, waitUntil } from '@shardflow/testkit/wait-until';
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
import { onFakeTimers } from '../../fake-timers.js';

const JOB = 'executor-job';
const paths = new JobPaths(JOB);

// On fake timers: a wait costs no wall-clock time.
const pause = (ms: number): Promise<unknown> => vi.advanceTimersByTimeAsync(ms);
const until = (condition: () => boolean): Promise<void> => waitUntil(condition, { pause });

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
    ctx.assertOwner();
  }

  release(): void {
    this.open?.();
  }
}

const closers: Array<() => Promise<void>> = [];

/** One executor over its own registry session, with the job's nodes written by hand (no leader); closed after the test. */
async function setUp(store: InMemoryRegistryStore, shardingTotalCount: number) {
  const registry = new InMemoryRegistry({ store });
  await registry.connect();
  await publishJobConfig(registry, paths, validateJobConfig({ jobName: JOB, cron: '0 0 * * * ?', shardingTotalCount, streamingProcess: true }));
  const view = new JobStateView(registry, paths, 60_000);
  await untilSettled(view.start(), { pause });
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
  closers.push(async () => {
    job.release();
    await untilSettled(executor.stop(1_000), { pause });
    view.stop();
    await registry.close();
  });
  return { registry, view, job, events, executor };
}

/** Another session on the same store, as another instance's; closed after the test. */
async function otherSession(store: InMemoryRegistryStore): Promise<InMemoryRegistry> {
  const registry = new InMemoryRegistry({ store });
  await registry.connect();
  closers.push(() => registry.close());
  return registry;
}

async function writeAssignment(registry: InMemoryRegistry, generation: number, owners: Array<{ instance: string; epoch: number }>): Promise<void> {
  await registry.put(paths.assignment, serializeAssignment({
    generation,
    shardingTotalCount: owners.length,
    items: owners.map((owner) => ({ ...owner, failover: false })),
  }));
}

describe('ItemExecutor', () => {
  onFakeTimers();
  afterEach(async () => {
    for (const close of closers.splice(0)) await close();
  });

  it('takes a run\'s item count and epoch from one assignment, and fires nothing while the configured count differs', async () => {
    const store = new InMemoryRegistryStore();
    const { registry, view, job, executor } = await setUp(store, 4);
    // The config says 4 items, the leader has not resharded yet: the assignment still has 2.
    await writeAssignment(registry, 1, [{ instance: 'x', epoch: 1 }, { instance: 'x', epoch: 1 }]);
    await until(() => view.assignment?.generation === 1);
    executor.fire('cron');
    expect(executor.isRunning(0)).toBe(false);
    expect(executor.isRunning(1)).toBe(false);

    await writeAssignment(registry, 2, [0, 1, 2, 3].map(() => ({ instance: 'x', epoch: 2 })));
    await until(() => view.assignment?.generation === 2);
    executor.fire('cron');
    await until(() => job.fetches.length === 4);
    expect(job.fetches.map((fetch) => fetch.total)).toEqual([4, 4, 4, 4]);
    expect(job.fetches.map((fetch) => fetch.epoch)).toEqual([2, 2, 2, 2]);
  });

  it('a run that outlives its registry session starts no new batch and leaves the new owner\'s run lock alone', async () => {
    const store = new InMemoryRegistryStore();
    const { registry, view, job, executor } = await setUp(store, 1);
    const newOwner = await otherSession(store);
    await writeAssignment(registry, 1, [{ instance: 'x', epoch: 1 }]);
    await until(() => view.assignment?.generation === 1);
    executor.fire('cron');
    await until(() => job.processing.has(0));

    // Frozen past the session timeout: the server ended our session, another instance took the item.
    registry.expireSession();
    await newOwner.create(paths.runningItem(0), JSON.stringify({ instance: 'y', epoch: 2, startedAt: Date.now() }), { ephemeral: true });
    job.release();
    await until(() => !executor.isRunning(0));

    const lock = await newOwner.get(paths.runningItem(0));
    expect(lock?.ephemeralOwner).toBe(newOwner.sessionId);
    expect(job.fetches).toHaveLength(1);
  });

  it('a run waiting for the lock when its session ends never takes the lock in the new session', async () => {
    const store = new InMemoryRegistryStore();
    const { registry, view, job, executor } = await setUp(store, 1);
    const previousOwner = await otherSession(store);
    await previousOwner.create(paths.runningItem(0), JSON.stringify({ instance: 'y', epoch: 1, startedAt: Date.now() }), { ephemeral: true });
    await writeAssignment(registry, 2, [{ instance: 'x', epoch: 2 }]);
    await until(() => view.assignment?.generation === 2);
    executor.fire('cron');
    expect(executor.isRunning(0)).toBe(true);

    registry.expireSession();
    await previousOwner.removeOwned(paths.runningItem(0), previousOwner.sessionId);
    await until(() => !executor.isRunning(0));

    expect(await previousOwner.exists(paths.runningItem(0))).toBe(false);
    expect(job.fetches).toEqual([]);
  });

  it('a job that stops at assertOwner after losing its item has stopped, not failed', async () => {
    const store = new InMemoryRegistryStore();
    const { registry, view, job, events, executor } = await setUp(store, 1);
    const ended: string[] = [];
    events.on('itemCompleted', ({ stoppedBy }) => ended.push(stoppedBy));
    events.on('itemFailed', ({ error }) => ended.push(`failed: ${error.message}`));
    await writeAssignment(registry, 1, [{ instance: 'x', epoch: 1 }]);
    await until(() => view.assignment?.generation === 1);
    executor.fire('cron');
    await until(() => job.processing.has(0));
    await writeAssignment(registry, 2, [{ instance: 'y', epoch: 2 }]);
    await until(() => view.assignment?.generation === 2);
    executor.onAssignmentChanged();
    job.release();
    await until(() => ended.length === 1);
    expect(ended).toEqual(['aborted']);
  });
});
