export type { DataflowJob, SimpleJob, Job } from './job/job.js';
export { isDataflowJob } from './job/job.js';
export type { ShardingContext, TriggerSource } from './job/sharding-context.js';
export { ShardflowError } from './errors/shardflow-error.js';
export type {
  Registry,
  RegistryEvents,
  ConnectionState,
  NodeData,
  CreateOptions,
  RegistryOperation,
  Unsubscribe,
} from './registry/registry.js';
