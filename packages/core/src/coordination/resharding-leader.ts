import type { Registry, RegistryOperation } from '../registry/registry.js';
import type { JobPaths } from './job-paths.js';
import type { LeaderLatch } from './leader-latch.js';
import type { JobStateView } from './job-state-view.js';
import type { JobEventSink } from '../events/job-events.js';
import { RegistryVersionConflictError } from '../errors/registry-version-conflict-error.js';
import { RegistryTransactionError } from '../errors/registry-transaction-error.js';
import { toError } from '../util/to-error.js';
import { itemsByInstance, serializeAssignment } from '../sharding/assignment.js';
import { nextAssignment } from '../sharding/next-assignment.js';

/**
 * The leader's side of sharding. Whenever what the assignment depends on changes (instances join,
 * leave or are disabled, the item count or strategy changes, an item's holder dies mid-run), the
 * leader computes the next assignment and writes it in one multi-operation that also checks its
 * own election node, so a deposed leader's late write fails instead of clobbering the new
 * leader's. The write is also version-checked against the assignment it was computed from.
 *
 * Reconciliations are serialised and coalesced: many changes in a burst lead to one computation on
 * the latest view. A lost race (version conflict) needs no retry loop: the watch that delivers the
 * winner's write triggers the next reconciliation.
 */
export class ReshardingLeader {
  private running = false;
  private again = false;

  constructor(
    private readonly registry: Registry,
    private readonly paths: JobPaths,
    private readonly latch: LeaderLatch,
    private readonly view: JobStateView,
    private readonly events: JobEventSink,
  ) {}

  /** Asks for a reconciliation; cheap to call on every change. */
  request(): void {
    if (!this.latch.isLeader) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = true;
    void this.reconcile().finally(() => {
      this.running = false;
      if (this.again) {
        this.again = false;
        this.request();
      }
    });
  }

  private async reconcile(): Promise<void> {
    const config = this.view.config;
    const member = this.latch.member;
    if (!config || !member || !this.latch.isLeader) return;
    const candidates = this.view.failoverCandidates();
    const next = nextAssignment({
      jobName: config.jobName,
      shardingTotalCount: config.shardingTotalCount,
      instances: this.view.eligibleInstances(),
      strategy: config.jobShardingStrategy,
      current: this.view.assignment,
      failoverItems: new Set(candidates.map((candidate) => candidate.item)),
      failoverEnabled: config.failover,
    });
    if (!next) {
      this.view.clearFailoverCandidates(candidates.map((candidate) => candidate.item));
      return;
    }
    const data = serializeAssignment(next);
    const write: RegistryOperation = this.view.assignmentVersion < 0
      ? { op: 'create', path: this.paths.assignment, data }
      : { op: 'set', path: this.paths.assignment, data, version: this.view.assignmentVersion };
    try {
      await this.registry.transaction([{ op: 'check', path: member }, write]);
    } catch (error) {
      if (error instanceof RegistryTransactionError || error instanceof RegistryVersionConflictError) return;
      this.events.emit('error', toError(error));
      return;
    }
    this.view.clearFailoverCandidates(candidates.map((candidate) => candidate.item));
    this.events.emit('resharded', { jobName: config.jobName, generation: next.generation, assignment: itemsByInstance(next) });
  }
}
