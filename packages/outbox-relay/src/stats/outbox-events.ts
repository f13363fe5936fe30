import type { DeliveryErrorCode } from '../errors/delivery-error.js';
import type { FailureCode } from '../store/outbox-record.js';

/** Typed events of the relay and the writer's fast path. */
export interface OutboxEvents {
  /** Rows delivered and marked sent (`fastPath` when published right after commit). */
  sent: (event: { cluster: string; count: number; fastPath: boolean }) => void;
  /**
   * Rows that failed and will be retried after their backoff (or the circuit's cool-down): one
   * event per cluster, code and message, with the earliest and the latest of their due times.
   */
  retrying: (event: { cluster: string; count: number; code: DeliveryErrorCode; message: string; firstRetryAt: Date; lastRetryAt: Date }) => void;
  /** Rows parked as dead (retries exhausted or a non-retriable error): one event per cluster, code and message. */
  dead: (event: { cluster: string; ids: readonly number[]; code: FailureCode; message: string }) => void;
  /** A cluster's circuit opened: its rows are neither fetched nor sent until the cool-down ends. */
  circuitOpened: (event: { cluster: string }) => void;
  circuitClosed: (event: { cluster: string }) => void;
  /** A recovered cluster's rows that an outage had deferred were made due again: `count` rows over this instance's items. */
  released: (event: { cluster: string; count: number }) => void;
  /**
   * Writing circuit transitions into the rows failed (the database refused or went away): the
   * rows keep their due times, so their next reader probes the cluster again. Nothing is lost.
   */
  circuitWriteFailed: (event: { clusters: readonly string[]; error: Error }) => void;
  /**
   * One `publishNow` call answered (the writer's fast path): `latencyMs` from the call, made right
   * after the commit, to the broker's ack and the rows marked sent; `marked` of its `rows` went out this way.
   */
  fastPathPublished: (event: { rows: number; marked: number; latencyMs: number }) => void;
  /** Marks that matched fewer rows than sent: a newer epoch (a newer owner) wrote their outcome first. */
  fenced: (event: { expected: number; changed: number }) => void;
}
