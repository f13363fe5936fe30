import type { JobConfig } from '@shardflow/core';
import type { LastRun } from './last-run.js';

/** One registered scheduler process of a job. */
export interface InstanceInfo {
  readonly id: string;
  /** From the instance id when it has the default `host@pid@...` form. */
  readonly host: string | undefined;
  readonly pid: number | undefined;
  /** The application version the instance published with `publishVersion`, if it did. */
  readonly version: string | undefined;
  readonly startedAt: Date | undefined;
  readonly disabled: boolean;
  readonly leader: boolean;
  /** Items the current assignment gives it. */
  readonly items: readonly number[];
}

/** What runs an item now, from its run lock. */
export interface ItemRunning {
  readonly instance: string;
  readonly epoch: number;
  readonly since: Date;
}

/** One row of the shard map. */
export interface ShardInfo {
  readonly item: number;
  readonly owner: string | undefined;
  /** Fencing epoch at which the owner got the item. */
  readonly epoch: number | undefined;
  /** The owner was given it by failover and runs it at once. */
  readonly failover: boolean;
  readonly running: ItemRunning | undefined;
  readonly disabled: boolean;
  readonly parameter: string | undefined;
  /** Only for jobs whose instances record their runs (`recordLastRuns`). */
  readonly lastRun: LastRun | undefined;
}

/**
 * - `running`: enabled, with at least one enabled instance;
 * - `disabled`: the config says so; no instance fires;
 * - `no-instances`: enabled, but no live (enabled) instance to run it.
 */
export type JobState = 'running' | 'disabled' | 'no-instances';

/** Everything an operator sees of one job. */
export interface JobDetails {
  readonly name: string;
  readonly state: JobState;
  readonly config: JobConfig;
  readonly leader: string | undefined;
  /** Generation of the sharding assignment; undefined before the first one. */
  readonly generation: number | undefined;
  readonly instances: readonly InstanceInfo[];
  readonly shards: readonly ShardInfo[];
  /** Undefined while the job is disabled. */
  readonly nextFireTime: Date | undefined;
}

/** A line of the jobs overview. */
export interface JobSummary {
  readonly name: string;
  readonly state: JobState;
  readonly cron: string;
  readonly shardingTotalCount: number;
  readonly instances: number;
  readonly leader: string | undefined;
  readonly nextFireTime: Date | undefined;
  /** The latest recorded run of any item; undefined when none is recorded. */
  readonly lastRun: LastRun | undefined;
  /** Items whose last recorded run failed within the last hour. */
  readonly recentFailures: number;
}
