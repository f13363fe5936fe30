import { averageAllocation } from './average-allocation-strategy.js';
import { javaIntAbs, javaStringHash } from './java-string-hash.js';
import type { ShardingStrategy } from './sharding-strategy.js';

/**
 * ElasticJob's ROUND_ROBIN: rotate the instance list by `abs(hash(jobName)) % instances`, then
 * average allocation. For the one name whose hash is Integer.MIN_VALUE, Java's abs stays
 * negative and ElasticJob fails with an index error; we wrap the offset into range instead.
 */
export const roundRobinByNameStrategy: ShardingStrategy = {
  name: 'ROUND_ROBIN',
  assign: ({ jobName, instances, shardingTotalCount }) => {
    const size = instances.length;
    if (size === 0) return new Map();
    const offset = ((javaIntAbs(javaStringHash(jobName)) % size) + size) % size;
    const rotated = instances.map((_, index) => instances[(index + offset) % size] as string);
    return averageAllocation(rotated, shardingTotalCount);
  },
};
