import type { ShardingStrategy } from '../sharding/sharding-strategy.js';
import { findShardingStrategy } from '../sharding/sharding-strategy-registry.js';
import type { ResolvedJobConfig } from './validate-job-config.js';

/**
 * The strategies a scheduler can resolve by name: the one its own config was given (possibly a
 * custom object) and the built-in and registered ones.
 */
export function strategyLookup(local: ResolvedJobConfig): (name: string) => ShardingStrategy | undefined {
  return (name) => (name === local.jobShardingStrategy.name ? local.jobShardingStrategy : findShardingStrategy(name));
}
