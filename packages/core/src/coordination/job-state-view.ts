import { EventEmitter } from 'eventemitter3';
import type { NodeData, Registry, Unsubscribe } from '../registry/registry.js';
import type { JobPaths } from './job-paths.js';
import { parseAssignment, type Assignment } from '../sharding/assignment.js';
import { parseStoredJobConfig } from '../config/stored-job-config.js';
import type { ResolvedJobConfig } from '../config/validate-job-config.js';
import { toError } from '../util/to-error.js';
import { parseRunLock, type RunLock } from './run-lock.js';

export interface JobStateEvents {
  config: (config: ResolvedJobConfig) => void;
  instances: () => void;
  assignment: (assignment: Assignment | undefined) => void;
  running: () => void;
  disabledItems: () => void;
  /** A manual trigger was requested after this view started. */
  trigger: () => void;
  error: (error: Error) => void;
}

/** A run lock that vanished together with its holder: the item was interrupted, not finished. */
export interface FailoverCandidate {
  readonly item: number;
  readonly instance: string;
  readonly at: number;
}

/**
 * This process's cached picture of one job in the registry, kept coherent by watches, so the
 * scheduler's hot paths (every fire, every batch) read memory, not the registry.
 *
 * It also notices interrupted runs for failover: when a run lock disappears and its holder's
 * instance node is gone as well, the holder died or left mid-run. ZooKeeper removes all of a
 * session's ephemeral nodes in one transaction, so the instance check made after seeing the lock
 * vanish cannot observe the instance as still alive. Every instance keeps these candidates, so a
 * newly elected leader knows them even when the dead instance was the old leader.
 */
export class JobStateView extends EventEmitter<JobStateEvents> {
  config: ResolvedJobConfig | undefined;
  instances: readonly string[] = [];
  disabledInstances: ReadonlySet<string> = new Set();
  disabledItems: ReadonlySet<number> = new Set();
  assignment: Assignment | undefined;
  assignmentVersion = -1;
  /**
   * The registry session in which `assignment` was read. After a session is replaced, the cached
   * assignment may be long out of date (others resharded while we were cut off) until the re-armed
   * watch delivers it again; nothing may start on it in the meantime.
   */
  assignmentSession: string | undefined;
  readonly running = new Map<number, RunLock>();
  private readonly candidates = new Map<number, FailoverCandidate>();
  private unsubscribes: Unsubscribe[] = [];
  private triggerSeen: string | undefined;

  constructor(
    private readonly registry: Registry,
    private readonly paths: JobPaths,
    /** Candidates older than this are dropped: by then the leader has acted or the run would be stale. */
    private readonly candidateTtlMs: number,
  ) {
    super();
  }

  /** Subscribes to every node of the job and resolves once each has delivered its first value. */
  async start(): Promise<void> {
    const firsts: Promise<void>[] = [];
    const watchData = (path: string, apply: (node: NodeData | undefined) => void): void => {
      let resolveFirst!: () => void;
      firsts.push(new Promise((resolve) => (resolveFirst = resolve)));
      this.unsubscribes.push(this.registry.watchData(path, (node) => {
        this.guard(() => apply(node));
        resolveFirst();
      }));
    };
    const watchChildren = (path: string, apply: (children: string[]) => void | Promise<void>): void => {
      let resolveFirst!: () => void;
      firsts.push(new Promise((resolve) => (resolveFirst = resolve)));
      this.unsubscribes.push(this.registry.watchChildren(path, (children) => {
        void Promise.resolve(this.guard(() => apply(children))).finally(resolveFirst);
      }));
    };
    watchData(this.paths.config, (node) => this.applyConfig(node));
    watchData(this.paths.assignment, (node) => this.applyAssignment(node));
    watchData(this.paths.trigger, (node) => this.applyTrigger(node));
    watchChildren(this.paths.instances, (children) => {
      this.instances = children;
      this.emit('instances');
    });
    watchChildren(this.paths.disabledInstances, (children) => {
      this.disabledInstances = new Set(children);
      this.emit('instances');
    });
    watchChildren(this.paths.disabledItems, (children) => {
      this.disabledItems = new Set(children.map(Number));
      this.emit('disabledItems');
    });
    watchChildren(this.paths.running, (children) => this.applyRunning(children));
    await Promise.all(firsts);
  }

  stop(): void {
    for (const unsubscribe of this.unsubscribes) unsubscribe();
    this.unsubscribes = [];
  }

  /** Live instances that are not disabled, sorted. */
  eligibleInstances(): string[] {
    return this.instances.filter((id) => !this.disabledInstances.has(id)).sort();
  }

  failoverCandidates(): FailoverCandidate[] {
    const oldest = Date.now() - this.candidateTtlMs;
    for (const [item, candidate] of this.candidates) if (candidate.at < oldest) this.candidates.delete(item);
    return [...this.candidates.values()];
  }

  /** The leader calls this once an assignment that honours the candidates is written. */
  clearFailoverCandidates(items: Iterable<number>): void {
    for (const item of items) this.candidates.delete(item);
  }

  private applyConfig(node: NodeData | undefined): void {
    if (!node) return;
    this.config = parseStoredJobConfig(node.data);
    this.emit('config', this.config);
  }

  private applyAssignment(node: NodeData | undefined): void {
    this.assignment = node ? parseAssignment(node.data) : undefined;
    this.assignmentVersion = node ? node.version : -1;
    this.assignmentSession = this.registry.sessionId;
    this.emit('assignment', this.assignment);
  }

  private applyTrigger(node: NodeData | undefined): void {
    const nonce = node?.data;
    const first = this.triggerSeen === undefined;
    const changed = nonce !== undefined && nonce !== this.triggerSeen;
    this.triggerSeen = nonce ?? '';
    if (!first && changed) this.emit('trigger');
  }

  private async applyRunning(children: string[]): Promise<void> {
    const present = new Set(children.map(Number));
    const vanished = [...this.running].filter(([item]) => !present.has(item));
    for (const [item] of vanished) this.running.delete(item);
    await Promise.all(children.map(Number).filter((item) => !this.running.has(item)).map(async (item) => {
      const node = await this.registry.get(this.paths.runningItem(item));
      if (node) this.running.set(item, parseRunLock(node.data));
    }));
    await Promise.all(vanished.map(async ([item, lock]) => {
      if (!(await this.registry.exists(this.paths.instance(lock.instance)))) {
        this.candidates.set(item, { item, instance: lock.instance, at: Date.now() });
      }
    }));
    this.emit('running');
  }

  private guard(apply: () => void | Promise<void>): void | Promise<void> {
    try {
      const result = apply();
      if (result instanceof Promise) {
        return result.catch((error: unknown) => {
          this.emit('error', toError(error));
        });
      }
      return result;
    } catch (error) {
      this.emit('error', toError(error));
    }
  }
}
