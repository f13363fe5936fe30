import { EventEmitter } from 'eventemitter3';
import zookeeper from 'node-zookeeper-client';
import type { ConnectionState } from '../registry.js';
import { sessionTiming } from '../session-timing.js';
import { RegistryConnectionError } from '../../errors/registry-connection-error.js';
import { RegistrySessionChangedError } from '../../errors/registry-session-changed-error.js';
import { toError } from '../../util/to-error.js';
import { traced } from '../../tracing/trace-channel.js';
import { registryRequestChannel } from '../../tracing/core-channels.js';
import { isRetriableZookeeperError, toRegistryError } from './zookeeper-errors.js';
import type { ResolvedZookeeperRegistryOptions } from './zookeeper-registry-options.js';

export type Callback<T> = (error: Error | zookeeper.Exception | null, result: T) => void;

export interface ZookeeperSessionEvents {
  state: (state: ConnectionState) => void;
  /** The same session answers again after a suspension: watches must be re-armed. */
  resumed: () => void;
  error: (error: Error) => void;
}

/**
 * One ZooKeeper session at a time, through node-zookeeper-client: the connection state machine,
 * the heartbeat, client-side expiry and request retries. Nothing here knows about nodes.
 *
 * States (Curator's names) and what moves between them:
 * - connecting -> connected: the first session is established.
 * - connected/reconnected -> suspended: the client reports a disconnect, or no request was
 *   answered for a third of the session timeout (the heartbeat runs every sixth).
 * - suspended -> reconnected: answers arrive again on the same session (`resumed` is emitted).
 * - suspended -> lost: the server reports the session expired, or nothing was answered for a full
 *   session timeout since the last answered request was sent. node-zookeeper-client never reports
 *   expiry while it cannot reach the server (its issue #20), so, like Curator, we decide on the
 *   client side: the server cannot have kept the session longer than that.
 * - lost -> connected: a new client and session replace the old one; `onNewSession` (restoring
 *   ephemeral nodes, re-arming watches) runs before `connected` is emitted.
 * - any -> closed: `close()`.
 *
 * `lastContactAt` is the send time of the most recent request the server answered; the
 * scheduler's fencing counts from it.
 */
export class ZookeeperSession extends EventEmitter<ZookeeperSessionEvents> {
  private client: zookeeper.Client | undefined;
  private currentState: ConnectionState | 'connecting' = 'connecting';
  private contactAt = 0;
  private id = '';
  private negotiatedTimeoutMs: number;
  private heartbeat: NodeJS.Timeout | undefined;
  private replacing = false;
  /**
   * How to fail each request still waiting for its answer. node-zookeeper-client may never call
   * back a request queued on a client that is closed, or one sent while the server is gone, so
   * every request is failed as a connection loss when its client is closed or replaced, or when no
   * answer came within the session timeout (the session is lost by then anyway). Without this a
   * shutdown with ZooKeeper down could wait forever.
   */
  private readonly unanswered = new Set<() => void>();

  constructor(
    private readonly options: ResolvedZookeeperRegistryOptions,
    private readonly onNewSession: () => Promise<void>,
  ) {
    super();
    this.negotiatedTimeoutMs = options.sessionTimeoutMs;
  }

  get state(): ConnectionState | 'connecting' {
    return this.currentState;
  }

  get sessionId(): string {
    return this.id;
  }

  get timeoutMs(): number {
    return this.negotiatedTimeoutMs;
  }

  get lastContactAt(): number {
    return this.contactAt;
  }

  /** The client of the current session, for requests that manage their own callbacks (watches). */
  get currentClient(): zookeeper.Client | undefined {
    return this.currentState === 'closed' ? undefined : this.client;
  }

  /** Opens the first session; `ready` runs on it before the state becomes `connected`. */
  async open(ready: () => Promise<void>): Promise<void> {
    if (this.currentState !== 'connecting') return;
    await this.openClient(this.options.connectionTimeoutMs);
    await ready();
    this.heartbeat = setInterval(() => this.beat(), sessionTiming(this.negotiatedTimeoutMs).heartbeatMs);
    this.heartbeat.unref();
    this.setState('connected');
  }

  /**
   * Ends the session. While the server is reachable, resolves once it has answered the close, so
   * the session's ephemeral nodes are gone for every other client by then; otherwise after at
   * most `closeWaitMs` (the session then ends by expiry).
   */
  async close(): Promise<void> {
    if (this.heartbeat) clearInterval(this.heartbeat);
    const client = this.client;
    const reachable = this.currentState === 'connected' || this.currentState === 'reconnected';
    this.client = undefined;
    this.setState('closed');
    this.failUnanswered();
    if (!client) return;
    const answered = reachable ? untilEvent(client, 'disconnected', this.options.closeWaitMs) : Promise.resolve();
    client.close();
    await answered;
  }

  /**
   * Runs one request, retrying connection loss and timeouts with backoff. With `session`, every
   * attempt goes out on that session or fails with RegistrySessionChangedError.
   */
  async request<T>(
    path: string,
    operation: (client: zookeeper.Client, done: Callback<T>) => void,
    options: { retryConnectionLoss?: boolean; session?: string | undefined } = {},
  ): Promise<T> {
    const attempts = options.retryConnectionLoss === false ? 1 : this.options.retry.attempts;
    for (let attempt = 1; ; attempt++) {
      if (options.session !== undefined && options.session !== this.id) throw new RegistrySessionChangedError(path, options.session, this.id);
      const client = this.requireClient();
      const sentAt = Date.now();
      try {
        const result = await traced(registryRequestChannel, () => ({ path, attempt }), () => this.send(path, client, operation));
        this.touch(sentAt);
        return result;
      } catch (error) {
        if (!isRetriableZookeeperError(error) || attempt >= attempts || this.currentState === 'closed') {
          if (!isRetriableZookeeperError(error)) this.touch(sentAt);
          throw toRegistryError(error, path);
        }
        const delay = Math.min(this.options.retry.maxDelayMs, this.options.retry.baseDelayMs * 2 ** (attempt - 1));
        await new Promise((resolve) => setTimeout(resolve, delay * (0.5 + Math.random() / 2)));
      }
    }
  }

  /** One attempt of a request, failed as a connection loss if it is left unanswered (see `unanswered`). */
  private send<T>(path: string, client: zookeeper.Client, operation: (client: zookeeper.Client, done: Callback<T>) => void): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const settle = (): void => {
        clearTimeout(deadline);
        this.unanswered.delete(fail);
      };
      const fail = (): void => {
        settle();
        reject(new zookeeper.Exception(zookeeper.Exception.CONNECTION_LOSS, 'CONNECTION_LOSS', path, fail));
      };
      const deadline = setTimeout(fail, sessionTiming(this.negotiatedTimeoutMs).lostAfterMs);
      this.unanswered.add(fail);
      operation(client, (error, value) => {
        settle();
        if (error) reject(error);
        else resolve(value);
      });
    });
  }

  private failUnanswered(): void {
    for (const fail of [...this.unanswered]) fail();
  }

  requireClient(): zookeeper.Client {
    if (!this.client || this.currentState === 'closed') throw new RegistryConnectionError(`ZooKeeper registry ${this.options.connectString} is ${this.currentState}`);
    return this.client;
  }

  /** Records that the server answered a request sent at `sentAt`. */
  touch(sentAt: number): void {
    if (sentAt > this.contactAt) this.contactAt = sentAt;
  }

  private setState(state: ConnectionState): void {
    if (state === this.currentState) return;
    this.currentState = state;
    this.emit('state', state);
  }

  private openClient(timeoutMs: number): Promise<void> {
    const client = zookeeper.createClient(this.options.connectString, {
      sessionTimeout: this.options.sessionTimeoutMs,
      spinDelay: 200,
      retries: 0,
    });
    if (this.options.digest) client.addAuthInfo('digest', Buffer.from(this.options.digest));
    const openedAt = Date.now();
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        client.close();
        reject(new RegistryConnectionError(`Could not connect to ZooKeeper at ${this.options.connectString} within ${timeoutMs} ms`));
      }, timeoutMs);
      client.once('connected', () => {
        clearTimeout(timer);
        this.client = client;
        this.id = client.getSessionId().toString('hex');
        this.negotiatedTimeoutMs = client.getSessionTimeout();
        this.touch(openedAt);
        this.listen(client);
        resolve();
      });
      client.connect();
    });
  }

  private listen(client: zookeeper.Client): void {
    client.on('disconnected', () => {
      if (client === this.client && (this.currentState === 'connected' || this.currentState === 'reconnected')) this.setState('suspended');
    });
    client.on('connected', () => {
      if (client !== this.client || this.currentState !== 'suspended') return;
      this.touch(Date.now());
      this.resume();
    });
    client.on('expired', () => {
      if (client === this.client) void this.replace();
    });
  }

  private resume(): void {
    this.setState('reconnected');
    this.emit('resumed');
  }

  /** The heartbeat: keeps `lastContactAt` fresh and drives the client-side timeouts. */
  private beat(): void {
    const client = this.client;
    if (!client || this.currentState === 'closed') return;
    const sentAt = Date.now();
    client.exists('/', (error) => {
      if (error || client !== this.client) return;
      this.touch(sentAt);
      if (this.currentState === 'suspended') this.resume();
    });
    const timing = sessionTiming(this.negotiatedTimeoutMs);
    const silentFor = Date.now() - this.contactAt;
    const usable = this.currentState === 'connected' || this.currentState === 'reconnected';
    if (usable && silentFor >= timing.suspendAfterMs) this.setState('suspended');
    if (this.currentState === 'suspended' && silentFor >= timing.lostAfterMs) void this.replace();
  }

  private async replace(): Promise<void> {
    if (this.replacing || this.currentState === 'closed') return;
    this.replacing = true;
    this.setState('lost');
    this.client?.close();
    this.client = undefined;
    this.failUnanswered();
    try {
      for (let attempt = 0; this.state !== 'closed'; attempt++) {
        try {
          await this.openClient(Math.max(2_000, this.negotiatedTimeoutMs));
          break;
        } catch (error) {
          this.emit('error', toError(error));
          await new Promise((resolve) => setTimeout(resolve, Math.min(this.options.retry.maxDelayMs, this.options.retry.baseDelayMs * 2 ** attempt)));
        }
      }
      if (this.state === 'closed') return;
      await this.onNewSession();
      this.setState('connected');
    } finally {
      this.replacing = false;
    }
  }
}

/** Resolves on the client's next `event`, or after `timeoutMs` if it does not come. */
function untilEvent(client: zookeeper.Client, event: 'disconnected', timeoutMs: number): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, timeoutMs);
    client.once(event, done);
    function done(): void {
      clearTimeout(timer);
      client.removeListener(event, done);
      resolve();
    }
  });
}
