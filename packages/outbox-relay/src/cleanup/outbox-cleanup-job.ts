import { setTimeout as sleep } from 'node:timers/promises';
import type { ShardingContext, SimpleJob } from '@shardflow/core';
import { InvalidOutboxConfigError } from '../errors/invalid-outbox-config-error.js';
import type { Partitioning } from '../partition/partitioning.js';
import type { MaintenanceStore } from '../store/outbox-store.js';

export interface OutboxCleanupOptions {
  store: Pick<MaintenanceStore, 'deleteSent'>;
  partitioning: Partitioning;
  /** Sent rows older than this are deleted, ms. Default 7 days. */
  retentionMs?: number;
  /** Rows per DELETE. Default 1 000. */
  batchSize?: number;
  /** Pause between DELETEs, ms, so InnoDB purge keeps up and the relay's fetches stay fast. Default 50. */
  pauseMs?: number;
}

/**
 * Deletes sent rows past their retention, item by item, in small primary-key-ordered batches. One
 * big DELETE would hold locks long and leave a purge backlog that slows the relay's own fetches.
 * Run it as its own shardflow job (same items as the relay, a quiet cron such as every 10 minutes).
 */
export class OutboxCleanupJob implements SimpleJob {
  private readonly retentionMs: number;
  private readonly batchSize: number;
  private readonly pauseMs: number;

  constructor(private readonly options: OutboxCleanupOptions) {
    this.retentionMs = options.retentionMs ?? 7 * 24 * 3_600_000;
    this.batchSize = options.batchSize ?? 1_000;
    this.pauseMs = options.pauseMs ?? 50;
    if (!(this.retentionMs >= 0)) throw new InvalidOutboxConfigError('retentionMs', this.retentionMs, 'must be >= 0');
    if (!Number.isInteger(this.batchSize) || this.batchSize < 1) throw new InvalidOutboxConfigError('batchSize', this.batchSize, 'must be an integer >= 1');
  }

  /** Rows deleted by the last run, for logs and tests. */
  lastDeleted = 0;

  async execute(ctx: ShardingContext): Promise<void> {
    this.lastDeleted = 0;
    const scopes = this.options.partitioning.scopes({
      item: ctx.shardingItem, total: ctx.shardingTotalCount, jobParameter: ctx.jobParameter, shardingParameter: ctx.shardingParameter,
    });
    for (const scope of scopes) {
      for (;;) {
        if (!ctx.isOwner()) return;
        const deleted = await this.options.store.deleteSent(scope, this.retentionMs, this.batchSize);
        this.lastDeleted += deleted;
        if (deleted < this.batchSize) break;
        await sleep(this.pauseMs);
      }
    }
  }
}
