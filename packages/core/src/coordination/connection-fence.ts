import { EventEmitter } from 'eventemitter3';
import type { ConnectionState, Registry } from '../registry/registry.js';
import { sessionTiming } from '../registry/session-timing.js';

export interface ConnectionFenceEvents {
  /** Every running item must stop now: the session may be about to expire or is gone. */
  abort: (reason: string) => void;
}

/**
 * Decides whether this process may still act on its assignment. ElasticJob keeps running jobs
 * while cut off from ZooKeeper, so a failed-over item runs twice; here work stops long before the
 * server can expire our session and hand our items (and run locks) to someone else.
 *
 * All times count from `registry.lastServerContactAt()`, the send time of the last request the
 * server answered, because the server's expiry clock restarted no earlier than that moment.
 *
 * - HEALTHY: state is connected/reconnected and the last contact is younger than `pauseAfter`
 *   (a third of the session timeout). Batches may start.
 * - PAUSED: unhealthy, but younger than `abortAfter` (half the session timeout). No new batch
 *   starts; running batches go on, since a short hiccup is common and usually recovers.
 * - ABORTED: older than `abortAfter`, or the session is lost/closed. `abort` fires once per
 *   unhealthy stretch; every running item's signal is aborted by the listener.
 *
 * A periodic check (a tenth of the session timeout) covers a registry whose state events come
 * late, for example when the event loop was blocked.
 */
export class ConnectionFence extends EventEmitter<ConnectionFenceEvents> {
  private state: ConnectionState | 'connecting';
  private aborted = false;
  private timer: NodeJS.Timeout | undefined;
  private readonly onState = (state: ConnectionState): void => {
    this.state = state;
    this.check();
  };

  constructor(private readonly registry: Registry) {
    super();
    this.state = registry.state;
  }

  start(): void {
    this.registry.on('state', this.onState);
    this.timer = setInterval(() => this.check(), sessionTiming(this.registry.sessionTimeoutMs).fenceCheckEveryMs);
    this.timer.unref();
  }

  stop(): void {
    this.registry.off('state', this.onState);
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** True while new batches may start. */
  isHealthy(): boolean {
    const sessionUsable = this.state === 'connected' || this.state === 'reconnected';
    return sessionUsable && this.sinceLastContact() < sessionTiming(this.registry.sessionTimeoutMs).suspendAfterMs;
  }

  private sinceLastContact(): number {
    return Date.now() - this.registry.lastServerContactAt();
  }

  private check(): void {
    if (this.isHealthy()) {
      this.aborted = false;
      return;
    }
    const sessionGone = this.state === 'lost' || this.state === 'closed';
    const tooLong = this.sinceLastContact() >= sessionTiming(this.registry.sessionTimeoutMs).abortAfterMs;
    if ((sessionGone || tooLong) && !this.aborted) {
      this.aborted = true;
      this.emit('abort', sessionGone ? `registry session ${this.state}` : `no answer from the registry for ${this.sinceLastContact()} ms`);
    }
  }
}
