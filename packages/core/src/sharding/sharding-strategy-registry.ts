import { averageAllocationStrategy } from './average-allocation-strategy.js';
import { odevitySortByNameStrategy } from './odevity-sort-by-name-strategy.js';
import { roundRobinByNameStrategy } from './round-robin-by-name-strategy.js';
import { stickyStrategy } from './sticky-strategy.js';
import type { ShardingStrategy } from './sharding-strategy.js';

const strategies = new Map<string, ShardingStrategy>(
  [averageAllocationStrategy, odevitySortByNameStrategy, roundRobinByNameStrategy, stickyStrategy].map((strategy) => [strategy.name, strategy]),
);

/**
 * Makes a custom strategy known by its name, so a job config (which is stored as JSON in the
 * registry) can name it in `jobShardingStrategyType`. Register it in every process that runs the job.
 */
export function registerShardingStrategy(strategy: ShardingStrategy): void {
  strategies.set(strategy.name, strategy);
}

/** The strategy of that name, or undefined. */
export function findShardingStrategy(name: string): ShardingStrategy | undefined {
  return strategies.get(name);
}

export function shardingStrategyNames(): string[] {
  return [...strategies.keys()];
}
