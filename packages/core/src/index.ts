export type { DataflowJob, SimpleJob, Job } from './job/job.js';
export { isDataflowJob } from './job/job.js';
export type { ShardingContext, TriggerSource } from './job/sharding-context.js';

export { JobScheduler, type JobSchedulerOptions } from './scheduler/job-scheduler.js';
export { JobOperator, type JobStatus } from './operations/job-operator.js';
// The registry layout and its parsers, for operating tools (@shardflow/ops) that read a job's nodes.
export { JobPaths } from './coordination/job-paths.js';
export { parseAssignment, type Assignment, type ItemAssignment } from './sharding/assignment.js';
export { parseRunLock, type RunLock } from './coordination/run-lock.js';
export { parseStoredJobConfig, toJobConfig } from './config/stored-job-config.js';
export type { JobSchedulerEvents, ItemRunInfo, ItemStopReason } from './events/job-events.js';
export type { Logger, LogMethod, LogLevel } from './logging/logger.js';
export { createStderrLogger, type StderrLoggerOptions } from './logging/stderr-logger.js';
export { logRegistryStates } from './logging/log-registry-states.js';
export { traceChannel, traced, type TraceChannel } from './tracing/trace-channel.js';
export { CORE_TRACE_CHANNELS, type ItemRunTraceContext, type BatchTraceContext, type RegistryRequestTraceContext } from './tracing/core-channels.js';

export type { JobConfig } from './config/job-config.js';
export { validateJobConfig, type ResolvedJobConfig } from './config/validate-job-config.js';
export { CronSchedule } from './schedule/cron-schedule.js';

export type { ShardingStrategy, ShardingInput } from './sharding/sharding-strategy.js';
export { registerShardingStrategy } from './sharding/sharding-strategy-registry.js';
export { averageAllocationStrategy } from './sharding/average-allocation-strategy.js';
export { odevitySortByNameStrategy } from './sharding/odevity-sort-by-name-strategy.js';
export { roundRobinByNameStrategy } from './sharding/round-robin-by-name-strategy.js';
export { stickyStrategy } from './sharding/sticky-strategy.js';
export { javaStringHash } from './sharding/java-string-hash.js';

export type {
  Registry, RegistryEvents, ConnectionState, NodeData, CreateOptions, RegistryOperation, Unsubscribe,
} from './registry/registry.js';
export { ZookeeperRegistry } from './registry/zookeeper/zookeeper-registry.js';
export type { ZookeeperRegistryOptions } from './registry/zookeeper/zookeeper-registry-options.js';
export { InMemoryRegistry, type InMemoryRegistryOptions } from './registry/memory/in-memory-registry.js';
export { InMemoryRegistryStore } from './registry/memory/in-memory-registry-store.js';

export { ShardflowError } from './errors/shardflow-error.js';
export { CORE_ERROR_CODES, type CoreErrorCode } from './errors/core-error-codes.js';
export { InvalidJobConfigError, type ConfigProblem } from './errors/invalid-job-config-error.js';
export { CorruptJobConfigError } from './errors/corrupt-job-config-error.js';
export { InvalidRegistryConfigError } from './errors/invalid-registry-config-error.js';
export { InvalidShardingResultError } from './errors/invalid-sharding-result-error.js';
export { ItemFencedError } from './errors/item-fenced-error.js';
export { ItemTimeoutError } from './errors/item-timeout-error.js';
export { DuplicateInstanceError } from './errors/duplicate-instance-error.js';
export { SchedulerStateError } from './errors/scheduler-state-error.js';
export { JobNotFoundError } from './errors/job-not-found-error.js';
export { RegistryError } from './errors/registry-error.js';
export { RegistryConnectionError } from './errors/registry-connection-error.js';
export { RegistryNodeExistsError } from './errors/registry-node-exists-error.js';
export { RegistryNoNodeError } from './errors/registry-no-node-error.js';
export { RegistryVersionConflictError } from './errors/registry-version-conflict-error.js';
export { RegistryTransactionError } from './errors/registry-transaction-error.js';
export { RegistrySessionChangedError } from './errors/registry-session-changed-error.js';
