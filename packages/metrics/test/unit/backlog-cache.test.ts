import { describe, expect, it } from 'vitest';
import type { ClusterBacklog } from '@shardflow/outbox-relay';
import { BacklogCache } from '../../src/outbox/backlog-cache.js';

const backlog = (pending: number): ClusterBacklog[] => [{ cluster: 'a', pending, capped: false, oldestPendingAgeMs: 0 }];

describe('BacklogCache', () => {
  it('reads once per ttl, shares a read in flight, and keeps the last values when a read fails', async () => {
    let now = 0;
    let reads = 0;
    let fail = false;
    const errors: unknown[] = [];
    const cache = new BacklogCache(async () => {
      reads += 1;
      if (fail) throw new Error('database down');
      return backlog(reads);
    }, 1_000, (error) => errors.push(error), () => now);

    const [first, second] = await Promise.all([cache.get(), cache.get()]);
    expect(reads).toBe(1);
    expect(first).toEqual(backlog(1));
    expect(second).toBe(first);
    now = 999;
    expect(await cache.get()).toEqual(backlog(1));
    expect(reads).toBe(1);
    now = 1_000;
    expect(await cache.get()).toEqual(backlog(2));
    fail = true;
    now = 5_000;
    expect(await cache.get()).toEqual(backlog(2));
    expect(errors).toHaveLength(1);
  });
});
