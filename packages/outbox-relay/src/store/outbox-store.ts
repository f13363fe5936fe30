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

/** An open circuit as written into a cluster's due rows (see `OutboxStore.deferCluster`). */
export interface ClusterDeferral {
  /** When the probe rows are due again: the end of the cool-down. */
  readonly probeAt: Date;
  /** How many of the oldest due rows become the probe. */
  readonly probeRows: number;
  /** When the other due rows are due again if no probe succeeds and releases them first. */
  readonly parkUntil: Date;
  /** The `last_error` written: the failure that opened the circuit, `CODE: message`. */
  readonly reason: string;
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
  /**
   * Writes failed attempts, fenced by and stamping `epoch`: state (dead or pending),
   * next_select_time, last_error, and retry_count + 1 for the charged ones only. Returns rows changed.
   */
  markFailed(failures: readonly RecordFailure[], epoch: number): Promise<number>;
  /**
   * Writes an open circuit into the rows, where every relay instance, and this one after a
   * restart, reads it: of `cluster`'s due pending rows in the scopes, the `probeRows` oldest become
   * due at `probeAt` and the others at `parkUntil`, all with last_error `reason`. retry_count and
   * state stay; fenced by `epoch` (rows a newer epoch wrote are left alone), nothing stamped.
   * Returns rows changed.
   */
  deferCluster(scopes: readonly TableScope[], epoch: number, cluster: string, deferral: ClusterDeferral): Promise<number>;
  /**
   * The cluster answers again: its pending rows in the scopes whose last failure was the
   * destination's are due now, with no last_error. Fenced by `epoch`, nothing stamped. Returns rows changed.
   */
  releaseCluster(scopes: readonly TableScope[], epoch: number, cluster: string): Promise<number>;
  listDead(filter: RecordFilter, limit: number): Promise<DeadRecord[]>;
  countDead(filter: RecordFilter): Promise<number>;
  /** Dead rows back to pending with a fresh retry budget. Returns rows changed. */
  replayDead(filter: RecordFilter): Promise<number>;
  /** Counts per cluster over the given scopes (one item's share), or over every table without them. */
  counts(scopes?: readonly TableScope[]): Promise<ClusterCounts[]>;
  /** Deletes at most `limit` sent rows older than `olderThanMs` in the scope, lowest ids first. */
  deleteSent(scope: TableScope, olderThanMs: number, limit: number): Promise<number>;
}
