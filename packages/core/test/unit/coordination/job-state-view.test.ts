import { describe, expect, it, vi } from 'vitest';
import { InMemoryRegistry, InMemoryRegistryStore } from '../../../src/index.js';
import { JobPaths } from '../../../src/coordination/job-paths.js';
import { JobStateView } from '../../../src/coordination/job-state-view.js';
import { serializeRunLock } from '../../../src/coordination/run-lock.js';
import { serializeAssignment } from '../../../src/sharding/assignment.js';
import { onFakeTimers } from '../../fake-timers.js';

const paths = new JobPaths('view-job');
const CANDIDATE_TTL_MS = 10_000;

describe('JobStateView', () => {
  onFakeTimers();

  async function setUp() {
    const store = new InMemoryRegistryStore();
    const observer = new InMemoryRegistry({ store });
    const worker = new InMemoryRegistry({ store });
    await observer.connect();
    await worker.connect();
    const view = new JobStateView(observer, paths, CANDIDATE_TTL_MS);
    const started = view.start();
    await vi.runAllTimersAsync();
    await started;
    return { store, observer, worker, view };
  }

  async function holdLock(registry: InMemoryRegistry, instance: string, item: number): Promise<void> {
    await registry.create(paths.instance(instance), '', { ephemeral: true });
    await registry.create(paths.runningItem(item), serializeRunLock({ instance, epoch: 1, startedAt: Date.now() }), { ephemeral: true });
    await vi.runAllTimersAsync();
  }

  it('a run lock that vanishes with its instance makes a failover candidate; one released by a live instance does not', async () => {
    const { worker, view } = await setUp();
    await holdLock(worker, 'w', 0);
    expect(view.running.get(0)?.instance).toBe('w');
    await worker.removeOwned(paths.runningItem(0), worker.sessionId);
    await vi.runAllTimersAsync();
    expect(view.failoverCandidates()).toEqual([]);

    await worker.create(paths.runningItem(1), serializeRunLock({ instance: 'w', epoch: 1, startedAt: Date.now() }), { ephemeral: true });
    await vi.runAllTimersAsync();
    worker.expireSession();
    await vi.runAllTimersAsync();
    expect(view.failoverCandidates().map((candidate) => [candidate.item, candidate.instance])).toEqual([[1, 'w']]);
  });

  it('forgets a candidate after its time to live, or once the leader has honoured it', async () => {
    const { worker, view } = await setUp();
    await holdLock(worker, 'w', 2);
    worker.expireSession();
    await vi.runAllTimersAsync();
    expect(view.failoverCandidates()).toHaveLength(1);
    view.clearFailoverCandidates([2]);
    expect(view.failoverCandidates()).toEqual([]);

    const again = new InMemoryRegistry({ store: worker.store });
    await again.connect();
    await holdLock(again, 'v', 3);
    again.expireSession();
    await vi.runAllTimersAsync();
    expect(view.failoverCandidates()).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(CANDIDATE_TTL_MS + 1);
    expect(view.failoverCandidates()).toEqual([]);
  });

  it('records the session an assignment was read in, and reads it again in a new session', async () => {
    const { observer, view } = await setUp();
    await observer.put(paths.assignment, serializeAssignment({ generation: 1, shardingTotalCount: 1, items: [{ instance: 'w', epoch: 1, failover: false }] }));
    await vi.runAllTimersAsync();
    expect(view.assignment?.generation).toBe(1);
    expect(view.assignmentSession).toBe(observer.sessionId);
    const before = observer.sessionId;
    const assignments: number[] = [];
    view.on('assignment', (assignment) => assignments.push(assignment?.generation ?? -1));
    observer.expireSession();
    expect(view.assignmentSession).toBe(before);
    await vi.runAllTimersAsync();
    expect(view.assignmentSession).toBe(observer.sessionId);
    expect(assignments).toEqual([1]);
  });
});
