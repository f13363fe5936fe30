export interface CircuitBreakerOptions {
  /** Consecutive failed sends to one cluster that open its circuit. Default 3. */
  failureThreshold: number;
  /** How long an open circuit keeps the cluster's rows out of fetches, ms. Default 10 000. */
  coolDownMs: number;
  /** Rows sent to a half-open cluster as its probe; the rest of its rows wait untouched. Default 10. */
  probeSize: number;
}

type CircuitState = { kind: 'closed'; failures: number } | { kind: 'open'; until: number } | { kind: 'half-open' };

/**
 * Per-cluster circuit breaker. While a cluster keeps failing, its rows are left in the table
 * (not fetched, not charged a retry) so that pages and attempts go to clusters that work.
 * - closed: sends go through; `failureThreshold` consecutive failures open it.
 * - open: `excluded()` lists the cluster until the cool-down ends, then it is half-open.
 * - half-open: one small send (`probeSize` rows) is let through; success closes, failure opens
 *   again. Only the probe's rows are charged an attempt.
 */
export class CircuitBreaker {
  private readonly circuits = new Map<string, CircuitState>();

  constructor(
    private readonly options: CircuitBreakerOptions,
    private readonly now: () => number = Date.now,
  ) {}

  /** Open circuits and when each one's cool-down ends (epoch ms). */
  openUntil(): Map<string, number> {
    this.excluded();
    const open = new Map<string, number>();
    for (const [cluster, state] of this.circuits) if (state.kind === 'open') open.set(cluster, state.until);
    return open;
  }

  /** Clusters whose rows must not be fetched now. */
  excluded(): string[] {
    const excluded: string[] = [];
    for (const [cluster, state] of this.circuits) {
      if (state.kind !== 'open') continue;
      if (state.until <= this.now()) this.circuits.set(cluster, { kind: 'half-open' });
      else excluded.push(cluster);
    }
    return excluded;
  }

  state(cluster: string): CircuitState['kind'] {
    this.excluded();
    return this.circuits.get(cluster)?.kind ?? 'closed';
  }

  /** How many of a cluster's fetched rows may be sent now. */
  admits(cluster: string, rows: number): number {
    return this.state(cluster) === 'half-open' ? Math.min(rows, this.options.probeSize) : rows;
  }

  recordSuccess(cluster: string): void {
    this.circuits.delete(cluster);
  }

  recordFailure(cluster: string): void {
    const state = this.circuits.get(cluster) ?? { kind: 'closed', failures: 0 };
    if (state.kind === 'half-open' || (state.kind === 'closed' && state.failures + 1 >= this.options.failureThreshold)) {
      this.circuits.set(cluster, { kind: 'open', until: this.now() + this.options.coolDownMs });
    } else if (state.kind === 'closed') {
      this.circuits.set(cluster, { kind: 'closed', failures: state.failures + 1 });
    }
  }
}
