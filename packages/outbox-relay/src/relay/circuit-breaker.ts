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
 * Per-cluster circuit breaker of one relay instance. Only the destination's failures (an outage)
 * count; while a cluster keeps failing its rows are not sent, and nothing of an outage is charged
 * to a row, the probes included.
 * - closed: sends go through; `failureThreshold` consecutive failed sends open it.
 * - open: `admits` lets nothing through (the fetch does not even read the cluster's rows) until
 *   the cool-down ends (`openUntil`), then it is half-open.
 * - half-open: one small send (`probeSize` rows) is let through; success closes, failure opens it
 *   again for twice the previous cool-down (capped), so a long outage costs ever fewer probes.
 * This state lives in memory; the relay writes its transitions into the rows (an open circuit
 * defers the cluster's due rows, a close releases them), and `suspect` turns rows that an outage
 * deferred back into a half-open circuit, in another instance or after a restart.
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

  /** When an open circuit admits its probe; undefined unless open. */
  openUntil(cluster: string): number | undefined {
    const circuit = this.state(cluster) === 'open' ? this.circuits.get(cluster) : undefined;
    return circuit?.kind === 'open' ? circuit.until : undefined;
  }

  /**
   * The cluster was failing when its rows were last tried (by this instance before a restart, or
   * by another): a closed circuit becomes half-open, so that the next send is a probe. An open or
   * half-open circuit stays as it is.
   */
  suspect(cluster: string): void {
    if (this.state(cluster) === 'closed') this.circuits.set(cluster, { kind: 'half-open', coolDownMs: this.options.coolDownMs / 2 });
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
