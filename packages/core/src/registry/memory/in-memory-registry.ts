import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'eventemitter3';
import type {
  ConnectionState, CreateOptions, NodeData, Registry, RegistryEvents, RegistryOperation, Unsubscribe,
} from '../registry.js';
import { RegistryConnectionError } from '../../errors/registry-connection-error.js';
import { RegistrySessionChangedError } from '../../errors/registry-session-changed-error.js';
import { DEFAULT_SESSION_TIMEOUT_MS } from '../session-timing.js';
import { WatchDelivery } from '../watch-delivery.js';
import { toError } from '../../util/to-error.js';
import { InMemoryRegistryStore } from './in-memory-registry-store.js';

export interface InMemoryRegistryOptions {
  /** Share one store between registries to simulate several processes; default: a private store. */
  store?: InMemoryRegistryStore;
  /** Reported session timeout (it drives the scheduler's fencing). Default 10 000 ms. */
  sessionTimeoutMs?: number;
}

interface Watch {
  readonly read: () => unknown;
  readonly matches: (kind: 'change' | 'children', path: string) => boolean;
  readonly delivery: WatchDelivery<unknown>;
}

/**
 * The Registry in memory, for single-process use and unit tests. Behaves like the ZooKeeper one:
 * ephemeral nodes belong to the session, watches deliver asynchronously and always the latest
 * value, and `expireSession()` / `suspend()` / `resume()` reproduce what a flaky network does.
 */
export class InMemoryRegistry extends EventEmitter<RegistryEvents> implements Registry {
  readonly store: InMemoryRegistryStore;
  readonly sessionTimeoutMs: number;
  private currentState: ConnectionState | 'connecting' = 'connecting';
  private session = newSessionId();
  private contactAt = Date.now();
  private readonly restorable = new Map<string, string>();
  private readonly watches = new Set<Watch>();
  private readonly onChange = (path: string): void => this.notify('change', path);
  private readonly onChildren = (path: string): void => this.notify('children', path);

  constructor(options: InMemoryRegistryOptions = {}) {
    super();
    this.store = options.store ?? new InMemoryRegistryStore();
    this.sessionTimeoutMs = options.sessionTimeoutMs ?? DEFAULT_SESSION_TIMEOUT_MS;
  }

  get state(): ConnectionState | 'connecting' {
    return this.currentState;
  }

  get sessionId(): string {
    return this.session;
  }

  lastServerContactAt(): number {
    // A healthy in-memory session is always in contact; a suspended one froze at suspend().
    if (this.currentState === 'connected' || this.currentState === 'reconnected') this.contactAt = Date.now();
    return this.contactAt;
  }

  async connect(): Promise<void> {
    if (this.currentState !== 'connecting') return;
    this.store.on('change', this.onChange);
    this.store.on('children', this.onChildren);
    this.setState('connected');
  }

  async close(): Promise<void> {
    this.store.endSession(this.session);
    this.store.off('change', this.onChange);
    this.store.off('children', this.onChildren);
    this.watches.clear();
    this.setState('closed');
  }

  /** Test helper: the connection drops; requests fail until `resume()`. */
  suspend(): void {
    this.lastServerContactAt();
    this.setState('suspended');
  }

  /** Test helper: the same session answers again. */
  resume(): void {
    this.setState('reconnected');
    this.refreshAll();
  }

  /** Test helper: the server expires the session; a new one starts at once. */
  expireSession(): void {
    this.store.endSession(this.session);
    this.setState('lost');
    this.session = newSessionId();
    for (const [path, data] of this.restorable) {
      try {
        this.store.create(path, data, { owner: this.session });
      } catch (error) {
        this.emit('error', toError(error));
      }
    }
    this.setState('connected');
    this.refreshAll();
  }

  async get(path: string): Promise<NodeData | undefined> {
    this.requireUsable();
    return this.store.get(path);
  }

  async getChildren(path: string): Promise<string[]> {
    this.requireUsable();
    return this.store.children(path);
  }

  async exists(path: string): Promise<boolean> {
    this.requireUsable();
    return this.store.get(path) !== undefined;
  }

  async create(path: string, data = '', options: CreateOptions = {}): Promise<string> {
    this.requireUsable();
    if (options.session !== undefined && options.session !== this.session) throw new RegistrySessionChangedError(path, options.session, this.session);
    const created = this.store.create(path, data, { owner: options.ephemeral ? this.session : undefined, sequential: options.sequential });
    if (options.ephemeral && options.restoreOnNewSession) this.restorable.set(created, data);
    return created;
  }

  async put(path: string, data: string): Promise<void> {
    this.requireUsable();
    if (this.store.get(path)) this.store.set(path, data);
    else this.store.create(path, data, {});
  }

  async set(path: string, data: string, version?: number): Promise<NodeData> {
    this.requireUsable();
    return this.store.set(path, data, version);
  }

  async remove(path: string): Promise<void> {
    this.requireUsable();
    this.restorable.delete(path);
    this.store.remove(path);
  }

  async removeOwned(path: string, session: string): Promise<boolean> {
    this.requireUsable();
    if (session !== this.session || this.store.get(path)?.ephemeralOwner !== session) return false;
    this.restorable.delete(path);
    this.store.remove(path);
    return true;
  }

  async transaction(operations: readonly RegistryOperation[]): Promise<void> {
    this.requireUsable();
    this.store.transaction(operations, this.session);
  }

  watchData(path: string, listener: (node: NodeData | undefined) => void): Unsubscribe {
    return this.addWatch(() => this.store.get(path), (kind, changed) => kind === 'change' && changed === path, listener);
  }

  watchChildren(path: string, listener: (children: string[]) => void): Unsubscribe {
    return this.addWatch(() => this.store.children(path), (kind, changed) => kind === 'children' && changed === path, listener);
  }

  private addWatch<T>(read: () => T, matches: Watch['matches'], listener: (value: T) => void): Unsubscribe {
    const delivery = new WatchDelivery<T>(listener, (error) => this.emit('error', toError(error)));
    const watch: Watch = { read, matches, delivery: delivery as WatchDelivery<unknown> };
    this.watches.add(watch);
    this.schedule(watch);
    return () => {
      delivery.close();
      this.watches.delete(watch);
    };
  }

  private notify(kind: 'change' | 'children', path: string): void {
    for (const watch of this.watches) if (watch.matches(kind, path)) this.schedule(watch);
  }

  /** After a reconnect every watch delivers again, even an unchanged value, as a re-armed ZooKeeper watch does. */
  private refreshAll(): void {
    for (const watch of this.watches) {
      watch.delivery.forgetLast();
      this.schedule(watch);
    }
  }

  /** Delivery is asynchronous, like a ZooKeeper notification, and reads the value at delivery time. */
  private schedule(watch: Watch): void {
    setImmediate(() => {
      if (this.currentState === 'suspended' || this.currentState === 'closed') return;
      watch.delivery.deliver(watch.read());
    });
  }

  private requireUsable(): void {
    if (this.currentState === 'suspended' || this.currentState === 'closed' || this.currentState === 'connecting') {
      throw new RegistryConnectionError(`in-memory registry session is ${this.currentState}`);
    }
  }

  private setState(state: ConnectionState): void {
    if (state === this.currentState) return;
    this.currentState = state;
    this.emit('state', state);
  }
}

function newSessionId(): string {
  return randomBytes(8).toString('hex');
}

