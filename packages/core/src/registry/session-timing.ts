/** The session timeout a registry asks for when none is given. */
export const DEFAULT_SESSION_TIMEOUT_MS = 10_000;

/** Every duration the scheduler derives from the registry's session timeout. */
export interface SessionTiming {
  /** How often the client proves the session alive (a cheap request). */
  readonly heartbeatMs: number;
  /** Silence after which the connection counts as suspended and no new batch starts. */
  readonly suspendAfterMs: number;
  /** Silence after which running items are aborted. */
  readonly abortAfterMs: number;
  /** Silence after which the session counts as lost and a new one is opened. */
  readonly lostAfterMs: number;
  /** How often the fence re-checks, in case state events come late. */
  readonly fenceCheckEveryMs: number;
  /** How long an interrupted run is remembered as a failover candidate. */
  readonly failoverCandidateTtlMs: number;
}

/**
 * The timing policy, derived from the session timeout T. Silence counts from the send time of the
 * last request the server answered: the server restarted its expiry clock no earlier than that,
 * so the session is alive for at least T after it, and nobody else can take our run locks before.
 *
 * - Heartbeat every T/6: two answered heartbeats fit into T/3, so one slow answer is no suspension.
 * - Suspended at T/3: no new batch starts; a brief hiccup usually recovers well before T/2.
 * - Abort at T/2: running items are told to stop with half a timeout left for them to wind down
 *   before the server can expire the session and hand the items to someone else.
 * - Lost at T: the server has expired the session, or will have by the time we act; open a new one.
 * - Fence check every T/10 (at least 50 ms): state events arrive late after a blocked event loop.
 * - Failover candidates kept 2T + 5 s: a new leader may need up to T to be elected, then acts.
 */
export function sessionTiming(sessionTimeoutMs: number): SessionTiming {
  return {
    heartbeatMs: Math.max(100, Math.floor(sessionTimeoutMs / 6)),
    suspendAfterMs: sessionTimeoutMs / 3,
    abortAfterMs: sessionTimeoutMs / 2,
    lostAfterMs: sessionTimeoutMs,
    fenceCheckEveryMs: Math.max(50, sessionTimeoutMs / 10),
    failoverCandidateTtlMs: 2 * sessionTimeoutMs + 5_000,
  };
}
