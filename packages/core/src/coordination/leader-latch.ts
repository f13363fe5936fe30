import { EventEmitter } from 'eventemitter3';
import type { ConnectionState, Registry, Unsubscribe } from '../registry/registry.js';
import type { JobPaths } from './job-paths.js';
import { RegistrySessionChangedError } from '../errors/registry-session-changed-error.js';
import { toError } from '../util/to-error.js';

export interface LeaderLatchEvents {
  leadership: (isLeader: boolean) => void;
  error: (error: Error) => void;
}

/**
 * Per-job leader election, Curator's LeaderLatch recipe: every candidate creates an ephemeral
 * sequential node under /{job}/leader/latch; the lowest sequence number leads. Candidates watch
 * the latch's children, so a dead leader's successor learns of it from the server's notification
 * when its node vanishes (no polling).
 *
 * States: NOT_LEADER -> LEADER when our node is the lowest; LEADER -> NOT_LEADER when the
 * connection is suspended (we cannot know whether we still lead), when the session is lost (the
 * node is gone; we rejoin with a new node once a new session is up), or on close.
 * The member path is exposed so that the leader's writes can be fenced by a `check` on it inside
 * the same multi-operation.
 */
export class LeaderLatch extends EventEmitter<LeaderLatchEvents> {
  private memberPath: string | undefined;
  /** The session our member node belongs to: only that session may remove it. */
  private memberSession = '';
  private children: string[] = [];
  private leader = false;
  private connectionUsable = true;
  private unwatch: Unsubscribe | undefined;
  private closed = false;
  private readonly onState = (state: ConnectionState): void => {
    this.connectionUsable = state === 'connected' || state === 'reconnected';
    if (state === 'lost') this.memberPath = undefined;
    if (state === 'connected' && !this.memberPath) void this.join();
    this.evaluate();
  };

  constructor(
    private readonly registry: Registry,
    private readonly paths: JobPaths,
    private readonly instanceId: string,
  ) {
    super();
  }

  async start(): Promise<void> {
    this.closed = false;
    this.registry.on('state', this.onState);
    await this.join();
    this.unwatch = this.registry.watchChildren(this.paths.latch, (children) => {
      this.children = children;
      this.evaluate();
    });
  }

  get isLeader(): boolean {
    return this.leader;
  }

  /** Our candidate node, for fencing the leader's writes; undefined while we have none. */
  get member(): string | undefined {
    return this.memberPath;
  }

  async close(): Promise<void> {
    this.closed = true;
    this.registry.off('state', this.onState);
    this.unwatch?.();
    const member = this.memberPath;
    this.memberPath = undefined;
    this.evaluate();
    if (member) await this.registry.removeOwned(member, this.memberSession);
  }

  private async join(): Promise<void> {
    if (this.closed) return;
    const session = this.registry.sessionId;
    try {
      this.memberPath = await this.registry.create(this.paths.latchMemberPrefix, this.instanceId, { ephemeral: true, sequential: true, session });
      this.memberSession = session;
      this.evaluate();
    } catch (error) {
      // The next `connected` retries (a session that changed under the request already brought
      // one); a failure here must not take the scheduler down.
      if (!(error instanceof RegistrySessionChangedError)) this.emit('error', toError(error));
    }
  }

  private evaluate(): void {
    const ownName = this.memberPath?.slice(this.paths.latch.length + 1);
    const lowest = [...this.children].sort(bySequence)[0];
    const isLeader = !this.closed && this.connectionUsable && ownName !== undefined && lowest === ownName;
    if (isLeader !== this.leader) {
      this.leader = isLeader;
      this.emit('leadership', isLeader);
    }
  }
}

function bySequence(a: string, b: string): number {
  return sequenceOf(a) - sequenceOf(b);
}

function sequenceOf(name: string): number {
  return Number(name.slice(name.lastIndexOf('-') + 1));
}
