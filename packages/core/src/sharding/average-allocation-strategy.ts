import type { ShardingInput, ShardingStrategy } from './sharding-strategy.js';

/**
 * ElasticJob's default (AVG_ALLOCATION): consecutive blocks of `total / instances` items in
 * instance order, then the remainder one each to the first instances.
 * 3 instances, 8 items: [0,1,6] [2,3,7] [4,5].
 */
export function averageAllocation(instances: readonly string[], shardingTotalCount: number): Map<string, number[]> {
  const result = new Map<string, number[]>();
  if (instances.length === 0) return result;
  const perInstance = Math.floor(shardingTotalCount / instances.length);
  instances.forEach((instance, index) => {
    const items: number[] = [];
    for (let item = index * perInstance; item < (index + 1) * perInstance; item++) items.push(item);
    result.set(instance, items);
  });
  const remainder = shardingTotalCount % instances.length;
  for (let index = 0; index < remainder; index++) result.get(instances[index] as string)?.push(perInstance * instances.length + index);
  return result;
}

export const averageAllocationStrategy: ShardingStrategy = {
  name: 'AVG_ALLOCATION',
  assign: ({ instances, shardingTotalCount }: ShardingInput) => averageAllocation(instances, shardingTotalCount),
};
