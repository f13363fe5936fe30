import { createHash } from 'node:crypto';
import { EventEmitter } from 'eventemitter3';
import zookeeper from 'node-zookeeper-client';
import type {
  ConnectionState, CreateOptions, NodeData, Registry, RegistryEvents, RegistryOperation, Unsubscribe,
} from '../registry.js';
import { RegistryConnectionError } from '../../errors/registry-connection-error.js';
import { RegistryNodeExistsError } from '../../errors/registry-node-exists-error.js';
import { RegistryNoNodeError } from '../../errors/registry-no-node-error.js';
import { RegistryTransactionError } from '../../errors/registry-transaction-error.js';
import { RegistrySessionChangedError } from '../../errors/registry-session-changed-error.js';
import { toError } from '../../util/to-error.js';
import { traced } from '../../tracing/trace-channel.js';
import { registryRequestChannel } from '../../tracing/core-channels.js';
import { isRetriableZookeeperError, toRegistryError, zookeeperCode } from './zookeeper-errors.js';
import {
  resolveZookeeperRegistryOptions, type ResolvedZookeeperRegistryOptions, type ZookeeperRegistryOptions,
} from './zookeeper-registry-options.js';

interface Watch {
  readonly kind: 'data' | 'children';
  readonly path: string;
  readonly listener: (value: never) => void;
  generation: number;
  lastDelivered: string | undefined;
  active: boolean;
}

type Callback<T> = (error: Error | zookeeper.Exception | null, result: T) => void;

/**
 * The Registry on Apache ZooKeeper, through node-zookeeper-client.
 *
 * Connection states (Curator's names) and what moves between them:
 * - connecting -> connected: the first session is established.
 * - connected/reconnected -> suspended: the client reports a disconnect, or no request was
 *   answered for a third of the session timeout (the heartbeat runs every sixth).
 * - suspended -> reconnected: answers arrive again on the same session.
 * - suspended -> lost: the server reports the session expired, or nothing was answered for a full
 *   session timeout since the last answered request was sent. node-zookeeper-client never reports
 *   expiry while it cannot reach the server (its issue #20), so, like Curator, we decide on the
 *   client side: the server cannot have kept the session longer than that.
 * - lost -> connected: a new client and session replace the old one; ephemeral nodes created with
 *   `restoreOnNewSession` are created again and every watch is re-read and re-armed.
 * - any -> closed: `close()`.
 *
 * `lastServerContactAt()` is the send time of the most recent request the server answered; the
 * scheduler's fencing counts from it.
 */
export class ZookeeperRegistry extends EventEmitter<RegistryEvents> implements Registry {
  private client: zookeeper.Client | undefined;
  private currentState: ConnectionState | 'connecting' = 'connecting';
  private contactAt = 0;
  private session = '';
  private negotiatedTimeoutMs: number;
  private heartbeat: NodeJS.Timeout | undefined;
  private replacing = false;
  private readonly restorable = new Map<string, string>();
  private readonly watches = new Set<Watch>();
  private readonly root: string;
  private readonly acls: zookeeper.ACL[];
  private readonly options: ResolvedZookeeperRegistryOptions;

  constructor(options: ZookeeperRegistryOptions) {
    super();
    this.options = resolveZookeeperRegistryOptions(options);
    this.root = `/${options.namespace}`;
    this.negotiatedTimeoutMs = this.options.sessionTimeoutMs;
    this.acls = options.digest === undefined
      ? [new zookeeper.ACL(zookeeper.Permission.ALL, new zookeeper.Id('world', 'anyone'))]
      : [new zookeeper.ACL(zookeeper.Permission.ALL, new zookeeper.Id('digest', digestId(options.digest)))];
  }

  get state(): ConnectionState | 'connecting' {
    return this.currentState;
  }

  get sessionId(): string {
    return this.session;
  }

  get sessionTimeoutMs(): number {
    return this.negotiatedTimeoutMs;
  }

  lastServerContactAt(): number {
    return this.contactAt;
  }

  async connect(): Promise<void> {
    if (this.currentState !== 'connecting') return;
    await this.openSession(this.options.connectionTimeoutMs);
    await this.ensureRoot();
    this.heartbeat = setInterval(() => this.beat(), Math.max(100, Math.floor(this.negotiatedTimeoutMs / 6)));
    this.heartbeat.unref();
    this.setState('connected');
  }

  /**
   * Ends the session. While the server is reachable, resolves once it has answered the close, so
   * the session's ephemeral nodes (instance, run locks) are gone for every other client by then;
   * otherwise after at most `closeWaitMs` (the session then ends by expiry).
   */
  async close(): Promise<void> {
    if (this.heartbeat) clearInterval(this.heartbeat);
    for (const watch of this.watches) watch.active = false;
    this.watches.clear();
    const client = this.client;
    const reachable = this.currentState === 'connected' || this.currentState === 'reconnected';
    this.client = undefined;
    this.setState('closed');
    if (!client) return;
    const answered = reachable ? untilEvent(client, 'disconnected', this.options.closeWaitMs) : Promise.resolve();
    client.close();
    await answered;
  }

  get(path: string): Promise<NodeData | undefined> {
    return this.request(path, (client, full, done: Callback<NodeData | undefined>) => {
      client.getData(full, (error, data, stat) => {
        if (zookeeperCode(error) === zookeeper.Exception.NO_NODE) done(null, undefined);
        else done(error, error ? undefined : toNodeData(data, stat));
      });
    });
  }

  getChildren(path: string): Promise<string[]> {
    return this.request(path, (client, full, done: Callback<string[]>) => {
      client.getChildren(full, (error, children) => {
        if (zookeeperCode(error) === zookeeper.Exception.NO_NODE) done(null, []);
        else done(error, error ? [] : [...children].sort());
      });
    });
  }

  exists(path: string): Promise<boolean> {
    return this.request(path, (client, full, done: Callback<boolean>) => {
      client.exists(full, (error, stat) => done(error, Boolean(stat)));
    });
  }

  async create(path: string, data = '', options: CreateOptions = {}): Promise<string> {
    const mode = createMode(options);
    const createNode = (): Promise<string> => this.request(path, (client, full, done: Callback<string>) => {
      client.create(full, Buffer.from(data), this.acls, mode, done);
    }, { retryConnectionLoss: !options.sequential, session: options.session });
    let created: string;
    try {
      // One round trip in the common case; parents are created only when missing.
      created = await createNode();
    } catch (error) {
      if (!(error instanceof RegistryNoNodeError)) throw error;
      await this.request(parentOf(path), (client, full, done: Callback<string>) => {
        client.mkdirp(full, Buffer.alloc(0), this.acls, zookeeper.CreateMode.PERSISTENT, done);
      }, { session: options.session });
      created = await createNode();
    }
    const relative = this.relative(created);
    if (options.ephemeral && options.restoreOnNewSession) this.restorable.set(relative, data);
    return relative;
  }

  async put(path: string, data: string): Promise<void> {
    for (;;) {
      try {
        await this.set(path, data);
        return;
      } catch (error) {
        if (!(error instanceof RegistryNoNodeError)) throw error;
      }
      try {
        await this.create(path, data);
        return;
      } catch (error) {
        if (!(error instanceof RegistryNodeExistsError)) throw error;
      }
    }
  }

  set(path: string, data: string, version = -1): Promise<NodeData> {
    return this.request(path, (client, full, done: Callback<NodeData>) => {
      const buffer = Buffer.from(data);
      client.setData(full, buffer, version, (error, stat) => done(error, error ? (undefined as never) : toNodeData(buffer, stat)));
    });
  }

  async remove(path: string): Promise<void> {
    this.restorable.delete(path);
    const removeNode = (): Promise<void> => this.request(path, (client, full, done: Callback<void>) => {
      client.remove(full, -1, (error) => done(zookeeperCode(error) === zookeeper.Exception.NO_NODE ? null : error, undefined));
    });
    try {
      await removeNode();
    } catch (error) {
      if (zookeeperCode((error as { cause?: unknown }).cause) !== zookeeper.Exception.NOT_EMPTY) throw error;
      for (const child of await this.getChildren(path)) await this.remove(`${path === '/' ? '' : path}/${child}`);
      await removeNode();
    }
  }

  async removeOwned(path: string, session: string): Promise<boolean> {
    this.restorable.delete(path);
    try {
      // Both requests go out on the owner's session or not at all: while that session lives, nobody
      // else can hold a node at this path, and once it has expired the server refuses its requests.
      return await this.request(path, (client, full, done: Callback<boolean>) => {
        client.exists(full, (error, stat) => {
          if (error || !stat || ownerOf(stat) !== session) {
            done(error, false);
            return;
          }
          client.remove(full, stat.version, (removeError) => {
            const code = zookeeperCode(removeError);
            if (code === zookeeper.Exception.NO_NODE || code === zookeeper.Exception.BAD_VERSION) done(null, false);
            else done(removeError, !removeError);
          });
        });
      }, { session });
    } catch (error) {
      if (error instanceof RegistrySessionChangedError) return false;
      throw error;
    }
  }

  async transaction(operations: readonly RegistryOperation[]): Promise<void> {
    const client = this.requireClient();
    const transaction = client.transaction();
    for (const operation of operations) {
      const full = this.full(operation.path);
      if (operation.op === 'create') {
        transaction.create(full, Buffer.from(operation.data), this.acls, operation.ephemeral ? zookeeper.CreateMode.EPHEMERAL : zookeeper.CreateMode.PERSISTENT);
      } else if (operation.op === 'set') transaction.setData(full, Buffer.from(operation.data), operation.version ?? -1);
      else if (operation.op === 'remove') transaction.remove(full, operation.version ?? -1);
      else transaction.check(full, operation.version ?? -1);
    }
    const sentAt = Date.now();
    await traced(registryRequestChannel, () => ({ path: operations[0]?.path ?? '/', attempt: 1 }), () => new Promise<void>((resolve, reject) => {
      transaction.commit((error, results: Array<{ type: number; err?: number }> | undefined) => {
        if (!error) {
          this.touch(sentAt);
          resolve();
          return;
        }
        if (isRetriableZookeeperError(error)) {
          reject(toRegistryError(error, operations[0]?.path ?? '/'));
          return;
        }
        this.touch(sentAt);
        const failedIndex = Math.max(0, (results ?? []).findIndex((result) => result.err !== undefined && result.err !== 0 && result.err !== zookeeper.Exception.RUNTIME_INCONSISTENCY));
        const failed = operations[failedIndex];
        reject(new RegistryTransactionError(failedIndex, failed?.path, toRegistryError(error, failed?.path ?? '/').message, error));
      });
    }));
  }

  watchData(path: string, listener: (node: NodeData | undefined) => void): Unsubscribe {
    return this.addWatch({ kind: 'data', path, listener, generation: 0, lastDelivered: undefined, active: true });
  }

  watchChildren(path: string, listener: (children: string[]) => void): Unsubscribe {
    return this.addWatch({ kind: 'children', path, listener, generation: 0, lastDelivered: undefined, active: true });
  }

  private addWatch(watch: Watch): Unsubscribe {
    this.watches.add(watch);
    this.arm(watch);
    return () => {
      watch.active = false;
      this.watches.delete(watch);
    };
  }

  /**
   * ZooKeeper watches fire once; each firing re-reads and re-arms. A generation number makes
   * watchers left over from an earlier arm (after a reconnect) do nothing.
   */
  private arm(watch: Watch): void {
    const client = this.client;
    if (!watch.active || !client) return;
    watch.generation += 1;
    const generation = watch.generation;
    const full = this.full(watch.path);
    const rearm = (): void => {
      if (watch.active && watch.generation === generation) this.arm(watch);
    };
    const sentAt = Date.now();
    const failed = (error: unknown): void => {
      // Connection trouble: the state machine re-arms every watch on reconnect.
      if (!isRetriableZookeeperError(error) && zookeeperCode(error) !== zookeeper.Exception.SESSION_EXPIRED) this.emit('error', toRegistryError(error, watch.path));
    };
    if (watch.kind === 'children') {
      client.getChildren(full, rearm, (error, children) => {
        if (zookeeperCode(error) === zookeeper.Exception.NO_NODE) {
          client.exists(full, rearm, (existsError, stat) => {
            if (existsError) failed(existsError);
            else if (stat) rearm();
            else this.deliver(watch, [], sentAt);
          });
        } else if (error) failed(error);
        else this.deliver(watch, [...children].sort(), sentAt);
      });
      return;
    }
    client.getData(full, rearm, (error, data, stat) => {
      if (zookeeperCode(error) === zookeeper.Exception.NO_NODE) {
        client.exists(full, rearm, (existsError, existsStat) => {
          if (existsError) failed(existsError);
          else if (existsStat) rearm();
          else this.deliver(watch, undefined, sentAt);
        });
      } else if (error) failed(error);
      else this.deliver(watch, toNodeData(data, stat), sentAt);
    });
  }

  private deliver(watch: Watch, value: NodeData | string[] | undefined, sentAt: number): void {
    this.touch(sentAt);
    if (!watch.active) return;
    const key = JSON.stringify(value ?? null);
    if (key === watch.lastDelivered) return;
    watch.lastDelivered = key;
    try {
      (watch.listener as (value: NodeData | string[] | undefined) => void)(value);
    } catch (error) {
      this.emit('error', toError(error));
    }
  }

  private async request<T>(
    path: string,
    operation: (client: zookeeper.Client, full: string, done: Callback<T>) => void,
    options: { retryConnectionLoss?: boolean; session?: string | undefined } = {},
  ): Promise<T> {
    const attempts = options.retryConnectionLoss === false ? 1 : this.options.retry.attempts;
    for (let attempt = 1; ; attempt++) {
      if (options.session !== undefined && options.session !== this.session) throw new RegistrySessionChangedError(path, options.session, this.session);
      const client = this.requireClient();
      const sentAt = Date.now();
      try {
        const result = await traced(registryRequestChannel, () => ({ path, attempt }), () => new Promise<T>((resolve, reject) => {
          operation(client, this.full(path), (error, value) => (error ? reject(error) : resolve(value)));
        }));
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

  private requireClient(): zookeeper.Client {
    if (!this.client || this.currentState === 'closed') throw new RegistryConnectionError(`ZooKeeper registry ${this.options.connectString} is ${this.currentState}`);
    return this.client;
  }

  private touch(sentAt: number): void {
    if (sentAt > this.contactAt) this.contactAt = sentAt;
  }

  private setState(state: ConnectionState): void {
    if (state === this.currentState) return;
    this.currentState = state;
    this.emit('state', state);
  }

  private openSession(timeoutMs: number): Promise<void> {
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
        this.session = client.getSessionId().toString('hex');
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
      this.setState('reconnected');
      this.rearmAll();
    });
    client.on('expired', () => {
      if (client === this.client) void this.replaceSession();
    });
  }

  /** The heartbeat: keeps `lastServerContactAt` fresh and drives the client-side timeouts. */
  private beat(): void {
    const client = this.client;
    if (!client || this.currentState === 'closed') return;
    const sentAt = Date.now();
    client.exists('/', (error) => {
      if (error || client !== this.client) return;
      this.touch(sentAt);
      if (this.currentState === 'suspended') {
        this.setState('reconnected');
        this.rearmAll();
      }
    });
    const silentFor = Date.now() - this.contactAt;
    const usable = this.currentState === 'connected' || this.currentState === 'reconnected';
    if (usable && silentFor >= this.negotiatedTimeoutMs / 3) this.setState('suspended');
    if (this.currentState === 'suspended' && silentFor >= this.negotiatedTimeoutMs) void this.replaceSession();
  }

  private async replaceSession(): Promise<void> {
    if (this.replacing || this.currentState === 'closed') return;
    this.replacing = true;
    this.setState('lost');
    this.client?.close();
    this.client = undefined;
    try {
      for (let attempt = 0; !this.isClosed(); attempt++) {
        try {
          await this.openSession(Math.max(2_000, this.negotiatedTimeoutMs));
          break;
        } catch (error) {
          this.emit('error', toError(error));
          await new Promise((resolve) => setTimeout(resolve, Math.min(this.options.retry.maxDelayMs, this.options.retry.baseDelayMs * 2 ** attempt)));
        }
      }
      if (this.isClosed()) return;
      await this.restoreEphemerals();
      this.setState('connected');
      this.rearmAll();
    } finally {
      this.replacing = false;
    }
  }

  private isClosed(): boolean {
    return this.currentState === 'closed';
  }

  /**
   * Re-creates the restorable ephemerals in the new session. A node still held by the old session
   * (we gave up on it client-side before the server expired it) is waited out in the background:
   * it vanishes within a session timeout, and then ours takes its place.
   */
  private async restoreEphemerals(): Promise<void> {
    const session = this.session;
    for (const [path, data] of this.restorable) {
      try {
        await this.create(path, data, { ephemeral: true, restoreOnNewSession: true, session });
      } catch (error) {
        if (error instanceof RegistryNodeExistsError) void this.restoreOnceFree(path, data, session);
        else this.emit('error', toError(error));
      }
    }
  }

  private async restoreOnceFree(path: string, data: string, session: string): Promise<void> {
    while (this.session === session && this.restorable.get(path) === data) {
      const holder = await this.get(path).catch(() => undefined);
      if (holder?.ephemeralOwner === session) return;
      if (holder) {
        await new Promise<void>((resolve) => {
          const unwatch = this.watchData(path, (node) => {
            if (node) return;
            queueMicrotask(() => unwatch());
            resolve();
          });
        });
        continue;
      }
      try {
        await this.create(path, data, { ephemeral: true, restoreOnNewSession: true, session });
        return;
      } catch (error) {
        if (!(error instanceof RegistryNodeExistsError)) {
          if (!(error instanceof RegistrySessionChangedError)) this.emit('error', toError(error));
          return;
        }
      }
    }
  }

  private rearmAll(): void {
    for (const watch of this.watches) {
      watch.lastDelivered = undefined;
      this.arm(watch);
    }
  }

  private async ensureRoot(): Promise<void> {
    await this.request('/', (client, full, done: Callback<string>) => {
      client.mkdirp(full, Buffer.alloc(0), this.acls, zookeeper.CreateMode.PERSISTENT, done);
    });
  }

  private full(path: string): string {
    return path === '/' ? this.root : `${this.root}${path}`;
  }

  private relative(full: string): string {
    return full === this.root ? '/' : full.slice(this.root.length);
  }
}

function createMode(options: CreateOptions): number {
  if (options.ephemeral) return options.sequential ? zookeeper.CreateMode.EPHEMERAL_SEQUENTIAL : zookeeper.CreateMode.EPHEMERAL;
  return options.sequential ? zookeeper.CreateMode.PERSISTENT_SEQUENTIAL : zookeeper.CreateMode.PERSISTENT;
}

function parentOf(path: string): string {
  return path.slice(0, path.lastIndexOf('/')) || '/';
}

function toNodeData(data: Buffer | undefined, stat: zookeeper.Stat): NodeData {
  const revision = stat.mzxid.readBigUInt64BE(0);
  if (revision > BigInt(Number.MAX_SAFE_INTEGER)) throw new RangeError(`ZooKeeper zxid ${revision} exceeds 2^53`);
  return { data: data ? data.toString() : '', version: stat.version, modifiedRevision: Number(revision), ephemeralOwner: ownerOf(stat) };
}

/** The owning session's id in the registry's `sessionId` form, or undefined for a persistent node. */
function ownerOf(stat: zookeeper.Stat): string | undefined {
  return stat.ephemeralOwner.every((byte) => byte === 0) ? undefined : stat.ephemeralOwner.toString('hex');
}

/** ZooKeeper's digest ACL id: `user:base64(sha1(user:password))`. */
function digestId(credentials: string): string {
  const user = credentials.slice(0, credentials.indexOf(':'));
  return `${user}:${createHash('sha1').update(credentials).digest('base64')}`;
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
