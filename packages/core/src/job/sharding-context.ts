/** Why an item run started. */
export type TriggerSource = 'cron' | 'misfire' | 'manual' | 'failover' | 'wakeup';

/**
 * What a job sees of one shard item run. One context lives for one run of one item; in streaming
 * mode it spans every fetch/process batch of that run.
 */
export interface ShardingContext {
  readonly jobName: string;
  /** Unique id of this run: `${jobName}@${item}@${instanceId}@${sequence}`. */
  readonly taskId: string;
  readonly shardingTotalCount: number;
  readonly shardingItem: number;
  /** The value given for this item in `shardingItemParameters`, if any. */
  readonly shardingParameter: string | undefined;
  readonly jobParameter: string;
  readonly instanceId: string;
  /**
   * Fencing token of this item's assignment: strictly greater every time the item moves to another
   * instance (or is taken over by failover). A store can reject writes that carry an older epoch.
   */
  readonly epoch: number;
  readonly trigger: TriggerSource;
  /** Fires on shutdown, reassignment, loss of the registry connection and per-item timeout. */
  readonly signal: AbortSignal;
  /** True while this instance still owns the item with this epoch and its registry session is healthy. */
  isOwner(): boolean;
  /** Throws `ItemFencedError` unless `isOwner()`; call it before committing side effects. */
  assertOwner(): void;
}
