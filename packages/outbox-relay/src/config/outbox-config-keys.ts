import type { OutboxConfig, PartitioningConfig } from '../create-outbox.js';
import type { OutboxCleanupOptions } from '../cleanup/outbox-cleanup-job.js';
import type { BackoffPolicy } from '../relay/backoff.js';
import type { CircuitBreakerOptions } from '../relay/circuit-breaker.js';
import type { OutboxColumns, OutboxStates } from '../schema/outbox-table.js';
import type { KafkaClusterConfig } from '../sink/kafkajs-sink.js';
import type { RocketMqClusterConfig } from '../sink/rocketmq-sink.js';
import { eachValue, type KeyShapeOf } from './reject-unknown-keys.js';

// Each shape lists exactly the keys of its type: an option added to a type without its key here
// fails to compile, instead of being rejected as unknown at run time.

const CLUSTER_KEYS = {
  brokers: true, clientId: true, ssl: true, sasl: true, topicAutoCreate: true, connectionTimeoutMs: true, requestTimeoutMs: true, driver: true,
} as const satisfies KeyShapeOf<KafkaClusterConfig>;

const ROCKETMQ_CLUSTER_KEYS = {
  endpoints: true, namespace: true, ssl: true, credentials: true, requestTimeoutMs: true, messageGroups: true,
} as const satisfies KeyShapeOf<RocketMqClusterConfig>;

const BACKOFF_KEYS = { initialDelayMs: true, multiplier: true, maxDelayMs: true, jitter: true } as const satisfies KeyShapeOf<BackoffPolicy>;

const CIRCUIT_BREAKER_KEYS = {
  failureThreshold: true, coolDownMs: true, maxCoolDownMs: true, probeSize: true,
} as const satisfies KeyShapeOf<CircuitBreakerOptions>;

const RELAY_KEYS = {
  pageSize: true, maxRetries: true, backoff: BACKOFF_KEYS, circuitBreaker: CIRCUIT_BREAKER_KEYS, perKeyOrdering: true,
} as const satisfies KeyShapeOf<NonNullable<OutboxConfig['relay']>>;

const CLEANUP_KEYS = { retentionMs: true, batchSize: true, pauseMs: true } as const satisfies KeyShapeOf<Omit<OutboxCleanupOptions, 'store' | 'partitioning'>>;

const COLUMN_KEYS = {
  id: true, key: true, state: true, createTime: true, topic: true, cluster: true, retryCount: true, nextSelectTime: true,
  payload: true, headers: true, lastError: true, updateTime: true, sentTime: true, partition: true, fenceEpoch: true,
} as const satisfies KeyShapeOf<OutboxColumns>;

/** Every mode's keys together: `mode` decides which of them apply. */
const PARTITIONING_KEYS = { mode: true, partitions: true, tables: true } as const satisfies KeyShapeOf<PartitioningConfig>;

/** The keys `createOutbox` accepts, at every depth. */
export const OUTBOX_CONFIG_KEYS = {
  databases: true,
  clusters: eachValue(CLUSTER_KEYS),
  rocketmqClusters: eachValue(ROCKETMQ_CLUSTER_KEYS),
  sink: true,
  partitioning: PARTITIONING_KEYS,
  fastPath: { graceMs: true } satisfies KeyShapeOf<Exclude<OutboxConfig['fastPath'], boolean | undefined>>,
  relay: RELAY_KEYS,
  wakeup: { mode: true, coalesceMs: true, pollMinMs: true, pollMaxMs: true, channel: true } satisfies KeyShapeOf<Exclude<OutboxConfig['wakeup'], boolean | undefined>>,
  cleanup: CLEANUP_KEYS,
  logger: true,
  table: true,
  columns: COLUMN_KEYS,
  states: { pending: true, sent: true, dead: true } satisfies KeyShapeOf<OutboxStates>,
} as const satisfies KeyShapeOf<OutboxConfig>;
