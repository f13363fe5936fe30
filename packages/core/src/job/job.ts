import type { ShardingContext } from './sharding-context.js';

/** A job that runs one piece of code per item and trigger. */
export interface SimpleJob {
  execute(ctx: ShardingContext): Promise<void>;
}

/**
 * A job that fetches items of work and processes them. In streaming mode the scheduler loops
 * fetch -> process until `fetchData` returns an empty array (or a budget runs out).
 */
export interface DataflowJob<T> {
  fetchData(ctx: ShardingContext): Promise<readonly T[]>;
  processData(ctx: ShardingContext, data: readonly T[]): Promise<void>;
}

export type Job<T = unknown> = SimpleJob | DataflowJob<T>;

export function isDataflowJob<T>(job: Job<T>): job is DataflowJob<T> {
  return typeof (job as DataflowJob<T>).fetchData === 'function' && typeof (job as DataflowJob<T>).processData === 'function';
}
