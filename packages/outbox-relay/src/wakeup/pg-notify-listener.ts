import type pg from 'pg';
import { backoffDelayMs, type BackoffPolicy } from '../relay/backoff.js';

const RECONNECT: BackoffPolicy = { initialDelayMs: 100, multiplier: 2, maxDelayMs: 5_000, jitter: 0.2 };

/**
 * One LISTENing connection to one PostgreSQL database, taken from its pool for as long as the
 * listener runs. A notification on the channel signals; so does every (re)connection, since rows
 * committed while nobody listened were announced to nobody. A lost connection is destroyed (never
 * returned to the pool while it listens) and replaced after a backoff, retried until it works.
 *
 * States: stopped -> connecting -> listening -> (lost -> waiting -> connecting) -> stopped.
 */
export class PgNotifyListener {
  private client: pg.PoolClient | undefined;
  private running = false;
  private attempts = 0;
  private retryTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly pool: pg.Pool,
    private readonly channel: string,
    private readonly signal: () => void,
    private readonly onError: (error: unknown) => void,
  ) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    void this.connect();
  }

  stop(): void {
    this.running = false;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    const client = this.client;
    this.client = undefined;
    client?.release(true);
  }

  private async connect(): Promise<void> {
    this.retryTimer = undefined;
    let client: pg.PoolClient | undefined;
    try {
      client = await this.pool.connect();
      if (!this.running) {
        client.release();
        return;
      }
      const connection = client;
      connection.on('notification', (message) => {
        if (message.channel === this.channel) this.signal();
      });
      connection.on('error', (error) => this.lost(connection, error));
      connection.on('end', () => this.lost(connection, new Error('the listening connection ended')));
      await connection.query(`LISTEN "${this.channel.replaceAll('"', '""')}"`);
      if (!this.running) {
        connection.release(true);
        return;
      }
      this.client = connection;
      this.attempts = 0;
      this.signal();
    } catch (error) {
      client?.release(true);
      if (!this.running) return;
      this.onError(error);
      this.retry();
    }
  }

  private lost(client: pg.PoolClient, error: Error): void {
    if (this.client !== client) return;
    this.client = undefined;
    client.release(error);
    if (!this.running) return;
    this.onError(error);
    this.retry();
  }

  private retry(): void {
    this.retryTimer = setTimeout(() => void this.connect(), backoffDelayMs(this.attempts++, RECONNECT));
  }
}
