import { averageAllocation } from './average-allocation-strategy.js';
import { javaStringHash } from './java-string-hash.js';
import type { ShardingStrategy } from './sharding-strategy.js';

/**
 * ElasticJob's ODEVITY: instances in reverse order when the job name's Java hash is even
 * (Java's `%` keeps the sign, so a negative odd hash counts as odd), then average allocation.
 * Jobs with few items thereby land on different instances instead of all on the first.
 */
export const odevitySortByNameStrategy: ShardingStrategy = {
  name: 'ODEVITY',
  assign: ({ jobName, instances, shardingTotalCount }) => {
    const ordered = javaStringHash(jobName) % 2 === 0 ? [...instances].reverse() : [...instances];
    return averageAllocation(ordered, shardingTotalCount);
  },
};
