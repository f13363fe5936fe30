import type { ShardingStrategy } from '../sharding/sharding-strategy.js';

/**
 * A job's configuration, with ElasticJob-Lite's names wherever the concept is the same
 * (docs/concepts.md maps every ElasticJob name). Stored as JSON in the registry.
 */
export interface JobConfig {
  /** Unique per registry namespace; letters, digits, `_`, `.`, `-`; 1 to 128 characters. */
  jobName: string;
  /** Quartz (6-7 fields, seconds first, `?`) or Unix (5 fields) cron expression. */
  cron: string;
  /** IANA zone for `cron`; default: this process's zone. */
  timeZone?: string;
  /** Number of items (shards), 1 to 10 000. */
  shardingTotalCount: number;
  /** Per-item strings: `0=a,1=b` or `{ 0: 'a', 1: 'b' }`; keys within 0..shardingTotalCount-1. */
  shardingItemParameters?: string | Readonly<Record<number, string>>;
  /** One string for the whole job. Default ''. */
  jobParameter?: string;
  /** Run a dead or departed instance's interrupted items at once on a survivor. Default true. */
  failover?: boolean;
  /** A fire that finds an item still running leads to one catch-up run. Default true. */
  misfire?: boolean;
  /** Dataflow jobs: loop fetch/process until fetchData returns nothing. Default false. */
  streamingProcess?: boolean;
  /** Streaming budget: at most this many batches per run. Default unlimited. */
  maxBatchesPerTrigger?: number;
  /** Streaming budget: stop starting batches after this many ms of a run. Default unlimited. */
  maxTimePerTriggerMs?: number;
  /** Items of this job run at once on one instance, 1 to 1000. Default 4. */
  maxConcurrentItems?: number;
  /** Abort an item run's signal after this many ms. Default none. */
  itemTimeoutMs?: number;
  /** `AVG_ALLOCATION` (default), `ODEVITY`, `ROUND_ROBIN`, `STICKY`, a registered name, or a strategy object. */
  jobShardingStrategyType?: string | ShardingStrategy;
  /** Stop firing on every instance. Default false. */
  disabled?: boolean;
  /** Replace the registry's config with this one at start. Default false: the registry's wins. */
  overwrite?: boolean;
  description?: string;
  /** How long shutdown waits for running batches, ms. Default 10 000. */
  shutdownTimeoutMs?: number;
}
