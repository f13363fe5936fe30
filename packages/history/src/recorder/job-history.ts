import { randomUUID } from 'node:crypto';
import { hostname, networkInterfaces } from 'node:os';
import { CORE_TRACE_CHANNELS, createStderrLogger, ShardflowError, traceChannel, type ItemRunTraceContext, type JobScheduler, type Logger, type TriggerSource } from '@shardflow/core';
import type { HistoryDatabase } from '../database/history-database.js';
import { InvalidHistoryConfigError } from '../errors/invalid-history-config-error.js';
import type { ExecutionRow, StatusTraceRow } from './history-rows.js';
import { deleteOlder, writeBatch } from './history-writer.js';

export interface JobHistoryOptions {
  database: HistoryDatabase;
  /** Rows waiting to be written at most; past it new rows are dropped (counted, logged). Default 10 000. */
  queueSize?: number;
  /** Rows per write. Default 200. */
  batchSize?: number;
  /** Wait after a failed write before the next, ms. Default 5 000. */
  retryDelayMs?: number;
  /** Rows older than this are deleted; undefined keeps everything. Default 7 days. */
  retentionMs?: number | undefined;
  /** Between retention runs, ms. Default 600 000. */
  cleanupIntervalMs?: number;
  /** Rows one DELETE removes at most. Default 500. */
  cleanupBatchSize?: number;
  /** Where write failures and drops are reported. Default warnings to stderr. */
  logger?: Logger;
}

export interface JobHistoryStats {
  readonly queued: number;
  readonly written: number;
  readonly dropped: number;
  readonly failedWrites: number;
  readonly deleted: number;
}

type ExecutionEntry = { readonly kind: 'execution'; row: ExecutionRow };
type Entry = ExecutionEntry | { readonly kind: 'status'; readonly row: StatusTraceRow };

const EXECUTION_SOURCE: Readonly<Record<TriggerSource, string>> = { cron: 'NORMAL_TRIGGER', manual: 'NORMAL_TRIGGER', misfire: 'MISFIRE', failover: 'FAILOVER', wakeup: 'NORMAL_TRIGGER' };
const DROP_REPORT_INTERVAL_MS = 60_000;

/**
 * Checks the options JobHistory takes besides its database, as its constructor does, without
 * creating one (which would subscribe to the run channel and start the retention timer): a
 * config check can judge them on their own.
 */
export function checkJobHistoryOptions(options: Omit<JobHistoryOptions, 'database'>): void {
  for (const field of ['queueSize', 'batchSize', 'cleanupBatchSize'] as const) {
    const value = options[field];
    if (value !== undefined && (!Number.isInteger(value) || value < 1)) throw new InvalidHistoryConfigError(field, value, 'must be an integer >= 1');
  }
  if (options.retryDelayMs !== undefined && !(options.retryDelayMs >= 0)) throw new InvalidHistoryConfigError('retryDelayMs', options.retryDelayMs, 'must be >= 0');
  if (options.retentionMs !== undefined && !(options.retentionMs > 0)) throw new InvalidHistoryConfigError('retentionMs', options.retentionMs, 'must be > 0, or undefined to keep everything');
  if (options.cleanupIntervalMs !== undefined && !(options.cleanupIntervalMs > 0)) throw new InvalidHistoryConfigError('cleanupIntervalMs', options.cleanupIntervalMs, 'must be > 0');
}

/**
 * Opt-in execution history in ElasticJob's event-trace tables: per item run one JOB_EXECUTION_LOG
 * row (written at the start, completed at the end) and its JOB_STATUS_TRACE_LOG states
 * (TASK_RUNNING, then TASK_FINISHED, TASK_ERROR, or TASK_KILLED for a run past its timeout).
 *
 * Runs are seen on core's item-run tracing channel and queued in memory; a background loop writes
 * the queue in batches. A job never waits for the history database: when it is slow or down the
 * queue fills, and past `queueSize` new rows are dropped, counted in `stats()` and logged (at most
 * once a minute). A retention loop deletes old rows in small batches.
 */
export class JobHistory {
  private readonly database: HistoryDatabase;
  private readonly queueSize: number;
  private readonly batchSize: number;
  private readonly retryDelayMs: number;
  private readonly retentionMs: number | undefined;
  private readonly cleanupBatchSize: number;
  private readonly logger: Logger;
  private readonly host = hostname();
  private readonly ip = firstIpv4();
  private readonly queue: Entry[] = [];
  /** Entries taken from the queue by a write that has not ended; they count against `queueSize`. */
  private inFlight = 0;
  private readonly observed = new Set<string>();
  private readonly runs = new WeakMap<object, ExecutionRow>();
  private readonly counts = { written: 0, dropped: 0, failedWrites: 0, deleted: 0 };
  private droppedSinceReport = 0;
  private lastDropReport = Number.NEGATIVE_INFINITY;
  private flushing: Promise<void> | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private readonly cleanupTimer: NodeJS.Timeout | undefined;
  private readonly unsubscribe: () => void;

  constructor(options: JobHistoryOptions) {
    this.database = options.database;
    this.queueSize = options.queueSize ?? 10_000;
    this.batchSize = options.batchSize ?? 200;
    this.retryDelayMs = options.retryDelayMs ?? 5_000;
    this.retentionMs = 'retentionMs' in options ? options.retentionMs : 7 * 24 * 3_600_000;
    this.cleanupBatchSize = options.cleanupBatchSize ?? 500;
    this.logger = options.logger ?? createStderrLogger();
    const cleanupIntervalMs = options.cleanupIntervalMs ?? 600_000;
    checkJobHistoryOptions(options);

    const channel = traceChannel<ItemRunTraceContext & { result?: unknown; error?: unknown }>(CORE_TRACE_CHANNELS.itemRun);
    const onStart = (data: unknown): void => this.started(data as ItemRunTraceContext);
    const onEnd = (data: unknown): void => this.ended(data as ItemRunTraceContext & { error?: unknown });
    channel.start.subscribe(onStart);
    channel.asyncEnd.subscribe(onEnd);
    channel.error.subscribe(onEnd);
    this.unsubscribe = () => {
      channel.start.unsubscribe(onStart);
      channel.asyncEnd.unsubscribe(onEnd);
      channel.error.unsubscribe(onEnd);
    };
    if (this.retentionMs !== undefined) {
      this.cleanupTimer = setInterval(() => void this.cleanup().catch((error: unknown) => this.logger.warn({ err: error }, 'shardflow history: retention cleanup failed')), cleanupIntervalMs);
      this.cleanupTimer.unref();
    }
  }

  /** Records the runs of this scheduler (its job, on its instance) from now on. */
  observe(scheduler: Pick<JobScheduler<unknown>, 'jobName' | 'instanceId'>): this {
    this.observed.add(runKey(scheduler.jobName, scheduler.instanceId));
    return this;
  }

  stats(): JobHistoryStats {
    return { queued: this.queue.length + this.inFlight, ...this.counts };
  }

  /** Writes what is queued now (retrying failures after `retryDelayMs`); resolves when the queue is empty. */
  async flush(): Promise<void> {
    // A write under way has already taken its rows off the queue: wait for it too.
    while (this.queue.length > 0 || this.flushing !== undefined) {
      this.flushing ??= this.writeQueued().finally(() => {
        this.flushing = undefined;
      });
      await this.flushing;
      if (this.queue.length > 0) await new Promise((resolve) => setTimeout(resolve, this.retryDelayMs));
    }
  }

  /**
   * Deletes rows older than the retention, `cleanupBatchSize` at a time with a pause between, so
   * that it never holds many locks; returns how many rows it deleted. Runs every
   * `cleanupIntervalMs` by itself.
   */
  async cleanup(): Promise<number> {
    if (this.retentionMs === undefined) return 0;
    const cutoff = new Date(Date.now() - this.retentionMs);
    let deleted = 0;
    for (const [table, column] of [['JOB_EXECUTION_LOG', 'start_time'], ['JOB_STATUS_TRACE_LOG', 'creation_time']] as const) {
      for (;;) {
        const count = await deleteOlder(this.database, table, column, cutoff, this.cleanupBatchSize);
        deleted += count;
        if (count < this.cleanupBatchSize) break;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    }
    this.counts.deleted += deleted;
    return deleted;
  }

  /** Stops recording and the cleanup timer; writes what is queued, waiting at most `timeoutMs`. */
  async close(timeoutMs = 5_000): Promise<void> {
    this.unsubscribe();
    if (this.cleanupTimer) clearInterval(this.cleanupTimer);
    if (this.retryTimer) clearTimeout(this.retryTimer);
    await Promise.race([this.flush(), new Promise((resolve) => setTimeout(resolve, timeoutMs).unref())]);
  }

  private started(run: ItemRunTraceContext): void {
    if (!this.observed.has(runKey(run.jobName, run.ctx.instanceId))) return;
    const now = new Date();
    const row: ExecutionRow = {
      id: randomUUID(), job_name: run.jobName, task_id: run.taskId, hostname: this.host, ip: this.ip, sharding_item: run.item,
      execution_source: EXECUTION_SOURCE[run.trigger], failure_cause: null, is_success: false, start_time: now, complete_time: null,
    };
    this.runs.set(run, row);
    this.enqueue({ kind: 'execution', row });
    this.enqueue({ kind: 'status', row: this.status(run, 'TASK_RUNNING', null, now) });
  }

  private ended(run: ItemRunTraceContext & { error?: unknown }): void {
    const started = this.runs.get(run);
    if (!started) return;
    this.runs.delete(run);
    const now = new Date();
    const failure = run.error === undefined ? null : truncate(run.error instanceof Error ? run.error.stack ?? run.error.message : String(run.error));
    const row: ExecutionRow = { ...started, is_success: failure === null, failure_cause: failure, complete_time: now };
    // The start may still be queued: complete that entry rather than queue a second one.
    const queued = this.queue.find((entry): entry is ExecutionEntry => entry.kind === 'execution' && entry.row.id === row.id);
    if (queued) queued.row = row;
    else this.enqueue({ kind: 'execution', row });
    this.enqueue({ kind: 'status', row: this.status(run, endState(run.error), failure, now) });
  }

  private status(run: ItemRunTraceContext, state: string, message: string | null, at: Date): StatusTraceRow {
    return {
      id: randomUUID(), job_name: run.jobName, original_task_id: '', task_id: run.taskId, slave_id: run.ctx.instanceId.slice(0, 50), source: 'LITE_EXECUTOR',
      execution_type: run.trigger === 'failover' ? 'FAILOVER' : 'READY', sharding_item: String(run.item), state, message, creation_time: at,
    };
  }

  private enqueue(entry: Entry): void {
    if (this.queue.length + this.inFlight >= this.queueSize) {
      this.counts.dropped += 1;
      this.droppedSinceReport += 1;
      const now = Date.now();
      if (now - this.lastDropReport >= DROP_REPORT_INTERVAL_MS) {
        this.logger.warn({ dropped: this.droppedSinceReport, queueSize: this.queueSize }, 'shardflow history: queue full, history rows dropped (is the history database slow or down?)');
        this.lastDropReport = now;
        this.droppedSinceReport = 0;
      }
      return;
    }
    this.queue.push(entry);
    if (!this.flushing && !this.retryTimer) this.flushing = this.writeQueued().finally(() => {
      this.flushing = undefined;
    });
  }

  /** Writes batches until the queue is empty or a write fails; after a failure, tries again later. */
  private async writeQueued(): Promise<void> {
    // Let the run's other rows join the batch.
    await new Promise((resolve) => setImmediate(resolve));
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0, this.batchSize);
      this.inFlight = batch.length;
      const executions = batch.flatMap((entry) => (entry.kind === 'execution' ? [entry.row] : []));
      const statuses = batch.flatMap((entry) => (entry.kind === 'status' ? [entry.row] : []));
      try {
        await writeBatch(this.database, executions, statuses);
        this.inFlight = 0;
        this.counts.written += batch.length;
      } catch (error) {
        this.inFlight = 0;
        this.counts.failedWrites += 1;
        this.queue.unshift(...batch);
        this.logger.warn({ err: error, queued: this.queue.length }, 'shardflow history: write failed, retrying later');
        this.retryTimer = setTimeout(() => {
          this.retryTimer = undefined;
          if (this.queue.length > 0 && !this.flushing) this.flushing = this.writeQueued().finally(() => {
            this.flushing = undefined;
          });
        }, this.retryDelayMs);
        this.retryTimer.unref();
        return;
      }
    }
  }
}

/**
 * ElasticJob's state for how a run ended. A run past `itemTimeoutMs` was stopped by the scheduler
 * (its signal aborted), which ElasticJob's states call TASK_KILLED; any other error is TASK_ERROR.
 */
function endState(error: unknown): 'TASK_FINISHED' | 'TASK_KILLED' | 'TASK_ERROR' {
  if (error === undefined) return 'TASK_FINISHED';
  return ShardflowError.is(error, 'ITEM_TIMEOUT') ? 'TASK_KILLED' : 'TASK_ERROR';
}

function runKey(jobName: string, instanceId: string): string {
  return `${jobName}\n${instanceId}`;
}

function truncate(text: string): string {
  return text.length <= 4_000 ? text : `${text.slice(0, 3_997)}...`;
}

/** The address ElasticJob would write: the first non-internal IPv4 address, else loopback. */
function firstIpv4(): string {
  for (const addresses of Object.values(networkInterfaces())) {
    const found = addresses?.find((address) => address.family === 'IPv4' && !address.internal);
    if (found) return found.address;
  }
  return '127.0.0.1';
}
