import type { TableScope } from '../partition/partitioning.js';
import type { ClusterCounts, DeadRecord, OutboxRecord, RecordFailure, RecordFilter, RecordLocation } from './outbox-record.js';

export interface FetchOptions {
  readonly limit: number;
  /** Fencing token: rows claimed by a newer epoch are skipped, fetched rows are claimed with this one. */
  readonly epoch: number;
  /** Clusters whose circuit is open: their rows are not fetched. */
  readonly excludeClusters: readonly string[];
  /** Skip a row while an older pending row of the same key waits for a retry. */
  readonly perKeyOrdering: boolean;
}

/**
 * The relay's view of the outbox table(s). Every write that follows a send is fenced by the
 * epoch the rows were claimed with, and is one statement per outcome and table.
 */
export interface OutboxStore {
  fetchDue(scopes: readonly TableScope[], options: FetchOptions): Promise<OutboxRecord[]>;
  /** Pending rows among `ids` that no relay item has claimed yet (the writer's fast path). */
  findUnclaimed(location: RecordLocation, ids: readonly number[]): Promise<OutboxRecord[]>;
  /**
   * Pushes the due pending rows of one cluster in the scopes to `until`, without charging an
   * attempt: an open circuit's rows leave the fetch's index range instead of being skipped row by
   * row on every fetch. Returns rows changed.
   */
  deferCluster(scopes: readonly TableScope[], cluster: string, until: Date): Promise<number>;
  /** Marks delivered rows sent; with an epoch, only rows still claimed by it. Returns rows changed. */
  markSent(records: readonly OutboxRecord[], epoch: number | undefined): Promise<number>;
  markFailed(failures: readonly RecordFailure[], epoch: number): Promise<number>;
  listDead(filter: RecordFilter, limit: number): Promise<DeadRecord[]>;
  countDead(filter: RecordFilter): Promise<number>;
  /** Dead rows back to pending with a fresh retry budget. Returns rows changed. */
  replayDead(filter: RecordFilter): Promise<number>;
  counts(): Promise<ClusterCounts[]>;
  /** Deletes at most `limit` sent rows older than `olderThanMs` in the scope, lowest ids first. */
  deleteSent(scope: TableScope, olderThanMs: number, limit: number): Promise<number>;
}
