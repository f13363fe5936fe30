/**
 * Inserts outbox rows throughout the run, the way business code does (the outbox writer on a pool
 * connection), spread evenly over the Kafka clusters, at a steady rate. An insert that fails is
 * not retried: a row that was never committed is not owed to anyone.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Pool } from 'mysql2/promise';
import type { OutboxWriter } from '@shardflow/outbox-relay';

const TICK_MS = 100;

export class RowFeeder {
  inserted = 0;
  failedInserts = 0;
  lastError: string | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;

  constructor(
    private readonly pool: Pool,
    private readonly writer: OutboxWriter,
    private readonly topic: string,
    private readonly clusters: readonly string[],
    private readonly rowsPerSecond: number,
  ) {}

  start(): void {
    this.running = this.feed();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.running;
  }

  private async feed(): Promise<void> {
    const perTick = Math.max(1, Math.round((this.rowsPerSecond * TICK_MS) / 1000));
    const started = Date.now();
    for (let tick = 0; !this.stopped; tick++) {
      const messages = Array.from({ length: perTick }, (_, i) => {
        const n = tick * perTick + i;
        return { key: `user-${n}`, topic: this.topic, cluster: this.clusters[n % this.clusters.length] as string, payload: { user: n } };
      });
      try {
        const connection = await this.pool.getConnection();
        try {
          await this.writer.addMany(connection, messages);
          this.inserted += messages.length;
        } finally {
          connection.release();
        }
      } catch (error) {
        this.failedInserts += messages.length;
        this.lastError = (error as Error).message;
      }
      const due = started + (tick + 1) * TICK_MS;
      if (due > Date.now()) await sleep(due - Date.now());
    }
  }
}
