/**
 * An append-only record of what one relay process ran, so that the run-once promise can be checked
 * from outside (`npm run chaos`): one JSON line when an item run starts and ends, one when a batch
 * (a processData call) begins, one per send to Kafka (with the item, epoch and batch it was made
 * for), and one each time the instance's items change.
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
  | { readonly kind: 'batch'; readonly at: number; readonly item: number; readonly epoch: number; readonly batch: number }
  | { readonly kind: 'send'; readonly at: number; readonly item: number; readonly epoch: number; readonly batch: number; readonly cluster: string; readonly count: number };

interface BatchContext {
  readonly item: number;
  readonly epoch: number;
  /** Numbers this process's processData calls, so that the sends of one page can be told apart from the next page's. */
  readonly batch: number;
}

export class RunLog {
  private readonly fd: number;
  /** The batch a send belongs to: the sink sees only messages, so processData passes it down. */
  private readonly currentBatch = new AsyncLocalStorage<BatchContext>();
  private batches = 0;

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

  /** The job, with each processData call logged as a batch and marked with its item, epoch and number for `sink`. */
  job<T>(job: DataflowJob<T>): DataflowJob<T> {
    return {
      fetchData: (ctx) => job.fetchData(ctx),
      processData: (ctx, data) => {
        const batch: BatchContext = { item: ctx.shardingItem, epoch: ctx.epoch, batch: (this.batches += 1) };
        this.write({ kind: 'batch', at: Date.now(), ...batch });
        return this.currentBatch.run(batch, () => job.processData(ctx, data));
      },
    };
  }

  /** The sink, writing a line right before each send made on behalf of an item run. */
  sink(sink: MessageSink): MessageSink {
    return {
      send: (cluster, messages) => {
        const batch = this.currentBatch.getStore();
        if (batch) this.write({ kind: 'send', at: Date.now(), ...batch, cluster, count: messages.length });
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
