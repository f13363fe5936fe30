/**
 * What the chaos run does and when, decided up front from the run's length and the relays'
 * settings (the victims are picked when each fault fires, among the relays alive then):
 * - kill: SIGKILL a random relay every 2-5 s; it is restarted at once;
 * - freeze: SIGSTOP a relay for longer than its ZooKeeper session timeout, then SIGCONT; the next
 *   freeze 1-3 s later, and so on, so that the survivors take its items while it is frozen;
 * - outage: stop one Kafka cluster's broker for longer than `maxRetries` x the backoff cap (so a
 *   relay that charged the outage to the rows would park them as dead), then start it again;
 * - mysql-kill: KILL the relays' MySQL connections every 5-10 s.
 * Times are ms from the start of the chaos; every fault ends before `durationMs`.
 */
export type Fault =
  | { readonly kind: 'kill'; readonly at: number }
  | { readonly kind: 'freeze'; readonly at: number; readonly forMs: number }
  | { readonly kind: 'outage'; readonly at: number; readonly forMs: number; readonly cluster: string }
  | { readonly kind: 'mysql-kill'; readonly at: number };

export interface FaultScheduleSettings {
  readonly durationMs: number;
  readonly sessionTimeoutMs: number;
  readonly maxRetries: number;
  readonly backoffCapMs: number;
  readonly clusters: readonly string[];
}

/** How far past the session timeout a freeze lasts: ZooKeeper expires the session within two of its ticks, then the survivors need a moment to take the items. */
export const FREEZE_BEYOND_SESSION_MS = 4_000;
/** The shortest run the schedule fits in: one outage, freezes and kills with time to recover. */
export const MIN_DURATION_MS = 45_000;

/** The faults of one run, in time order; `random` returns [0, 1) like Math.random. */
export function faultSchedule(settings: FaultScheduleSettings, random: () => number): Fault[] {
  const { durationMs, sessionTimeoutMs, maxRetries, backoffCapMs, clusters } = settings;
  if (!(durationMs >= MIN_DURATION_MS)) throw new RangeError(`durationMs must be >= ${MIN_DURATION_MS} (got ${durationMs})`);
  if (clusters.length === 0) throw new RangeError('clusters must name at least one Kafka cluster');
  const between = (min: number, max: number): number => min + random() * (max - min);
  const faults: Fault[] = [];

  for (let at = between(2_000, 5_000); at < durationMs; at += between(2_000, 5_000)) faults.push({ kind: 'kill', at });

  const freezeMs = sessionTimeoutMs + FREEZE_BEYOND_SESSION_MS;
  for (let at = between(5_000, 10_000); at + freezeMs < durationMs; at += freezeMs + between(1_000, 3_000)) faults.push({ kind: 'freeze', at, forMs: freezeMs });

  // A quarter into the run, for 30 % of it, and at least twice what the retries could absorb.
  const outageMs = Math.max(0.3 * durationMs, 2 * maxRetries * backoffCapMs);
  const outageAt = 0.25 * durationMs;
  if (outageAt + outageMs >= durationMs) {
    throw new RangeError(`an outage of ${outageMs} ms (2 x maxRetries ${maxRetries} x backoff cap ${backoffCapMs} ms) does not fit in ${durationMs} ms`);
  }
  faults.push({ kind: 'outage', at: outageAt, forMs: outageMs, cluster: clusters[Math.floor(random() * clusters.length)] as string });

  for (let at = between(5_000, 10_000); at < durationMs; at += between(5_000, 10_000)) faults.push({ kind: 'mysql-kill', at });
  return faults.sort((a, b) => a.at - b.at);
}
