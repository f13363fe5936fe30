import { InvalidOutboxConfigError } from '../errors/invalid-outbox-config-error.js';

/**
 * How the relay learns of new rows between cron fires (`createOutbox({ wakeup })`).
 * - `notify` (PostgreSQL only, its default): the writer's INSERT issues `pg_notify` in the caller's
 *   transaction, so the notification goes out on COMMIT; the relay LISTENs on one connection of
 *   each database.
 * - `poll` (MySQL's only mode): the relay reads the newest id of each table, every `pollMinMs`
 *   while rows keep arriving, doubling the wait up to `pollMaxMs` while none do.
 */
export interface WakeupOptions {
  mode?: 'notify' | 'poll';
  /**
   * At most one wakeup per this many ms: the first signal wakes at once, the signals within the
   * next `coalesceMs` become one wakeup at its end. Default 50.
   */
  coalesceMs?: number;
  /** `poll`: the wait between reads while rows keep arriving. Default 50. */
  pollMinMs?: number;
  /** `poll`: the longest wait between reads, reached when no rows arrive. Default 1 000. */
  pollMaxMs?: number;
  /**
   * `notify`: the channel the writer notifies and the relay listens on; writer and relay must agree.
   * Default `shardflow_outbox`.
   */
  channel?: string;
}

export type ResolvedWakeupOptions = Required<WakeupOptions>;

/** PostgreSQL's limit on an identifier, which a LISTEN channel is (NAMEDATALEN - 1 bytes). */
const MAX_CHANNEL_BYTES = 63;

/** The options with their defaults, each checked; `postgres` decides the default and allowed modes. */
export function resolveWakeupOptions(options: WakeupOptions, postgres: boolean): ResolvedWakeupOptions {
  const resolved: ResolvedWakeupOptions = {
    mode: postgres ? 'notify' : 'poll', coalesceMs: 50, pollMinMs: 50, pollMaxMs: 1_000, channel: 'shardflow_outbox', ...options,
  };
  if (resolved.mode !== 'notify' && resolved.mode !== 'poll') throw new InvalidOutboxConfigError('wakeup.mode', resolved.mode, "must be 'notify' or 'poll'");
  if (resolved.mode === 'notify' && !postgres) throw new InvalidOutboxConfigError('wakeup.mode', resolved.mode, "'notify' needs PostgreSQL; use 'poll' on MySQL");
  for (const field of ['coalesceMs', 'pollMinMs'] as const) {
    const value = resolved[field];
    if (!Number.isInteger(value) || value < 1 || value > 60_000) throw new InvalidOutboxConfigError(`wakeup.${field}`, value, 'must be an integer from 1 to 60000');
  }
  if (!Number.isInteger(resolved.pollMaxMs) || resolved.pollMaxMs < resolved.pollMinMs || resolved.pollMaxMs > 3_600_000) {
    throw new InvalidOutboxConfigError('wakeup.pollMaxMs', resolved.pollMaxMs, 'must be an integer from wakeup.pollMinMs to 3600000');
  }
  if (typeof resolved.channel !== 'string' || resolved.channel === '' || Buffer.byteLength(resolved.channel) > MAX_CHANNEL_BYTES) {
    throw new InvalidOutboxConfigError('wakeup.channel', resolved.channel, `must be a non-empty string of at most ${MAX_CHANNEL_BYTES} bytes`);
  }
  return resolved;
}
