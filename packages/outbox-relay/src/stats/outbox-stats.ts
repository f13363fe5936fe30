import type { TableScope } from '../partition/partitioning.js';
import type { MaintenanceStore } from '../store/outbox-store.js';
import type { ClusterCounts } from '../store/outbox-record.js';

/** Counts per cluster of one item's share of the outbox. */
export interface ItemCounts {
  readonly item: number;
  /** The epoch this instance owns the item under. */
  readonly epoch: number;
  readonly clusters: readonly ClusterCounts[];
}

export interface OutboxStatsSnapshot {
  /** Rows this process marked sent since it started. */
  readonly sentTotal: number;
  /** Rows marked sent per second over the last `windowMs`. */
  readonly sentPerSecond: number;
  readonly deadTotal: number;
  readonly lastError: { readonly cluster: string; readonly message: string; readonly at: Date } | undefined;
  /** Table-wide counts per cluster: pending, retrying, dead, oldest pending age. */
  readonly clusters: readonly ClusterCounts[];
  /** The same counts for each item this instance owns, by item. */
  readonly items: readonly ItemCounts[];
}

/** Counters kept in memory; table counts are read when asked for. */
export class OutboxStats {
  private sentTotal = 0;
  private deadTotal = 0;
  private lastError: OutboxStatsSnapshot['lastError'];
  private readonly recent: Array<{ at: number; count: number }> = [];

  constructor(private readonly windowMs = 10_000) {}

  recordSent(count: number): void {
    this.sentTotal += count;
    this.recent.push({ at: Date.now(), count });
    this.trim();
  }

  recordDead(count: number): void {
    this.deadTotal += count;
  }

  recordError(cluster: string, message: string): void {
    this.lastError = { cluster, message, at: new Date() };
  }

  async snapshot(store: Pick<MaintenanceStore, 'counts'>, items: ReadonlyArray<{ item: number; epoch: number; scopes: readonly TableScope[] }>): Promise<OutboxStatsSnapshot> {
    this.trim();
    const inWindow = this.recent.reduce((sum, entry) => sum + entry.count, 0);
    return {
      sentTotal: this.sentTotal,
      sentPerSecond: inWindow / (this.windowMs / 1000),
      deadTotal: this.deadTotal,
      lastError: this.lastError,
      clusters: await store.counts(),
      items: await Promise.all(items.map(async ({ item, epoch, scopes }) => ({ item, epoch, clusters: await store.counts(scopes) }))),
    };
  }

  private trim(): void {
    const oldest = Date.now() - this.windowMs;
    while (this.recent.length > 0 && (this.recent[0] as { at: number }).at < oldest) this.recent.shift();
  }
}
