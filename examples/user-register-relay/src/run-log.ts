/**
 * An append-only record of what one relay process ran, so that the run-once promise can be checked
 * from outside (`npm run chaos`): one JSON line when an item run starts and ends, one per send to
 * Kafka (with the item and epoch it was made for), and one each time the instance's items change.
 * Every line is a synchronous append to the file: a process killed with SIGKILL has lost nothing it
 * wrote, and a run with no end line is one the kill cut short.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { closeSync, openSync, writeSync } from 'node:fs';
import type { DataflowJob, JobScheduler } from '@shardflow/core';
import type { MessageSink } from '@shardflow/outbox-relay';

/** One line of the run log; `at` is the wall clock (ms since the epoch) when it was written. */
export type RunLogRecord =
  | { readonly kind: 'items'; readonly at: number; readonly items: readonly number[] }
  | { readonly kind: 'start'; readonly at: number; readonly item: number; readonly epoch: number }
  | { readonly kind: 'end'; readonly at: number; readonly item: number; readonly epoch: number; readonly outcome: string }
  | { readonly kind: 'send'; readonly at: number; readonly item: number; readonly epoch: number; readonly cluster: string; readonly count: number };

interface RunContext {
  readonly item: number;
  readonly epoch: number;
}

export class RunLog {
  private readonly fd: number;
  /** The item run a send belongs to: the sink sees only messages, so processData passes it down. */
  private readonly currentRun = new AsyncLocalStorage<RunContext>();

  constructor(path: string) {
    this.fd = openSync(path, 'a');
  }

  /** Records the scheduler's item runs and item changes. */
  watch(scheduler: JobScheduler<unknown>): void {
    scheduler.on('itemsAssigned', ({ items }) => this.write({ kind: 'items', at: Date.now(), items }));
    scheduler.on('itemStarted', ({ item, epoch }) => this.write({ kind: 'start', at: Date.now(), item, epoch }));
    scheduler.on('itemCompleted', ({ item, epoch, stoppedBy }) => this.write({ kind: 'end', at: Date.now(), item, epoch, outcome: stoppedBy }));
    scheduler.on('itemFailed', ({ item, epoch, error }) => this.write({ kind: 'end', at: Date.now(), item, epoch, outcome: `failed: ${error.message}` }));
  }

  /** The job, with each processData call marked with its item and epoch for `sink`. */
  job<T>(job: DataflowJob<T>): DataflowJob<T> {
    return {
      fetchData: (ctx) => job.fetchData(ctx),
      processData: (ctx, data) => this.currentRun.run({ item: ctx.shardingItem, epoch: ctx.epoch }, () => job.processData(ctx, data)),
    };
  }

  /** The sink, writing a line right before each send made on behalf of an item run. */
  sink(sink: MessageSink): MessageSink {
    return {
      send: (cluster, messages) => {
        const run = this.currentRun.getStore();
        if (run) this.write({ kind: 'send', at: Date.now(), item: run.item, epoch: run.epoch, cluster, count: messages.length });
        return sink.send(cluster, messages);
      },
      close: () => sink.close(),
    };
  }

  close(): void {
    closeSync(this.fd);
  }

  private write(record: RunLogRecord): void {
    writeSync(this.fd, `${JSON.stringify(record)}\n`);
  }
}
