import { describe, expect, it, vi } from 'vitest';
import { InMemoryRegistry, InMemoryRegistryStore } from '../../../src/index.js';
import { JobPaths } from '../../../src/coordination/job-paths.js';
import { LeaderLatch } from '../../../src/coordination/leader-latch.js';
import { onFakeTimers } from '../../fake-timers.js';

const paths = new JobPaths('latch-job');

describe('LeaderLatch', () => {
  onFakeTimers();

  async function candidate(store: InMemoryRegistryStore, id: string) {
    const registry = new InMemoryRegistry({ store });
    await registry.connect();
    const latch = new LeaderLatch(registry, paths, id);
    const changes: boolean[] = [];
    latch.on('leadership', (isLeader) => changes.push(isLeader));
    await latch.start();
    await vi.runAllTimersAsync();
    return { registry, latch, changes };
  }

  it('the first candidate leads; when it closes, the next one leads and its node is gone', async () => {
    const store = new InMemoryRegistryStore();
    const first = await candidate(store, 'first');
    const second = await candidate(store, 'second');
    expect([first.latch.isLeader, second.latch.isLeader]).toEqual([true, false]);
    await first.latch.close();
    await vi.runAllTimersAsync();
    expect(first.changes).toEqual([true, false]);
    expect(second.changes).toEqual([true]);
    expect(await second.registry.getChildren(paths.latch)).toHaveLength(1);
  });

  it('a suspended leader steps down at once and leads again when the same session answers', async () => {
    const store = new InMemoryRegistryStore();
    const only = await candidate(store, 'only');
    only.registry.suspend();
    expect(only.latch.isLeader).toBe(false);
    only.registry.resume();
    await vi.runAllTimersAsync();
    expect(only.changes).toEqual([true, false, true]);
  });

  it('after a session loss it rejoins with a new node, behind a candidate that stayed', async () => {
    const store = new InMemoryRegistryStore();
    const first = await candidate(store, 'first');
    const second = await candidate(store, 'second');
    const before = first.latch.member;
    first.registry.expireSession();
    await vi.runAllTimersAsync();
    expect(second.latch.isLeader).toBe(true);
    expect(first.latch.isLeader).toBe(false);
    expect(first.latch.member).toBeDefined();
    expect(first.latch.member).not.toBe(before);
  });

  it('close removes only the node of the session that created it', async () => {
    const store = new InMemoryRegistryStore();
    const first = await candidate(store, 'first');
    const member = first.latch.member as string;
    const other = new InMemoryRegistry({ store });
    await other.connect();
    // The server ended the session (the client has not noticed yet) and another session holds the path now.
    store.endSession(first.registry.sessionId);
    await other.create(member, 'someone else', { ephemeral: true });
    await first.latch.close();
    expect((await other.get(member))?.data).toBe('someone else');
  });
});
