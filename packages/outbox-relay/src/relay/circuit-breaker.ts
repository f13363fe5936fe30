export interface CircuitBreakerOptions {
  /** Consecutive failed sends to one cluster that open its circuit. Default 3. */
  failureThreshold: number;
  /** How long a circuit stays open the first time, ms. Default 10 000. */
  coolDownMs: number;
  /** Each failed probe doubles the cool-down, up to this, ms. Default 120 000. */
  maxCoolDownMs: number;
  /** Rows sent to a half-open cluster as its probe; the rest of its rows wait untouched. Default 10. */
  probeSize: number;
}

type CircuitState =
  | { kind: 'closed'; failures: number }
  | { kind: 'open'; until: number; coolDownMs: number }
  | { kind: 'half-open'; coolDownMs: number };

/**
 * Per-cluster circuit breaker. While a cluster keeps failing, its rows are not sent and not
 * charged a retry, so that attempts go to clusters that work.
 * - closed: sends go through; `failureThreshold` consecutive failures open it.
 * - open: `admits` lets nothing through (the fetch does not even read the cluster's rows) until
 *   the cool-down ends, then it is half-open.
 * - half-open: one small send (`probeSize` rows) is let through; success closes, failure opens it
 *   again for twice the previous cool-down (capped), so a long outage costs ever fewer probes.
 *   Only the probe's rows are charged an attempt.
 */
export class CircuitBreaker {
  private readonly circuits = new Map<string, CircuitState>();

  constructor(
    private readonly options: CircuitBreakerOptions,
    private readonly now: () => number = Date.now,
  ) {}

  state(cluster: string): CircuitState['kind'] {
    const circuit = this.circuits.get(cluster);
    if (circuit?.kind === 'open' && circuit.until <= this.now()) {
      this.circuits.set(cluster, { kind: 'half-open', coolDownMs: circuit.coolDownMs });
      return 'half-open';
    }
    return circuit?.kind ?? 'closed';
  }

  /** How many of a cluster's fetched rows may be sent now: all, a probe, or none. */
  admits(cluster: string, rows: number): number {
    switch (this.state(cluster)) {
      case 'closed': return rows;
      case 'half-open': return Math.min(rows, this.options.probeSize);
      case 'open': return 0;
    }
  }

  recordSuccess(cluster: string): void {
    this.circuits.delete(cluster);
  }

  recordFailure(cluster: string): void {
    const circuit = this.circuits.get(cluster) ?? { kind: 'closed', failures: 0 };
    if (circuit.kind === 'half-open') {
      this.open(cluster, Math.min(circuit.coolDownMs * 2, this.options.maxCoolDownMs));
    } else if (circuit.kind === 'closed') {
      if (circuit.failures + 1 >= this.options.failureThreshold) this.open(cluster, this.options.coolDownMs);
      else this.circuits.set(cluster, { kind: 'closed', failures: circuit.failures + 1 });
    }
  }

  private open(cluster: string, coolDownMs: number): void {
    this.circuits.set(cluster, { kind: 'open', until: this.now() + coolDownMs, coolDownMs });
  }
}
