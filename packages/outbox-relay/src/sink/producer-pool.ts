/**
 * One producer per cluster, created on first use and reused; dropped when its cluster went away
 * (or connecting failed), so the next attempt connects afresh; all closed by `close()`.
 */
export class ProducerPool<P> {
  private readonly producers = new Map<string, Promise<P>>();

  constructor(
    private readonly connect: (cluster: string) => Promise<P>,
    private readonly disconnect: (producer: P) => Promise<unknown>,
  ) {}

  get(cluster: string): Promise<P> {
    const existing = this.producers.get(cluster);
    if (existing) return existing;
    const connected = this.connect(cluster);
    connected.catch(() => this.forget(cluster));
    this.producers.set(cluster, connected);
    return connected;
  }

  /** Drops the cluster's producer, so the next attempt connects afresh. */
  forget(cluster: string): void {
    const producer = this.producers.get(cluster);
    this.producers.delete(cluster);
    void producer?.then((p) => this.disconnect(p)).catch(() => undefined);
  }

  async close(): Promise<void> {
    const producers = [...this.producers.values()];
    this.producers.clear();
    await Promise.allSettled(producers.map(async (producer) => this.disconnect(await producer)));
  }
}
