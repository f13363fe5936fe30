import type { ClusterBacklog } from '@shardflow/outbox-relay';

/**
 * The latest backlog, read again at most once per `ttlMs` however often Prometheus (or several
 * Prometheus servers) scrape; concurrent scrapes share one read. A failed read keeps the last
 * values and is passed to `onError`, so a database hiccup never fails the whole scrape.
 */
export class BacklogCache {
  private value: readonly ClusterBacklog[] = [];
  private readAt = Number.NEGATIVE_INFINITY;
  private reading: Promise<readonly ClusterBacklog[]> | undefined;

  constructor(
    private readonly read: () => Promise<readonly ClusterBacklog[]>,
    private readonly ttlMs: number,
    private readonly onError: (error: unknown) => void,
    private readonly now: () => number = performance.now.bind(performance),
  ) {}

  get(): Promise<readonly ClusterBacklog[]> {
    if (this.now() - this.readAt < this.ttlMs) return Promise.resolve(this.value);
    this.reading ??= this.read()
      .then((value) => {
        this.value = value;
        this.readAt = this.now();
        return value;
      }, (error: unknown) => {
        this.onError(error);
        return this.value;
      })
      .finally(() => {
        this.reading = undefined;
      });
    return this.reading;
  }
}
