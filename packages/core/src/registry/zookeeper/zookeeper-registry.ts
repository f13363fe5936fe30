import { EventEmitter } from 'eventemitter3';
import zookeeper from 'node-zookeeper-client';
import type {
  ConnectionState, CreateOptions, NodeData, Registry, RegistryEvents, RegistryOperation, Unsubscribe,
} from '../registry.js';
import { childOf, parentOf } from '../node-path.js';
import { RegistryNodeExistsError } from '../../errors/registry-node-exists-error.js';
import { RegistryNoNodeError } from '../../errors/registry-no-node-error.js';
import { RegistrySessionChangedError } from '../../errors/registry-session-changed-error.js';
import { RegistryTransactionError } from '../../errors/registry-transaction-error.js';
import { toError } from '../../util/to-error.js';
import { traced } from '../../tracing/trace-channel.js';
import { registryRequestChannel } from '../../tracing/core-channels.js';
import { isRetriableZookeeperError, toRegistryError, zookeeperCode } from './zookeeper-errors.js';
import { createMode, nodeAcls, ownerOf, toNodeData } from './zookeeper-encoding.js';
import { resolveZookeeperRegistryOptions, type ZookeeperRegistryOptions } from './zookeeper-registry-options.js';
import { ZookeeperSession, type Callback } from './zookeeper-session.js';
import { ZookeeperWatches } from './zookeeper-watches.js';

/**
 * The Registry on Apache ZooKeeper, through node-zookeeper-client, in Curator's layers: the
 * session (ZookeeperSession: states, heartbeat, expiry, retries), the watches
 * (ZookeeperWatches), and here the node operations in the namespace, with the ephemeral nodes
 * that come back by themselves after a new session (`restoreOnNewSession`).
 */
export class ZookeeperRegistry extends EventEmitter<RegistryEvents> implements Registry {
  private readonly session: ZookeeperSession;
  private readonly watches: ZookeeperWatches;
  private readonly restorable = new Map<string, string>();
  private readonly root: string;
  private readonly acls: zookeeper.ACL[];

  constructor(options: ZookeeperRegistryOptions) {
    super();
    const resolved = resolveZookeeperRegistryOptions(options);
    this.root = `/${resolved.namespace}`;
    this.acls = nodeAcls(resolved.digest);
    this.session = new ZookeeperSession(resolved, () => this.renew());
    this.watches = new ZookeeperWatches(this.session, (path) => this.full(path), (error) => this.emit('error', error));
    this.session.on('state', (state) => this.emit('state', state));
    this.session.on('error', (error) => this.emit('error', error));
    this.session.on('resumed', () => this.watches.rearmAll());
  }

  get state(): ConnectionState | 'connecting' {
    return this.session.state;
  }

  get sessionId(): string {
    return this.session.sessionId;
  }

  get sessionTimeoutMs(): number {
    return this.session.timeoutMs;
  }

  lastServerContactAt(): number {
    return this.session.lastContactAt;
  }

  async connect(): Promise<void> {
    await this.session.open(() => this.ensureRoot());
  }

  /**
   * Ends the session. While the server is reachable, resolves once it has answered the close, so
   * the session's ephemeral nodes (instance, run locks) are gone for every other client by then;
   * otherwise after at most `closeWaitMs` (the session then ends by expiry).
   */
  async close(): Promise<void> {
    this.watches.closeAll();
    await this.session.close();
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
      for (const child of await this.getChildren(path)) await this.remove(childOf(path, child));
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
    const transaction = this.session.requireClient().transaction();
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
          this.session.touch(sentAt);
          resolve();
          return;
        }
        if (isRetriableZookeeperError(error)) {
          reject(toRegistryError(error, operations[0]?.path ?? '/'));
          return;
        }
        this.session.touch(sentAt);
        const failedIndex = Math.max(0, (results ?? []).findIndex((result) => result.err !== undefined && result.err !== 0 && result.err !== zookeeper.Exception.RUNTIME_INCONSISTENCY));
        const failed = operations[failedIndex];
        reject(new RegistryTransactionError(failedIndex, failed?.path, toRegistryError(error, failed?.path ?? '/').message, error));
      });
    }));
  }

  watchData(path: string, listener: (node: NodeData | undefined) => void): Unsubscribe {
    return this.watches.watchData(path, listener);
  }

  watchChildren(path: string, listener: (children: string[]) => void): Unsubscribe {
    return this.watches.watchChildren(path, listener);
  }

  private request<T>(
    path: string,
    operation: (client: zookeeper.Client, full: string, done: Callback<T>) => void,
    options?: { retryConnectionLoss?: boolean; session?: string | undefined },
  ): Promise<T> {
    const full = this.full(path);
    return this.session.request(path, (client, done) => operation(client, full, done), options);
  }

  /** A new session replaced a lost one: our restorable nodes come back, every watch re-reads. */
  private async renew(): Promise<void> {
    await this.restoreEphemerals();
    this.watches.rearmAll();
  }

  /**
   * Re-creates the restorable ephemerals in the new session. A node still held by the old session
   * (we gave up on it client-side before the server expired it) is waited out in the background:
   * it vanishes within a session timeout, and then ours takes its place.
   */
  private async restoreEphemerals(): Promise<void> {
    const session = this.sessionId;
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
    while (this.sessionId === session && this.restorable.get(path) === data) {
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
