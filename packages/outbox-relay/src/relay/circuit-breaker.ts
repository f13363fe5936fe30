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
  | { kind: 'closed'; failures: number; suspect: boolean }
  | { kind: 'open'; until: number; coolDownMs: number }
  | { kind: 'half-open'; coolDownMs: number };

/**
 * Per-cluster circuit breaker of one relay instance. Only the destination's failures (an outage)
 * count; while a cluster keeps failing its rows are not sent, and nothing of an outage is charged
 * to a row, the probes included.
 * - closed: sends go through; `failureThreshold` consecutive failed sends open it. A suspect
 *   closed circuit (see `suspect`) sends a probe (`probeSize` rows) instead of the whole share
 *   until a send succeeds; its failed probes count towards the threshold like any failed send.
 * - open: `admits` lets nothing through (the fetch does not even read the cluster's rows) until
 *   the cool-down ends (`openUntil`), then it is half-open.
 * - half-open: one small send (`probeSize` rows) is let through; success closes, failure opens it
 *   again for twice the previous cool-down (capped), so a long outage costs ever fewer probes.
 * This state lives in memory; the relay writes its transitions into the rows (an open circuit
 * defers the cluster's due rows, a recovery releases them), and rows that an outage deferred make
 * the circuit of whoever reads them suspect, in another instance or after a restart.
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
      case 'closed': return this.suspected(cluster) ? Math.min(rows, this.options.probeSize) : rows;
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
   * by another): a closed circuit sends probes until a send succeeds. An open or half-open circuit
   * stays as it is.
   */
  suspect(cluster: string): void {
    const circuit = this.circuits.get(cluster);
    if (this.state(cluster) === 'closed') this.circuits.set(cluster, { kind: 'closed', failures: circuit?.kind === 'closed' ? circuit.failures : 0, suspect: true });
  }

  /** Whether the next send to the cluster is a probe whose success ends an outage: half-open, or closed but suspect. */
  probing(cluster: string): boolean {
    return this.state(cluster) === 'half-open' || this.suspected(cluster);
  }

  recordSuccess(cluster: string): void {
    this.circuits.delete(cluster);
  }

  recordFailure(cluster: string): void {
    const circuit = this.circuits.get(cluster) ?? { kind: 'closed', failures: 0, suspect: false };
    if (circuit.kind === 'half-open') {
      this.open(cluster, Math.min(circuit.coolDownMs * 2, this.options.maxCoolDownMs));
    } else if (circuit.kind === 'closed') {
      if (circuit.failures + 1 >= this.options.failureThreshold) this.open(cluster, this.options.coolDownMs);
      else this.circuits.set(cluster, { ...circuit, failures: circuit.failures + 1 });
    }
  }

  private suspected(cluster: string): boolean {
    const circuit = this.circuits.get(cluster);
    return circuit?.kind === 'closed' && circuit.suspect;
  }

  private open(cluster: string, coolDownMs: number): void {
    this.circuits.set(cluster, { kind: 'open', until: this.now() + coolDownMs, coolDownMs });
  }
}
