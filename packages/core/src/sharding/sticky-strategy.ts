import type { ShardingStrategy } from './sharding-strategy.js';

/**
 * STICKY: items stay where they are. Items of departed instances (and new items after a count
 * change) go to the least-loaded instances; then, only while some instance has two or more items
 * more than another (a newcomer), the highest items of the most loaded instance move to the least
 * loaded. The result is balanced within one item and moves the fewest items that allows.
 */
export const stickyStrategy: ShardingStrategy = {
  name: 'STICKY',
  assign: ({ instances, shardingTotalCount, previous }) => {
    const result = new Map<string, number[]>(instances.map((instance) => [instance, []]));
    if (instances.length === 0) return result;
    const orphans: number[] = [];
    for (let item = 0; item < shardingTotalCount; item++) {
      const owner = previous.get(item);
      const items = owner === undefined ? undefined : result.get(owner);
      if (items) items.push(item);
      else orphans.push(item);
    }
    const byLoad = (): string[] =>
      [...result.keys()].sort((a, b) => (result.get(a) as number[]).length - (result.get(b) as number[]).length || (a < b ? -1 : 1));
    for (const item of orphans) (result.get(byLoad()[0] as string) as number[]).push(item);
    for (;;) {
      const order = byLoad();
      const least = result.get(order[0] as string) as number[];
      const most = result.get(order[order.length - 1] as string) as number[];
      if (most.length - least.length <= 1) break;
      least.push(most.sort((a, b) => a - b).pop() as number);
    }
    for (const items of result.values()) items.sort((a, b) => a - b);
    return result;
  },
};
