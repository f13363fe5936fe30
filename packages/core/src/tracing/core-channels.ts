import type { ItemRunInfo } from '../events/job-events.js';
import type { ShardingContext } from '../job/sharding-context.js';
import { traceChannel } from './trace-channel.js';

/** Names of the tracing channels core publishes on; subscribe with `diagnostics_channel.tracingChannel(name)`. */
export const CORE_TRACE_CHANNELS = {
  /** One run of one item: from the run lock taken to the job's return (every batch of a streaming run). */
  itemRun: 'shardflow:job.item-run',
  /** One `fetchData` of a dataflow job. */
  fetch: 'shardflow:job.fetch',
  /** One `processData` of a dataflow job. */
  process: 'shardflow:job.process',
  /** One request to the ZooKeeper registry (each attempt of a retried request is its own). */
  registryRequest: 'shardflow:registry.request',
} as const;

export interface ItemRunTraceContext extends ItemRunInfo {
  readonly ctx: ShardingContext;
}

export interface BatchTraceContext {
  readonly ctx: ShardingContext;
  /** Batches of this run done before this one. */
  readonly batch: number;
  /** Records handed to `processData`; for a fetch, unset. */
  readonly size?: number;
}

export interface RegistryRequestTraceContext {
  /** Path inside the registry's namespace. */
  readonly path: string;
  readonly attempt: number;
}

export const itemRunChannel = traceChannel<ItemRunTraceContext>(CORE_TRACE_CHANNELS.itemRun);
export const fetchChannel = traceChannel<BatchTraceContext>(CORE_TRACE_CHANNELS.fetch);
export const processChannel = traceChannel<BatchTraceContext>(CORE_TRACE_CHANNELS.process);
export const registryRequestChannel = traceChannel<RegistryRequestTraceContext>(CORE_TRACE_CHANNELS.registryRequest);
