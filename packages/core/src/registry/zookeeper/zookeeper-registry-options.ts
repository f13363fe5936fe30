import { InvalidRegistryConfigError } from '../../errors/invalid-registry-config-error.js';
import { DEFAULT_SESSION_TIMEOUT_MS } from '../session-timing.js';

export interface ZookeeperRegistryOptions {
  /** `host:port[,host:port...]` */
  connectString: string;
  /** All nodes live under `/{namespace}`; created if missing. */
  namespace: string;
  /** Requested session timeout; the server may clamp it. Default 10 000 ms. */
  sessionTimeoutMs?: number;
  /** How long `connect()` waits for the first session. Default 15 000 ms. */
  connectionTimeoutMs?: number;
  /** `user:password`: authenticates and creates nodes readable and writable only by that user. */
  digest?: string;
  /** Retries of requests that failed with connection loss or timeout. */
  retry?: { attempts?: number; baseDelayMs?: number; maxDelayMs?: number };
  /** How long `close()` waits for the server to confirm the session's end. Default 2 000 ms. */
  closeWaitMs?: number;
}

export type ResolvedZookeeperRegistryOptions = Required<Omit<ZookeeperRegistryOptions, 'digest' | 'retry'>> & {
  readonly digest: string | undefined;
  readonly retry: Required<NonNullable<ZookeeperRegistryOptions['retry']>>;
};

const KNOWN_KEYS = new Set(['connectString', 'namespace', 'sessionTimeoutMs', 'connectionTimeoutMs', 'digest', 'retry', 'closeWaitMs']);
const KNOWN_RETRY_KEYS = new Set(['attempts', 'baseDelayMs', 'maxDelayMs']);

/**
 * Checks every option before anything connects; the first bad one is reported with its name and
 * value (never the digest's). Unknown keys are rejected too: a misspelt option would otherwise be
 * a silently ignored one.
 */
export function resolveZookeeperRegistryOptions(options: ZookeeperRegistryOptions): ResolvedZookeeperRegistryOptions {
  if (typeof options !== 'object' || options === null) throw new InvalidRegistryConfigError('options', options, 'must be an object');
  for (const key of Object.keys(options)) {
    if (!KNOWN_KEYS.has(key)) throw new InvalidRegistryConfigError(key, (options as unknown as Record<string, unknown>)[key], `is not an option (known: ${[...KNOWN_KEYS].join(', ')})`);
  }
  if (typeof options.connectString !== 'string' || !/^[^,\s]+:\d+(,[^,\s]+:\d+)*$/.test(options.connectString)) {
    throw new InvalidRegistryConfigError('connectString', options.connectString, 'must be host:port[,host:port...]');
  }
  if (typeof options.namespace !== 'string' || !/^[A-Za-z0-9_.-]{1,200}$/.test(options.namespace)) {
    throw new InvalidRegistryConfigError('namespace', options.namespace, 'must be 1-200 characters of A-Z a-z 0-9 _ . -');
  }
  if (options.digest !== undefined && !(typeof options.digest === 'string' && /^[^:]+:.+$/.test(options.digest))) {
    throw new InvalidRegistryConfigError('digest', '***', 'must be user:password');
  }
  const retry = options.retry ?? {};
  if (typeof retry !== 'object' || retry === null) throw new InvalidRegistryConfigError('retry', retry, 'must be an object');
  for (const key of Object.keys(retry)) {
    if (!KNOWN_RETRY_KEYS.has(key)) throw new InvalidRegistryConfigError(`retry.${key}`, (retry as Record<string, unknown>)[key], `is not an option (known: ${[...KNOWN_RETRY_KEYS].join(', ')})`);
  }
  const resolved: ResolvedZookeeperRegistryOptions = {
    connectString: options.connectString,
    namespace: options.namespace,
    digest: options.digest,
    sessionTimeoutMs: integerIn('sessionTimeoutMs', options.sessionTimeoutMs, DEFAULT_SESSION_TIMEOUT_MS, 1_000, 3_600_000),
    connectionTimeoutMs: integerIn('connectionTimeoutMs', options.connectionTimeoutMs, 15_000, 1, 3_600_000),
    closeWaitMs: integerIn('closeWaitMs', options.closeWaitMs, 2_000, 0, 3_600_000),
    retry: {
      attempts: integerIn('retry.attempts', retry.attempts, 5, 1, 1_000),
      baseDelayMs: integerIn('retry.baseDelayMs', retry.baseDelayMs, 100, 0, 3_600_000),
      maxDelayMs: integerIn('retry.maxDelayMs', retry.maxDelayMs, 2_000, 0, 3_600_000),
    },
  };
  if (resolved.retry.maxDelayMs < resolved.retry.baseDelayMs) {
    throw new InvalidRegistryConfigError('retry.maxDelayMs', resolved.retry.maxDelayMs, `must be >= retry.baseDelayMs (${resolved.retry.baseDelayMs})`);
  }
  return resolved;
}

function integerIn(field: string, value: unknown, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new InvalidRegistryConfigError(field, value, `must be an integer from ${min} to ${max}`);
  }
  return value;
}
