import { describe, expect, it } from 'vitest';
import { ItemFencedError, type DataflowJob, type ShardingContext } from '../../../src/index.js';
import { drainItems, testContext } from '../../../src/testing/index.js';

/** Hands out `perItem` rows to each item, `batchSize` at a time, and records which context asked. */
class CountingJob implements DataflowJob<number> {
  readonly left = new Map<number, number>();
  readonly totals = new Set<number>();

  constructor(private readonly perItem: number, private readonly batchSize: number) {}

  async fetchData(ctx: ShardingContext): Promise<number[]> {
    this.totals.add(ctx.shardingTotalCount);
    const left = this.left.get(ctx.shardingItem) ?? this.perItem;
    const size = Math.min(left, this.batchSize);
    this.left.set(ctx.shardingItem, left - size);
    return Array.from({ length: size }, () => ctx.shardingItem);
  }

  async processData(ctx: ShardingContext): Promise<void> {
    ctx.assertOwner();
  }
}

describe('@shardflow/core/testing', () => {
  it('a test context fences like the scheduler\'s: assertOwner throws ItemFencedError once the item is taken away', () => {
    let owned = true;
    const ctx = testContext({ item: 2, total: 4, epoch: 7, isOwner: () => owned });
    expect([ctx.shardingItem, ctx.shardingTotalCount, ctx.epoch]).toEqual([2, 4, 7]);
    expect(() => ctx.assertOwner()).not.toThrow();
    owned = false;
    expect(ctx.isOwner()).toBe(false);
    expect(() => ctx.assertOwner()).toThrow(ItemFencedError);
  });

  it('drains every item batch by batch, in turn or side by side, and stops at maxBatches', async () => {
    expect(await drainItems(new CountingJob(5, 2), 3)).toEqual({ batches: 9, rows: 15 });
    const concurrent = new CountingJob(4, 4);
    expect(await drainItems(concurrent, 2, { concurrently: true })).toEqual({ batches: 2, rows: 8 });
    expect([...concurrent.totals]).toEqual([2]);
    expect(await drainItems(new CountingJob(10, 1), 2, { maxBatches: 3 })).toEqual({ batches: 6, rows: 6 });
  });
});
