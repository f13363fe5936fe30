import type { TableScope } from '../partition/partitioning.js';
import type { ClusterCounts, DeadRecord, OutboxRecord, RecordFailure, RecordFilter, RecordLocation } from './outbox-record.js';

export interface FetchOptions {
  readonly limit: number;
  /** Fencing token: rows whose outcome a newer epoch wrote are skipped. */
  readonly epoch: number;
  /**
   * How many due rows of a cluster the page may hold, given its fair share (the circuit breaker's
   * answer: the share, a probe, or 0 to leave an open circuit's rows unread).
   */
  readonly admits: (cluster: string, share: number) => number;
  /** Skip a row while an older pending row of the same key waits for a retry. */
  readonly perKeyOrdering: boolean;
}

/**
 * The relay's view of the outbox table(s). Fetching writes nothing; every write that follows a
 * send is one statement per outcome and table, fenced by the writer's epoch and stamping it.
 */
export interface OutboxStore {
  fetchDue(scopes: readonly TableScope[], options: FetchOptions): Promise<OutboxRecord[]>;
  /** Pending rows among `ids` that no relay item has written an outcome for (the writer's fast path). */
  findUnfenced(location: RecordLocation, ids: readonly number[]): Promise<OutboxRecord[]>;
  /**
   * Marks delivered rows sent, stamping `epoch`: only pending rows that no newer epoch wrote; without
   * an epoch (fast path), only rows no relay item wrote. Returns rows changed.
   */
  markSent(records: readonly OutboxRecord[], epoch: number | undefined): Promise<number>;
  markFailed(failures: readonly RecordFailure[], epoch: number): Promise<number>;
  listDead(filter: RecordFilter, limit: number): Promise<DeadRecord[]>;
  countDead(filter: RecordFilter): Promise<number>;
  /** Dead rows back to pending with a fresh retry budget. Returns rows changed. */
  replayDead(filter: RecordFilter): Promise<number>;
  /** Counts per cluster over the given scopes (one item's share), or over every table without them. */
  counts(scopes?: readonly TableScope[]): Promise<ClusterCounts[]>;
  /** Deletes at most `limit` sent rows older than `olderThanMs` in the scope, lowest ids first. */
  deleteSent(scope: TableScope, olderThanMs: number, limit: number): Promise<number>;
}
