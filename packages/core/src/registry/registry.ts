import type { EventEmitter } from 'eventemitter3';

/**
 * Connection states, named after Apache Curator's:
 * - `connected`: the first session is established.
 * - `suspended`: the server has not answered for a while (or the socket dropped); the session may
 *   still be alive on the server. Work that must not run twice stops starting.
 * - `reconnected`: the same session answers again after `suspended`.
 * - `lost`: the session expired, or the client has been cut off longer than the session timeout
 *   (counted from the last server answer), so the server has (or will have) expired it.
 * - `closed`: `close()` was called.
 * After `lost` the registry opens a new session by itself, re-creates the ephemeral nodes created
 * with `restoreOnNewSession`, and emits `connected` with a new session id.
 */
export type ConnectionState = 'connected' | 'suspended' | 'reconnected' | 'lost' | 'closed';

export interface RegistryEvents {
  state: (state: ConnectionState) => void;
  /** Unexpected failure in the background (watch re-arm, heartbeat); never thrown at a caller. */
  error: (error: Error) => void;
}

export interface NodeData {
  readonly data: string;
  /** Version of the node's data, for compare-and-set. */
  readonly version: number;
  /** A number that grows with every write anywhere in the registry (ZooKeeper's mzxid). */
  readonly modifiedRevision: number;
  /** For an ephemeral node, the id of the session that created it (and that it dies with). */
  readonly ephemeralOwner: string | undefined;
}

export interface CreateOptions {
  ephemeral?: boolean;
  sequential?: boolean;
  /**
   * Ephemeral nodes only: re-create the node with the same data when a new session replaces a lost
   * one (how an instance re-registers after expiry). Off by default, because locks and election
   * nodes must NOT come back by themselves: their owner decides after a loss.
   */
  restoreOnNewSession?: boolean;
  /**
   * Send the request only on this session (a `sessionId` read earlier). A retry after a connection
   * loss that would go out on a newer session fails with `RegistrySessionChangedError` instead, so
   * a node meant to belong to an old session's work never lands in a new session.
   */
  session?: string;
}

export type RegistryOperation =
  | { readonly op: 'create'; readonly path: string; readonly data: string; readonly ephemeral?: boolean }
  | { readonly op: 'set'; readonly path: string; readonly data: string; readonly version?: number }
  | { readonly op: 'remove'; readonly path: string; readonly version?: number }
  | { readonly op: 'check'; readonly path: string; readonly version?: number };

export type Unsubscribe = () => void;

/**
 * The coordination store behind the scheduler: a tree of nodes with ephemeral nodes tied to the
 * session, watches and atomic multi-operations. Paths are absolute inside the registry's namespace
 * ("/my-job/config"). A second implementation (etcd, a database) is one file implementing this.
 */
export interface Registry extends EventEmitter<RegistryEvents> {
  readonly state: ConnectionState | 'connecting';
  /** Id of the current session; changes after `lost`. */
  readonly sessionId: string;
  /** Negotiated session timeout in milliseconds. */
  readonly sessionTimeoutMs: number;
  /**
   * Epoch-ms time at which a request was sent that the server has since answered: the server's
   * session clock was reset at or after this moment, so the session cannot expire before
   * `lastServerContactAt() + sessionTimeoutMs`.
   */
  lastServerContactAt(): number;

  connect(): Promise<void>;
  close(): Promise<void>;

  get(path: string): Promise<NodeData | undefined>;
  /** Child names, sorted. A missing node has no children. */
  getChildren(path: string): Promise<string[]>;
  exists(path: string): Promise<boolean>;
  /** Creates the node and any missing parents (parents are persistent and empty). Returns the created path. */
  create(path: string, data?: string, options?: CreateOptions): Promise<string>;
  /** Creates or overwrites a persistent node. */
  put(path: string, data: string): Promise<void>;
  /** Sets data; with `version`, fails with `RegistryVersionConflictError` if the node changed. */
  set(path: string, data: string, version?: number): Promise<NodeData>;
  /** Removes the node and its children; a missing node is not an error. */
  remove(path: string): Promise<void>;
  /**
   * Removes an ephemeral node only if `session` created it and is still this registry's session.
   * The ownership check and the remove both go out on that session, never on a newer one, so a
   * late call (a process resumed after a pause, a retry after a connection loss) cannot remove a
   * node that another session holds at the same path. Resolves whether the node was removed.
   */
  removeOwned(path: string, session: string): Promise<boolean>;
  /** Runs all operations atomically, or none (`RegistryTransactionError` says which failed). */
  transaction(operations: readonly RegistryOperation[]): Promise<void>;

  /** Calls `listener` now and after every change of the node's data or existence, until unsubscribed. Survives session loss. */
  watchData(path: string, listener: (node: NodeData | undefined) => void): Unsubscribe;
  /** Calls `listener` now and after every change of the node's children, until unsubscribed. Survives session loss. */
  watchChildren(path: string, listener: (children: string[]) => void): Unsubscribe;
}
