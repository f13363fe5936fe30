import type { DeliveryError } from '../errors/delivery-error.js';
import type { OutboxRecord, RecordFailure } from '../store/outbox-record.js';
import { backoffDelayMs, type BackoffPolicy } from './backoff.js';

export interface FailurePolicy {
  readonly maxRetries: number;
  readonly backoff: BackoffPolicy;
}

/**
 * What one failed delivery does to its row.
 * - The row's own failure ('record' fault) is an attempt: retry_count + 1, the row's backoff, and
 *   dead when the error is not retriable or the attempts are spent.
 * - The destination's failure (an outage) is not: retry_count stays and the row never dies of it.
 *   It waits until `circuitProbeAt` when the failure left the cluster's circuit open (the rows
 *   come back with the probe), else the backoff of its current count.
 */
export function failureOutcome(
  record: OutboxRecord,
  error: DeliveryError,
  policy: FailurePolicy,
  circuitProbeAt: number | undefined,
  now: number = Date.now(),
  random: () => number = Math.random,
): RecordFailure {
  const charged = error.fault === 'record';
  const backoffEnds = now + backoffDelayMs(record.retryCount, policy.backoff, random);
  return {
    record,
    code: error.code,
    message: error.message,
    charged,
    dead: charged && (!error.retriable || record.retryCount + 1 > policy.maxRetries),
    nextAttemptAt: new Date(charged ? backoffEnds : (circuitProbeAt ?? backoffEnds)),
  };
}
