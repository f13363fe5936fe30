import { isDataflowJob, type Job } from '../job/job.js';
import type { ShardingContext, TriggerSource } from '../job/sharding-context.js';
import type { JobEventSink, ItemRunInfo, ItemStopReason } from '../events/job-events.js';
import type { JobStateView } from '../coordination/job-state-view.js';
import type { ResolvedJobConfig } from '../config/validate-job-config.js';
import type { Registry } from '../registry/registry.js';
import type { Assignment } from '../sharding/assignment.js';
import { ItemFencedError } from '../errors/item-fenced-error.js';
import { ItemTimeoutError } from '../errors/item-timeout-error.js';
import { RegistrySessionChangedError } from '../errors/registry-session-changed-error.js';
import { toError } from '../util/to-error.js';
import { delay } from '../util/delay.js';
import type { ConnectionFence } from '../coordination/connection-fence.js';
import { createItemContext } from './item-context.js';
import type { ItemLock } from '../coordination/item-lock.js';
import { Semaphore } from './semaphore.js';
import { traced } from '../tracing/trace-channel.js';
import { fetchChannel, itemRunChannel, processChannel } from '../tracing/core-channels.js';

interface ActiveRun {
  /** The assignment the run started from: its item count and the item's epoch are the run's. */
  readonly assignment: Assignment;
  readonly epoch: number;
  /** The registry session the run started in; its run lock belongs to this session. */
  readonly session: string;
  readonly controller: AbortController;
  misfirePending: boolean;
  /** A wakeup arrived while the run was on: rows it announced may have come after the run's last fetch. */
  wakeupPending: boolean;
}

export interface ItemExecutorOptions {
  readonly instanceId: string;
  readonly registry: Registry;
  readonly job: Job<unknown>;
  readonly view: JobStateView;
  readonly fence: ConnectionFence;
  readonly lock: ItemLock;
  readonly events: JobEventSink;
  readonly onItemError: ((error: Error, ctx: ShardingContext) => void) | undefined;
}

/**
 * Runs this instance's items. Per item at most one run at a time; a fire that finds the item
 * running sets one pending catch-up run (misfire) instead of queueing more, and so does a wakeup
 * (new rows announced): however many wakeups arrive during a run, one run follows it. Items run
 * concurrently up to `maxConcurrentItems`; one item's failure never touches the others.
 *
 * A run: take a permit, take the item's run lock, then loop batches while `ctx.isOwner()`
 * (same owner and epoch in the assignment, healthy registry connection, signal not aborted).
 * The signal aborts on reassignment, shutdown, connection fencing and per-item timeout; loops
 * stop between batches, and jobs may pass the signal into their own I/O.
 */
export class ItemExecutor {
  private readonly runs = new Map<number, ActiveRun>();
  private readonly settled = new Set<Promise<void>>();
  private readonly handledFailoverEpochs = new Map<number, number>();
  private readonly semaphore = new Semaphore(1);
  private sequence = 0;
  private accepting = true;
  /** During graceful shutdown, locks are released only after the instance node is gone (see releaseHeldLocks). */
  private holdLocks = false;
  /** item -> the session whose lock on it is held back. */
  private readonly heldLocks = new Map<number, string>();

  constructor(private readonly options: ItemExecutorOptions) {}

  isRunning(item: number): boolean {
    return this.runs.has(item);
  }

  /** Starts runs of the given items (default: all owned), or marks a misfire for those still running. */
  fire(trigger: TriggerSource, items: readonly number[] = this.ownedItems()): void {
    const config = this.options.view.config;
    if (!this.accepting || !config || config.disabled) return;
    // Until the leader has resharded to the configured count, the assignment speaks of other items.
    if (this.options.view.assignment?.shardingTotalCount !== config.shardingTotalCount) return;
    for (const item of items) {
      if (this.options.view.disabledItems.has(item)) continue;
      const active = this.runs.get(item);
      if (active) {
        if (config.misfire && trigger === 'cron' && !active.misfirePending) {
          active.misfirePending = true;
          this.options.events.emit('misfire', { jobName: config.jobName, item });
        }
        if (trigger === 'wakeup') active.wakeupPending = true;
        continue;
      }
      this.start(item, trigger);
    }
  }

  /** Reacts to a new assignment: aborts runs of items we lost, runs failed-over items at once. */
  onAssignmentChanged(): void {
    const assignment = this.options.view.assignment;
    for (const [item, run] of this.runs) {
      const owner = assignment?.items[item];
      if (!owner || owner.instance !== this.options.instanceId || owner.epoch !== run.epoch) {
        run.controller.abort(new Error(`item ${item} was reassigned`));
      }
    }
    const config = this.options.view.config;
    if (!assignment || !config?.failover) return;
    const takeovers: number[] = [];
    assignment.items.forEach((owner, item) => {
      if (owner.instance !== this.options.instanceId || !owner.failover) return;
      if ((this.handledFailoverEpochs.get(item) ?? -1) >= owner.epoch) return;
      this.handledFailoverEpochs.set(item, owner.epoch);
      takeovers.push(item);
      this.options.events.emit('failoverTaken', { jobName: config.jobName, item, epoch: owner.epoch, fromInstance: undefined });
    });
    if (takeovers.length > 0) this.fire('failover', takeovers);
  }

  setConcurrency(limit: number): void {
    this.semaphore.setLimit(limit);
  }

  abortAll(reason: string): void {
    for (const run of this.runs.values()) run.controller.abort(new Error(reason));
  }

  /**
   * Graceful stop: no new runs, ask running ones to stop between batches, wait up to `timeoutMs`.
   * Run locks of runs that end are kept until `releaseHeldLocks`, so that the survivors see the
   * lock vanish after our instance node did, and take the items over at once.
   */
  async stop(timeoutMs: number): Promise<void> {
    this.accepting = false;
    this.holdLocks = true;
    this.abortAll('the scheduler is shutting down');
    await Promise.race([Promise.allSettled([...this.settled]), delay(timeoutMs, { unref: true })]);
  }

  async releaseHeldLocks(): Promise<void> {
    const held = [...this.heldLocks];
    this.heldLocks.clear();
    await Promise.allSettled(held.map(([item, session]) => this.options.lock.release(item, session)));
  }

  private ownedItems(): number[] {
    const assignment = this.options.view.assignment;
    if (!assignment) return [];
    const items: number[] = [];
    assignment.items.forEach((owner, item) => {
      if (owner.instance === this.options.instanceId) items.push(item);
    });
    return items;
  }

  private start(item: number, trigger: TriggerSource): void {
    const { view, registry, instanceId } = this.options;
    const assignment = view.assignment;
    const owner = assignment?.items[item];
    if (!assignment || !owner || owner.instance !== instanceId) return;
    // An assignment cached before the current session may be stale: wait for the re-read.
    if (view.assignmentSession !== registry.sessionId) return;
    const run: ActiveRun = { assignment, epoch: owner.epoch, session: registry.sessionId, controller: new AbortController(), misfirePending: false, wakeupPending: false };
    this.runs.set(item, run);
    const done = this.run(item, trigger, run).finally(() => {
      this.runs.delete(item);
      this.settled.delete(done);
      if (!this.accepting) return;
      if (run.misfirePending) this.start(item, 'misfire');
      else if (run.wakeupPending) this.start(item, 'wakeup');
    });
    this.settled.add(done);
  }

  private async run(item: number, trigger: TriggerSource, run: ActiveRun): Promise<void> {
    const { view, fence, lock, events, instanceId, registry } = this.options;
    const config = view.config as ResolvedJobConfig;
    const signal = run.controller.signal;
    // Asked before every batch and before a job's side effects (ctx.isOwner / assertOwner).
    const fencedBecause = (): string | undefined => {
      if (signal.aborted) return String((signal.reason as Error | undefined)?.message ?? 'aborted');
      if (registry.sessionId !== run.session) return `the registry session changed from ${run.session} to ${registry.sessionId}`;
      if (!fence.isHealthy()) return 'the registry connection is not healthy';
      if (view.assignmentSession !== run.session) return 'the assignment has not been read again since the registry session changed';
      const owner = view.assignment?.items[item];
      if (!owner || owner.instance !== instanceId) return 'the item is assigned to another instance';
      if (owner.epoch !== run.epoch) return `the item's epoch moved from ${run.epoch} to ${owner.epoch}`;
      return undefined;
    };
    try {
      await this.semaphore.acquire(signal);
    } catch {
      return;
    }
    let locked = false;
    try {
      if (fencedBecause() !== undefined) return;
      await lock.acquire(item, run.epoch, run.session, signal);
      locked = true;
      await this.execute(item, trigger, run, config, fencedBecause);
    } catch (error) {
      // Only lock acquisition can land here (execute reports its own errors): an aborted wait, or a
      // session that ended while we waited, is a normal end of the run.
      if (!signal.aborted && !(error instanceof RegistrySessionChangedError)) events.emit('error', toError(error));
    } finally {
      this.semaphore.release();
      if (locked) {
        if (this.holdLocks) this.heldLocks.set(item, run.session);
        else await lock.release(item, run.session).catch((error: unknown) => events.emit('error', toError(error)));
      }
    }
  }

  private async execute(
    item: number,
    trigger: TriggerSource,
    run: ActiveRun,
    config: ResolvedJobConfig,
    fencedBecause: () => string | undefined,
  ): Promise<void> {
    const { events, instanceId, job } = this.options;
    this.sequence += 1;
    const info: ItemRunInfo = {
      jobName: config.jobName,
      item,
      taskId: `${config.jobName}@${item}@${instanceId}@${this.sequence}`,
      epoch: run.epoch,
      trigger,
    };
    const ctx = createItemContext({
      ...info,
      shardingTotalCount: run.assignment.shardingTotalCount,
      shardingItem: item,
      shardingParameter: config.shardingItemParameters.get(item),
      jobParameter: config.jobParameter,
      instanceId,
      signal: run.controller.signal,
      fencedBecause,
    });
    const timeout = config.itemTimeoutMs === undefined
      ? undefined
      : setTimeout(() => run.controller.abort(new ItemTimeoutError(config.jobName, item, config.itemTimeoutMs as number)), config.itemTimeoutMs);
    const startedAt = Date.now();
    events.emit('itemStarted', info);
    try {
      // A run that outlived its timeout fails with the timeout inside the trace, so that the
      // channel's subscribers (metrics, history, spans) see it as the ItemTimeoutError it is.
      const { batches, stoppedBy } = await traced(itemRunChannel, () => ({ ...info, ctx }), async () => {
        const outcome = await this.executeJob(job, ctx, config, startedAt);
        if (run.controller.signal.reason instanceof ItemTimeoutError) throw run.controller.signal.reason;
        return outcome;
      });
      events.emit('itemCompleted', { ...info, durationMs: Date.now() - startedAt, batches, stoppedBy });
    } catch (thrown) {
      const error = toError(thrown);
      events.emit('itemFailed', { ...info, durationMs: Date.now() - startedAt, error });
      this.options.onItemError?.(error, ctx);
    } finally {
      if (timeout) clearTimeout(timeout);
    }
  }

  private async executeJob(
    job: Job<unknown>,
    ctx: ShardingContext,
    config: ResolvedJobConfig,
    startedAt: number,
  ): Promise<{ batches: number; stoppedBy: ItemStopReason }> {
    if (!isDataflowJob(job)) {
      await job.execute(ctx);
      return { batches: 1, stoppedBy: 'not-streaming' };
    }
    let batches = 0;
    for (;;) {
      if (ctx.signal.aborted) return { batches, stoppedBy: 'aborted' };
      if (!ctx.isOwner()) return { batches, stoppedBy: 'fenced' };
      const data = await traced(fetchChannel, () => ({ ctx, batch: batches }), () => job.fetchData(ctx));
      if (data.length === 0) return { batches, stoppedBy: 'drained' };
      if (!ctx.isOwner()) return { batches, stoppedBy: ctx.signal.aborted ? 'aborted' : 'fenced' };
      try {
        await traced(processChannel, () => ({ ctx, batch: batches, size: data.length }), () => job.processData(ctx, data));
      } catch (error) {
        // The job did what fencing asks (ctx.assertOwner() before its side effects): a stop, not a failure.
        if (error instanceof ItemFencedError && !ctx.isOwner()) return { batches, stoppedBy: ctx.signal.aborted ? 'aborted' : 'fenced' };
        throw error;
      }
      batches += 1;
      if (!config.streamingProcess) return { batches, stoppedBy: 'not-streaming' };
      const overBatches = config.maxBatchesPerTrigger !== undefined && batches >= config.maxBatchesPerTrigger;
      const overTime = config.maxTimePerTriggerMs !== undefined && Date.now() - startedAt >= config.maxTimePerTriggerMs;
      if (overBatches || overTime) return { batches, stoppedBy: 'budget' };
    }
  }
}
