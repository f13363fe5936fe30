import { OUTBOX_COLUMN_LIMITS, type OutboxTable } from '../schema/outbox-table.js';
import type { DeliveryErrorCode, DeliveryFault } from '../errors/delivery-error.js';

/** Why a row failed: a delivery error, or a row that cannot become a message. */
export type FailureCode = DeliveryErrorCode | 'UNSERIALIZABLE_RECORD';

/** Where a row lives: which database pool, which table. */
export interface RecordLocation {
  readonly database: number;
  readonly table: OutboxTable;
}

/** One outbox row as the relay sees it. */
export interface OutboxRecord {
  readonly id: number;
  readonly key: string;
  readonly topic: string;
  readonly cluster: string;
  readonly payload: Buffer;
  readonly headers: Readonly<Record<string, string>>;
  readonly retryCount: number;
  readonly createTime: Date;
  readonly location: RecordLocation;
  /** Set when the row cannot be turned into a message (corrupt headers): it is parked as dead. */
  readonly problem?: string;
  /**
   * Whose fault the row's last failure was, from the code `last_error` starts with; undefined when
   * it has not failed (or an outage's end released it). 'destination' means the row's cluster was
   * failing when someone last tried it: whoever reads the row probes the cluster first.
   */
  readonly lastFault?: DeliveryFault;
}

/** A failed delivery attempt of one row and what to do about it. */
export interface RecordFailure {
  readonly record: OutboxRecord;
  readonly code: FailureCode;
  readonly message: string;
  /**
   * Counts against `maxRetries` (retry_count + 1): the row's own failure. A destination's failure
   * (an outage) leaves retry_count alone and only moves next_select_time.
   */
  readonly charged: boolean;
  /** Park as dead now (non-retriable error, or retries exhausted). */
  readonly dead: boolean;
  /** When to try again, for rows that are not dead. */
  readonly nextAttemptAt: Date;
}

/** The `last_error` a failure writes: `CODE: message`, cut to the column. */
export function lastErrorOf(failure: RecordFailure): string {
  return `${failure.code}: ${failure.message}`.slice(0, OUTBOX_COLUMN_LIMITS.lastError.max);
}

/** Selects dead (or any) rows for listing and replay; all given fields must match. */
export interface RecordFilter {
  readonly ids?: readonly number[];
  readonly key?: string;
  readonly topic?: string;
  readonly cluster?: string;
  readonly createdFrom?: Date;
  readonly createdTo?: Date;
}

export interface DeadRecord {
  readonly id: number;
  readonly key: string;
  readonly topic: string;
  readonly cluster: string;
  readonly retryCount: number;
  readonly lastError: string | null;
  readonly createTime: Date;
  readonly database: number;
  readonly table: string;
}

/** Row counts of one cluster across the outbox, or across one item's share of it. */
export interface ClusterCounts {
  readonly cluster: string;
  readonly pending: number;
  /** Pending rows whose last try failed (their own failure or an outage) and that wait to be tried again. */
  readonly retrying: number;
  readonly dead: number;
  /** Age of the oldest pending row, ms; 0 when nothing is pending. */
  readonly oldestPendingAgeMs: number;
}

/**
 * A cluster's backlog as cheap index reads see it (for gauges scraped every few seconds): the
 * pending rows counted up to a cap per table, and the age of the pending row due the longest.
 */
export interface ClusterBacklog {
  readonly cluster: string;
  /** Pending rows, counting at most `cap` per table. */
  readonly pending: number;
  /** True when some table held `cap` or more: `pending` is then a lower bound. */
  readonly capped: boolean;
  /** Age (from its create time) of the pending row first in the due order: the row the relay would send next. 0 when nothing is pending. */
  readonly oldestPendingAgeMs: number;
}
