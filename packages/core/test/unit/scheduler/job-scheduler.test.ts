import { afterEach, describe, expect, it, vi } from 'vitest';
import { untilSettled, waitUntil } from '@shardflow/testkit/wait-until';
import {
  DuplicateInstanceError, InMemoryRegistry, InMemoryRegistryStore, InvalidJobConfigError, JobOperator, JobScheduler,
  type DataflowJob, type JobConfig, type ShardingContext, type SimpleJob, type Unsubscribe,
} from '../../../src/index.js';
import { onFakeTimers } from '../../fake-timers.js';

/** Fails the first watch of a job's election children: a start() that breaks after it registered. */
class FailingLatchWatchRegistry extends InMemoryRegistry {
  failures = 1;

  override watchChildren(path: string, listener: (children: string[]) => void): Unsubscribe {
    if (path.endsWith('/leader/latch') && this.failures > 0) {
      this.failures -= 1;
      throw new Error('injected failure while watching the election');
    }
    return super.watchChildren(path, listener);
  }
}

/** Records each run; `hold` keeps runs busy until released. */
class RecordingJob implements SimpleJob {
  readonly runs: Array<{ item: number; instance: string; trigger: string; parameter: string | undefined }> = [];
  running = 0;
  maxRunning = 0;
  hold: Promise<void> | undefined;

  async execute(ctx: ShardingContext): Promise<void> {
    this.runs.push({ item: ctx.shardingItem, instance: ctx.instanceId, trigger: ctx.trigger, parameter: ctx.shardingParameter });
    this.running += 1;
    this.maxRunning = Math.max(this.maxRunning, this.running);
    try {
      await this.hold;
    } finally {
      this.running -= 1;
    }
  }
}

const HOURLY = '0 0 * * * ?';

// Every test runs on fake timers: waiting costs no wall-clock time, and a timeout counts fake milliseconds.
const elapse = (ms: number): Promise<unknown> => vi.advanceTimersByTimeAsync(ms);
const until = (condition: () => boolean, timeoutMs?: number): Promise<void> => waitUntil(condition, { pause: elapse, ...(timeoutMs ? { timeoutMs } : {}) });
const settle = <T>(promise: Promise<T>): Promise<T> => untilSettled(promise, { pause: elapse });

describe('JobScheduler on the in-memory registry', () => {
  const store = new InMemoryRegistryStore();
  const started: Array<{ scheduler: JobScheduler; registry: InMemoryRegistry }> = [];

  onFakeTimers();
  afterEach(async () => {
    for (const { scheduler, registry } of started.splice(0)) {
      await settle(scheduler.shutdown());
      await registry.close();
    }
  });

  async function start(job: SimpleJob | DataflowJob<unknown>, config: Partial<JobConfig> & { jobName: string }, instanceId?: string) {
    const registry = new InMemoryRegistry({ store });
    await registry.connect();
    const scheduler = new JobScheduler(registry, job, { cron: HOURLY, shardingTotalCount: 4, ...config }, instanceId ? { instanceId } : {});
    await settle(scheduler.start());
    started.push({ scheduler, registry });
    // Manual triggers reach only instances that already own items.
    await until(() => scheduler.items.length > 0 || started.length > 1);
    return { scheduler, registry };
  }

  it('spreads the items over the instances and each runs only its own', async () => {
    const job = new RecordingJob();
    const a = await start(job, { jobName: 'spread', shardingItemParameters: '0=zero,3=three' }, 'a');
    const b = await start(job, { jobName: 'spread' }, 'b');
    await until(() => a.scheduler.items.length === 2 && b.scheduler.items.length === 2);
    expect([...a.scheduler.items, ...b.scheduler.items].sort()).toEqual([0, 1, 2, 3]);
    await new JobOperator(a.registry).trigger('spread');
    await until(() => job.runs.length === 4);
    for (const run of job.runs) {
      const owner = run.instance === 'a' ? a.scheduler : b.scheduler;
      expect(owner.items).toContain(run.item);
      expect(run.trigger).toBe('manual');
    }
    expect(job.runs.find((run) => run.item === 3)?.parameter).toBe('three');
    expect(job.runs.find((run) => run.item === 1)?.parameter).toBeUndefined();
  });

  it('elects exactly one leader', async () => {
    const job = new RecordingJob();
    const schedulers = [await start(job, { jobName: 'leader' }), await start(job, { jobName: 'leader' }), await start(job, { jobName: 'leader' })];
    await until(() => schedulers.filter((s) => s.scheduler.isLeader).length === 1);
    await elapse(50);
    expect(schedulers.filter((s) => s.scheduler.isLeader)).toHaveLength(1);
  });

  it('a fire that finds an item running leads to exactly one catch-up run', async () => {
    const job = new RecordingJob();
    let release!: () => void;
    job.hold = new Promise((resolve) => (release = resolve));
    const { scheduler } = await start(job, { jobName: 'misfire', shardingTotalCount: 1, cron: '* * * * * ?' });
    const misfires: number[] = [];
    scheduler.on('misfire', ({ item }) => misfires.push(item));
    await until(() => job.runs.length === 1, 3_000);
    await until(() => misfires.length >= 1, 3_000);
    await elapse(1_200);
    job.hold = undefined;
    release();
    await until(() => job.runs.length >= 2);
    expect(job.runs[1]?.trigger).toBe('misfire');
    expect(misfires).toEqual([0]);
  });

  it('wakeups during a run lead to exactly one more run, through the run lock like a cron fire', async () => {
    const job = new RecordingJob();
    let release!: () => void;
    job.hold = new Promise((resolve) => (release = resolve));
    const { scheduler, registry } = await start(job, { jobName: 'wakeup', shardingTotalCount: 1 });
    const misfires: number[] = [];
    scheduler.on('misfire', ({ item }) => misfires.push(item));
    scheduler.wake();
    await until(() => job.runs.length === 1);
    expect(await registry.get('/wakeup/running/0')).toBeDefined();
    for (let i = 0; i < 5; i++) scheduler.wake();
    job.hold = undefined;
    release();
    await until(() => job.runs.length >= 2);
    await elapse(50);
    expect(job.runs.map((run) => run.trigger)).toEqual(['wakeup', 'wakeup']);
    expect(misfires).toEqual([]);
  });

  it('a wakeup does not run a disabled item', async () => {
    const job = new RecordingJob();
    const { scheduler, registry } = await start(job, { jobName: 'wakeup-disabled', shardingTotalCount: 2 });
    await new JobOperator(registry).disableItem('wakeup-disabled', 1);
    await elapse(50);
    scheduler.wake();
    await until(() => job.runs.length === 1);
    await elapse(50);
    expect(job.runs.map((run) => [run.item, run.trigger])).toEqual([[0, 'wakeup']]);
  });

  it('streams a dataflow item until fetchData returns nothing', async () => {
    const batches: number[][] = [];
    let remaining = 5;
    const job: DataflowJob<number> = {
      fetchData: async () => (remaining > 0 ? [remaining--] : []),
      processData: async (_ctx, data) => void batches.push([...data]),
    };
    const { registry } = await start(job, { jobName: 'stream', shardingTotalCount: 1, streamingProcess: true });
    await new JobOperator(registry).trigger('stream');
    await until(() => remaining === 0 && batches.length === 5);
    expect(batches).toEqual([[5], [4], [3], [2], [1]]);
  });

  it('honours the batch budget of a streaming run', async () => {
    let fetched = 0;
    const job: DataflowJob<number> = { fetchData: async () => [fetched++], processData: async () => undefined };
    const { scheduler, registry } = await start(job, { jobName: 'budget', shardingTotalCount: 1, streamingProcess: true, maxBatchesPerTrigger: 3 });
    const completed: string[] = [];
    scheduler.on('itemCompleted', ({ stoppedBy, batches }) => completed.push(`${stoppedBy}:${batches}`));
    await new JobOperator(registry).trigger('budget');
    await until(() => completed.length === 1);
    expect(completed).toEqual(['budget:3']);
  });

  it('one failing item does not stop the others; the error is an event and reaches the handler', async () => {
    const handled: number[] = [];
    const job: SimpleJob = {
      execute: async (ctx) => {
        if (ctx.shardingItem === 1) throw new Error('boom');
      },
    };
    const registry = new InMemoryRegistry({ store });
    await registry.connect();
    const scheduler = new JobScheduler(registry, job, { jobName: 'errors', cron: HOURLY, shardingTotalCount: 3 }, { onItemError: (_error, ctx) => handled.push(ctx.shardingItem) });
    started.push({ scheduler, registry });
    const completed: number[] = [];
    const failed: string[] = [];
    scheduler.on('itemCompleted', ({ item }) => completed.push(item));
    scheduler.on('itemFailed', ({ item, error }) => failed.push(`${item}:${error.message}`));
    await settle(scheduler.start());
    await until(() => scheduler.items.length === 3);
    await new JobOperator(registry).trigger('errors');
    await until(() => completed.length === 2 && failed.length === 1);
    expect(completed.sort()).toEqual([0, 2]);
    expect(failed).toEqual(['1:boom']);
    expect(handled).toEqual([1]);
  });

  it('limits concurrent items per instance', async () => {
    const job = new RecordingJob();
    let release!: () => void;
    job.hold = new Promise((resolve) => (release = resolve));
    const { registry } = await start(job, { jobName: 'concurrency', shardingTotalCount: 6, maxConcurrentItems: 2 });
    await new JobOperator(registry).trigger('concurrency');
    await until(() => job.runs.length === 2);
    await elapse(100);
    expect(job.runs).toHaveLength(2);
    release();
    await until(() => job.runs.length === 6);
    expect(job.maxRunning).toBe(2);
  });

  it('reshards live when the operator changes shardingTotalCount', async () => {
    const job = new RecordingJob();
    const a = await start(job, { jobName: 'recount' }, 'a');
    const b = await start(job, { jobName: 'recount' }, 'b');
    await until(() => a.scheduler.items.length + b.scheduler.items.length === 4);
    await new JobOperator(a.registry).updateConfig('recount', { shardingTotalCount: 6 });
    await until(() => a.scheduler.items.length + b.scheduler.items.length === 6);
    expect(a.scheduler.config.shardingTotalCount).toBe(6);
  });

  it('gives a disabled instance no items, and stops firing a disabled job', async () => {
    const job = new RecordingJob();
    const a = await start(job, { jobName: 'disable' }, 'a');
    const b = await start(job, { jobName: 'disable' }, 'b');
    const operator = new JobOperator(a.registry);
    await operator.disableInstance('disable', 'b');
    await until(() => a.scheduler.items.length === 4 && b.scheduler.items.length === 0);
    await operator.disableJob('disable');
    await until(() => a.scheduler.config.disabled);
    await operator.trigger('disable');
    await elapse(100);
    expect(job.runs).toEqual([]);
  });

  it('skips a disabled item', async () => {
    const job = new RecordingJob();
    const { registry } = await start(job, { jobName: 'item-off', shardingTotalCount: 2 });
    const operator = new JobOperator(registry);
    await operator.disableItem('item-off', 1);
    await elapse(20);
    await operator.trigger('item-off');
    await until(() => job.runs.length === 1);
    await elapse(50);
    expect(job.runs.map((run) => run.item)).toEqual([0]);
  });

  it('graceful shutdown hands a running item to the survivor at once (failover)', async () => {
    const job = new RecordingJob();
    let release!: () => void;
    job.hold = new Promise((resolve) => (release = resolve));
    const a = await start(job, { jobName: 'handover', shardingTotalCount: 2, shutdownTimeoutMs: 50 }, 'a');
    const b = await start(job, { jobName: 'handover', shardingTotalCount: 2 }, 'b');
    await until(() => a.scheduler.items.length === 1 && b.scheduler.items.length === 1);
    await new JobOperator(a.registry).trigger('handover');
    await until(() => job.runs.length === 2);
    const aItem = a.scheduler.items[0] as number;
    const shutdown = a.scheduler.shutdown();
    release();
    job.hold = undefined;
    await settle(shutdown);
    await until(() => job.runs.some((run) => run.instance === 'b' && run.item === aItem && run.trigger === 'failover'));
  });

  it('a run past itemTimeoutMs is aborted and reported as failed with ItemTimeoutError', async () => {
    const job: SimpleJob = {
      execute: (ctx) => new Promise((resolve) => ctx.signal.addEventListener('abort', () => resolve(), { once: true })),
    };
    const { scheduler, registry } = await start(job, { jobName: 'timeout', shardingTotalCount: 1, itemTimeoutMs: 100 });
    const failed: string[] = [];
    scheduler.on('itemFailed', ({ error }) => failed.push((error as { code?: string }).code ?? error.message));
    await new JobOperator(registry).trigger('timeout');
    await until(() => failed.length === 1);
    expect(failed).toEqual(['ITEM_TIMEOUT']);
  });

  it('fencing: a suspended connection stops new batches at once and aborts running items at half the session timeout', async () => {
    const registry = new InMemoryRegistry({ store, sessionTimeoutMs: 600 });
    await registry.connect();
    let batches = 0;
    let abortedAt: number | undefined;
    const job: DataflowJob<number> = {
      fetchData: async () => [1],
      processData: async (ctx) => {
        batches += 1;
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, 5_000);
          ctx.signal.addEventListener('abort', () => {
            abortedAt = Date.now();
            clearTimeout(timer);
            resolve();
          }, { once: true });
        });
      },
    };
    const scheduler = new JobScheduler(registry, job, { jobName: 'fence', cron: HOURLY, shardingTotalCount: 1, streamingProcess: true });
    started.push({ scheduler, registry });
    await settle(scheduler.start());
    await until(() => scheduler.items.length === 1);
    await new JobOperator(registry).trigger('fence').catch(() => undefined);
    await until(() => batches === 1);
    const suspendedAt = Date.now();
    registry.suspend();
    await until(() => abortedAt !== undefined, 3_000);
    expect((abortedAt as number) - suspendedAt).toBeLessThan(600);
    await elapse(200);
    expect(batches).toBe(1);
    registry.resume();
  });

  it('resharding leaves items that keep their owner running; only moved items are aborted', async () => {
    const aborted = new Set<number>();
    const running = new Set<number>();
    const job: SimpleJob = {
      execute: (ctx) => new Promise((resolve) => {
        running.add(ctx.shardingItem);
        ctx.signal.addEventListener('abort', () => {
          aborted.add(ctx.shardingItem);
          resolve();
        }, { once: true });
      }),
    };
    const a = await start(job, { jobName: 'reshard-live', shardingTotalCount: 4 }, 'a');
    await until(() => a.scheduler.items.length === 4);
    await new JobOperator(a.registry).trigger('reshard-live');
    await until(() => running.size === 4);
    const b = await start(job, { jobName: 'reshard-live', shardingTotalCount: 4 }, 'b');
    await until(() => b.scheduler.items.length === 2);
    await until(() => aborted.size === 2);
    await elapse(100);
    // AVG_ALLOCATION over [a, b]: a keeps 0 and 1, b takes 2 and 3.
    expect([...aborted].sort()).toEqual([2, 3]);
    expect(a.scheduler.items).toEqual([0, 1]);
  });

  it('a cron change in the registry reschedules every instance without restart', async () => {
    const job = new RecordingJob();
    const { scheduler, registry } = await start(job, { jobName: 'recron', shardingTotalCount: 1 });
    await elapse(1_200);
    expect(job.runs).toEqual([]);
    await new JobOperator(registry).updateConfig('recron', { cron: '* * * * * ?' });
    await until(() => job.runs.length >= 1, 3_000);
    expect(job.runs[0]?.trigger).toBe('cron');
    expect(scheduler.config.cron).toBe('* * * * * ?');
  });

  it('stops a streaming run when maxTimePerTriggerMs is spent', async () => {
    const job: DataflowJob<number> = { fetchData: async () => [1], processData: () => new Promise((resolve) => setTimeout(resolve, 20)) };
    const { scheduler, registry } = await start(job, { jobName: 'time-budget', shardingTotalCount: 1, streamingProcess: true, maxTimePerTriggerMs: 150 });
    const completed: string[] = [];
    scheduler.on('itemCompleted', ({ stoppedBy, durationMs }) => completed.push(`${stoppedBy}:${durationMs < 1_000}`));
    await new JobOperator(registry).trigger('time-budget');
    await until(() => completed.length === 1);
    expect(completed).toEqual(['budget:true']);
  });

  it('rejects a bad config at construction, naming the field', () => {
    const registry = new InMemoryRegistry({ store });
    expect(() => new JobScheduler(registry, new RecordingJob(), { jobName: 'bad', cron: 'not a cron', shardingTotalCount: 0 })).toThrow(InvalidJobConfigError);
    try {
      new JobScheduler(registry, new RecordingJob(), { jobName: 'bad', cron: HOURLY, shardingTotalCount: 2, shardingItemParameters: '5=x' });
    } catch (error) {
      expect((error as InvalidJobConfigError).field).toBe('shardingItemParameters');
    }
    expect.assertions(2);
  });

  it('a start() that fails after registering removes its nodes and listeners, and a later start() works', async () => {
    const registry = new FailingLatchWatchRegistry({ store });
    await registry.connect();
    const scheduler = new JobScheduler(registry, new RecordingJob(), { jobName: 'all-or-nothing', cron: HOURLY, shardingTotalCount: 2 }, { instanceId: 'retry-me' });
    await expect(settle(scheduler.start())).rejects.toThrow('injected failure');
    expect(await registry.exists('/all-or-nothing/instances/retry-me')).toBe(false);
    expect(await registry.getChildren('/all-or-nothing/leader/latch')).toEqual([]);
    expect(registry.listenerCount('state')).toBe(0);
    expect(registry.listenerCount('error')).toBe(0);

    await settle(scheduler.start());
    started.push({ scheduler, registry });
    await until(() => scheduler.items.length === 2 && scheduler.isLeader);
    expect(await registry.exists('/all-or-nothing/instances/retry-me')).toBe(true);
  });

  it('a start() refused as a duplicate instance leaves the running instance\'s node alone', async () => {
    const first = await start(new RecordingJob(), { jobName: 'duplicate' }, 'twin');
    const registry = new InMemoryRegistry({ store });
    await registry.connect();
    const twin = new JobScheduler(registry, new RecordingJob(), { jobName: 'duplicate', cron: HOURLY, shardingTotalCount: 4 }, { instanceId: 'twin' });
    await expect(settle(twin.start())).rejects.toBeInstanceOf(DuplicateInstanceError);
    expect((await registry.get('/duplicate/instances/twin'))?.ephemeralOwner).toBe(first.registry.sessionId);
    await registry.close();
  });

  it('reports an error that nobody listens to once per kind, with its cause, instead of dropping it', async () => {
    const warnings: Error[] = [];
    const onWarning = (warning: Error): void => {
      if (warning.name === 'ShardflowUnheardError') warnings.push(warning);
    };
    process.on('warning', onWarning);
    try {
      const failing: SimpleJob = {
        execute: async (ctx) => {
          throw new Error(`item ${ctx.shardingItem} failed`, { cause: new Error('the database said no') });
        },
      };
      const { scheduler, registry } = await start(failing, { jobName: 'unheard', shardingTotalCount: 2 }, 'lonely');
      await until(() => scheduler.items.length === 2);
      await new JobOperator(registry).trigger('unheard');
      await until(() => warnings.length >= 1);
      registry.emit('error', new Error('a registry hiccup'));
      await elapse(50);
      // Two failed items and one registry error, all of kind 'Error': reported once, with the cause.
      expect(warnings).toHaveLength(1);
      expect(warnings[0]?.message).toMatch(/shardflow job 'unheard' on lonely: Error: item \d failed \(cause: the database said no\)/);

      const heard: Error[] = [];
      scheduler.on('error', (error) => heard.push(error));
      registry.emit('error', new Error('forwarded'));
      expect(heard.map((error) => error.message)).toEqual(['forwarded']);
    } finally {
      process.off('warning', onWarning);
    }
  });
});
