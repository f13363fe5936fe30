import type { TableScope } from '../partition/partitioning.js';
import type { ClusterBacklog, ClusterCounts, DeadRecord, OutboxRecord, RecordFailure, RecordFilter, RecordLocation } from './outbox-record.js';

/** How many due rows of one cluster a fetch reads, and which of its rows the page already holds. */
export interface ClusterShare {
  readonly cluster: string;
  readonly rows: number;
  /** Ids of this cluster already in the page (an earlier read of the same page): not read again. */
  readonly skip: readonly number[];
}

/** One read of a table's due rows: the page planner's shares, fenced by the reader's epoch. */
export interface DueRequest {
  /** Fencing token: rows whose outcome a newer epoch wrote are skipped. */
  readonly epoch: number;
  /** Skip a row while an older pending row of the same key waits for a retry. */
  readonly perKeyOrdering: boolean;
  readonly shares: readonly ClusterShare[];
}

/** An open circuit as written into a cluster's due rows (see `RelayStore.deferCluster`). */
export interface ClusterDeferral {
  /** When the probe rows are due again: the end of the cool-down. */
  readonly probeAt: Date;
  /** How many of the oldest due rows become the probe. */
  readonly probeRows: number;
  /** When the other due rows are due again if no probe succeeds and releases them first. */
  readonly parkUntil: Date;
  /** The `last_error` written: the failure that opened the circuit, `CODE: message`. */
  readonly reason: string;
  /** Stops the parking between two statements: the rows not parked yet stay due (their next reader probes the cluster). */
  readonly signal?: AbortSignal;
}

/**
 * What the relay and the writer's fast path read and write. Reading writes nothing; every write
 * that follows a send is one statement per outcome and table, fenced by the writer's epoch and
 * stamping it. The store holds no policy: which clusters to read and how much of each is the
 * relay's page planner's decision.
 */
export interface RelayStore {
  /** Clusters with pending rows in the scope's table (due or not), in ascending order. */
  pendingClusters(scope: TableScope): Promise<string[]>;
  /**
   * Each share's due pending rows in the scope (next_select_time now or past, or NULL), oldest due
   * first then by id, at most `rows` of each, skipping its `skip` ids and rows a newer epoch wrote;
   * the shares' rows in the order of the shares.
   */
  fetchDue(scope: TableScope, request: DueRequest): Promise<OutboxRecord[]>;
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
}

/** What the relay's wakeup poll reads (see wakeup/new-row-poller.ts); the SQL and in-memory stores have it. */
export interface NewestIdStore {
  /** The highest id in the table, 0 when empty: one dive into the primary key. */
  newestId(location: RecordLocation): Promise<number>;
}

/** The dead rows across every table of the partitioning: what an operator lists and replays. */
export interface DeadRowStore {
  /** Dead rows matching the filter, by table in the partitioning's order, lowest ids first. */
  listDead(filter: RecordFilter, limit: number): Promise<DeadRecord[]>;
  countDead(filter: RecordFilter): Promise<number>;
  /** Dead rows back to pending with a fresh retry budget. Returns rows changed. */
  replayDead(filter: RecordFilter): Promise<number>;
}

/** Counts, cleanup and the start-up schema check. */
export interface MaintenanceStore {
  /** Counts per cluster over the given scopes (one item's share), or over every table without them. */
  counts(scopes?: readonly TableScope[]): Promise<ClusterCounts[]>;
  /** Deletes at most `limit` sent rows older than `olderThanMs` in the scope, lowest ids first. */
  deleteSent(scope: TableScope, olderThanMs: number, limit: number): Promise<number>;
  /**
   * Checks that every table the partitioning names exists with every column the relay uses; an
   * OutboxSchemaError names the first that does not.
   */
  verifyTables(): Promise<void>;
  /**
   * Per cluster over every table: the pending rows, counted up to `cap` per table, and the age of
   * the first due row; read from the due index only, never from the sent rows (for gauges that a
   * scrape may ask for often).
   */
  backlog(cap: number): Promise<ClusterBacklog[]>;
}

/** Everything one database gives the outbox: what `createOutbox` builds and every store implements. */
export interface OutboxStore extends RelayStore, DeadRowStore, MaintenanceStore {}
