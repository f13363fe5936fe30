import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { CORE_TRACE_CHANNELS, ShardflowError, traceChannel, type ItemRunTraceContext, type ItemStopReason, type JobScheduler } from '@shardflow/core';
import { DURATION_BUCKETS } from '../prometheus/buckets.js';
import { sharedMetric } from '../prometheus/shared-metric.js';
import { timeChannel } from '../tracing/channel-timer.js';
import { listen } from '../events/listen.js';

/** How an item run ended, as the `result` label says it. */
export type ItemRunResult = 'completed' | 'failed' | 'timeout' | 'fenced' | 'aborted';

/**
 * Job metrics. Runs are timed from core's item-run tracing channel rather than the scheduler's
 * `itemFailed` event: a listener there would count as handling the failure and silence the
 * scheduler's last-resort report of errors nobody handles. The gauges and the failover counter
 * follow each observed scheduler's events.
 */
export class JobMetrics {
  private readonly runs: Counter<'job' | 'result'>;
  private readonly runDuration: Histogram<'job' | 'result'>;
  private readonly triggers: Counter<'job' | 'source'>;
  private readonly fencingAborts: Counter<'job'>;
  private readonly ownedItems: Gauge<'job'>;
  private readonly isLeader: Gauge<'job'>;
  private readonly failovers: Counter<'job'>;
  private readonly misfires: Counter<'job'>;
  private stopTiming: (() => void) | undefined;

  constructor(register: Registry) {
    const registers = [register];
    this.runs = sharedMetric(register, 'shardflow_job_item_runs_total', () => new Counter({
      name: 'shardflow_job_item_runs_total', help: 'Item runs that ended, by result (completed, failed, timeout, fenced, aborted).', labelNames: ['job', 'result'], registers,
    }));
    this.runDuration = sharedMetric(register, 'shardflow_job_item_run_duration_seconds', () => new Histogram({
      name: 'shardflow_job_item_run_duration_seconds', help: 'Duration of item runs (every batch of a streaming run), by result.', labelNames: ['job', 'result'], buckets: [...DURATION_BUCKETS], registers,
    }));
    this.triggers = sharedMetric(register, 'shardflow_job_triggers_total', () => new Counter({
      name: 'shardflow_job_triggers_total', help: 'Item runs started, by what started them (cron, manual, misfire, failover).', labelNames: ['job', 'source'], registers,
    }));
    this.fencingAborts = sharedMetric(register, 'shardflow_job_fencing_aborts_total', () => new Counter({
      name: 'shardflow_job_fencing_aborts_total', help: 'Item runs stopped because the item was no longer this instance\'s (reassigned, newer epoch, unhealthy registry connection).', labelNames: ['job'], registers,
    }));
    this.ownedItems = sharedMetric(register, 'shardflow_job_owned_items', () => new Gauge({
      name: 'shardflow_job_owned_items', help: 'Items this instance owns in the current assignment.', labelNames: ['job'], registers,
    }));
    this.isLeader = sharedMetric(register, 'shardflow_job_is_leader', () => new Gauge({
      name: 'shardflow_job_is_leader', help: '1 while this instance is the job\'s leader, else 0.', labelNames: ['job'], registers,
    }));
    this.failovers = sharedMetric(register, 'shardflow_job_failovers_taken_total', () => new Counter({
      name: 'shardflow_job_failovers_taken_total', help: 'Items this instance took over from an instance that died or left mid-run.', labelNames: ['job'], registers,
    }));
    this.misfires = sharedMetric(register, 'shardflow_job_misfires_total', () => new Counter({
      name: 'shardflow_job_misfires_total', help: 'Cron fires that found the item still running.', labelNames: ['job'], registers,
    }));
  }

  /** Starts timing every item run in this process (idempotent). */
  timeRuns(): void {
    if (this.stopTiming) return;
    const channel = traceChannel<ItemRunTraceContext & { result?: { stoppedBy: ItemStopReason } }>(CORE_TRACE_CHANNELS.itemRun);
    const onStart = (context: ItemRunTraceContext): void => {
      this.triggers.inc({ job: context.jobName, source: context.trigger });
    };
    channel.start.subscribe(onStart as (message: unknown) => void);
    const stopTimer = timeChannel(channel, ({ context, seconds, error }) => {
      const result = runResult(context.result?.stoppedBy, error);
      this.runs.inc({ job: context.jobName, result });
      this.runDuration.observe({ job: context.jobName, result }, seconds);
      if (result === 'fenced') this.fencingAborts.inc({ job: context.jobName });
    });
    this.stopTiming = () => {
      channel.start.unsubscribe(onStart as (message: unknown) => void);
      stopTimer();
    };
  }

  /** Follows one scheduler's leadership, owned items, failovers and misfires; returns the unsubscribe. */
  observe(scheduler: JobScheduler<unknown>): () => void {
    const job = { job: scheduler.jobName };
    this.timeRuns();
    this.ownedItems.set(job, scheduler.items.length);
    this.isLeader.set(job, scheduler.isLeader ? 1 : 0);
    const onItems = ({ items }: { items: readonly number[] }): void => this.ownedItems.set(job, items.length);
    const onLeadership = ({ isLeader }: { isLeader: boolean }): void => this.isLeader.set(job, isLeader ? 1 : 0);
    const onFailover = (): void => this.failovers.inc(job);
    const onMisfire = (): void => this.misfires.inc(job);
    return listen(scheduler, { itemsAssigned: onItems, leadership: onLeadership, failoverTaken: onFailover, misfire: onMisfire });
  }

  /** Stops timing runs. */
  close(): void {
    this.stopTiming?.();
    this.stopTiming = undefined;
  }
}

function runResult(stoppedBy: ItemStopReason | undefined, error: unknown): ItemRunResult {
  if (error !== undefined) {
    if (ShardflowError.is(error, 'ITEM_TIMEOUT')) return 'timeout';
    return ShardflowError.is(error, 'ITEM_FENCED') ? 'fenced' : 'failed';
  }
  if (stoppedBy === 'fenced' || stoppedBy === 'aborted') return stoppedBy;
  return 'completed';
}
