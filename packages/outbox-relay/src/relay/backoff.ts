import { InvalidOutboxConfigError } from '../errors/invalid-outbox-config-error.js';

export interface BackoffPolicy {
  /** Delay before the first retry, ms. Default 1 000. */
  initialDelayMs: number;
  /** Each retry waits this many times longer. Default 2. */
  multiplier: number;
  /** Upper bound of one delay, ms. Default 300 000 (5 minutes). */
  maxDelayMs: number;
  /** Fraction of the delay taken off at random, 0..1, so rows failed together do not retry together. Default 0.2. */
  jitter: number;
}

export const DEFAULT_BACKOFF: Readonly<BackoffPolicy> = { initialDelayMs: 1_000, multiplier: 2, maxDelayMs: 300_000, jitter: 0.2 };

export function resolveBackoff(policy: Partial<BackoffPolicy> = {}): BackoffPolicy {
  const resolved = { ...DEFAULT_BACKOFF, ...policy };
  if (!(resolved.initialDelayMs >= 0)) throw new InvalidOutboxConfigError('backoff.initialDelayMs', resolved.initialDelayMs, 'must be >= 0');
  if (!(resolved.multiplier >= 1)) throw new InvalidOutboxConfigError('backoff.multiplier', resolved.multiplier, 'must be >= 1');
  if (!(resolved.maxDelayMs >= resolved.initialDelayMs)) throw new InvalidOutboxConfigError('backoff.maxDelayMs', resolved.maxDelayMs, 'must be >= initialDelayMs');
  if (!(resolved.jitter >= 0 && resolved.jitter <= 1)) throw new InvalidOutboxConfigError('backoff.jitter', resolved.jitter, 'must be within 0..1');
  return resolved;
}

/** Delay after the row's `retryCount`-th failure (0-based): exponential, capped, with jitter taken off. */
export function backoffDelayMs(retryCount: number, policy: BackoffPolicy, random: () => number = Math.random): number {
  const exponential = Math.min(policy.maxDelayMs, policy.initialDelayMs * policy.multiplier ** retryCount);
  return Math.round(exponential * (1 - policy.jitter * random()));
}
