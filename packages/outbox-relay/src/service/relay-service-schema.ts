import type { JobConfig, ZookeeperRegistryOptions } from '@shardflow/core';
import type { OutboxConfig, PartitioningConfig } from '../create-outbox.js';
import type { BackoffPolicy } from '../relay/backoff.js';
import type { CircuitBreakerOptions } from '../relay/circuit-breaker.js';
import { DEFAULT_COLUMNS, STATE_VALUE_RANGE, type OutboxColumns, type OutboxStates, type OutboxTableOptions } from '../schema/outbox-table.js';
import { KAFKA_DRIVERS } from '../sink/kafka-driver.js';
import type { KafkaClusterConfig } from '../sink/kafkajs-sink.js';
import type { RocketMqClusterConfig } from '../sink/rocketmq-sink.js';
import type { WakeupOptions } from '../wakeup/wakeup-options.js';
import { DATABASE_DIALECTS, type DatabaseDialect } from './database-pools.js';
import { flag, integer, listOf, mapOf, number, object, secret, strings, text, type FieldSpec } from './field-spec.js';

/** One MySQL/MariaDB or PostgreSQL database holding outbox tables. */
export interface DatabaseEntry {
  /** Default `mysql` (MySQL and MariaDB); `postgres` for PostgreSQL. Every entry has the same. */
  dialect?: DatabaseDialect;
  host: string;
  /** Default 3306 for mysql, 5432 for postgres. */
  port?: number;
  user: string;
  password?: string;
  database: string;
  /** Pool size. Default 8: two for each of the 4 items an instance runs at once by default. */
  connectionLimit?: number;
}

/** Where the health, readiness and metrics endpoints listen. */
export interface HttpEntry {
  /** Default 127.0.0.1; any other address needs `token`. */
  host?: string;
  /** 0 picks a free port (printed in the `ready` line). */
  port: number;
  /** Bearer token every request must carry; required off loopback. */
  token?: string;
}

/** The job fields a relay service may set; it always runs the relay streaming. */
export type RelayJobEntry = Omit<JobConfig, 'streamingProcess' | 'jobName' | 'cron' | 'jobShardingStrategyType'> & {
  /** Default `outbox-relay`. */
  jobName?: string;
  /** Default every second (`* * * * * ?`): each fire drains what is due. */
  cron?: string;
  jobShardingStrategyType?: string;
};

/** The cleanup job: deletes sent rows past their retention, on the relay job's items. */
export interface CleanupEntry {
  /** Default every 10 minutes (`0 0/10 * * * ?`). */
  cron?: string;
  /** Default 7 days. */
  retentionMs?: number;
  /** Rows per DELETE. Default 1 000. */
  batchSize?: number;
  /** Pause between DELETEs. Default 50 ms. */
  pauseMs?: number;
}

/**
 * Execution history of the relay's item runs (and the cleanup's), in ElasticJob's event-trace
 * tables (`JOB_EXECUTION_LOG`, `JOB_STATUS_TRACE_LOG`), created at start when missing.
 */
export interface HistoryEntry {
  /** Default: the first of `databases`, through a pool of its own. Either dialect, whatever the outbox's. */
  database?: DatabaseEntry;
  /** Rows older than this are deleted, in small batches. Default 7 days. */
  retentionMs?: number;
  /** Rows waiting to be written at most; past it new rows are dropped (counted, logged). Default 10 000. */
  queueSize?: number;
  /** Rows per write. Default 200. */
  batchSize?: number;
}

/** The relay service's config file once read: the same names as createOutbox, JobConfig and ZookeeperRegistryOptions. */
export interface RelayServiceFile extends OutboxTableOptions {
  /** Default: host@pid@random. Unique among the live instances of the job. */
  instanceId?: string;
  databases: DatabaseEntry[];
  partitioning?: PartitioningConfig;
  /** Kafka clusters; this, rocketmqClusters, or both. */
  clusters?: Record<string, KafkaClusterConfig>;
  rocketmqClusters?: Record<string, RocketMqClusterConfig>;
  relay?: OutboxConfig['relay'];
  /** Absent or false: rows wait for the next cron fire. */
  wakeup?: boolean | WakeupOptions;
  zookeeper: ZookeeperRegistryOptions;
  job: RelayJobEntry;
  /** Absent: sent rows stay in the table. */
  cleanup?: CleanupEntry;
  /** Absent or false: no run history; true: in the first database, with the defaults. */
  history?: boolean | HistoryEntry;
  http?: HttpEntry;
}

type FieldsOf<T> = Record<keyof T, FieldSpec>;

const DATABASE = object({
  dialect: text({ oneOf: DATABASE_DIALECTS }), host: text(), port: integer(1, 65_535), user: text(), password: secret(), database: text(), connectionLimit: integer(1, 1_000),
} satisfies FieldsOf<DatabaseEntry>, { required: ['host', 'user', 'database'] });

const CLUSTER = object({
  brokers: strings(),
  clientId: text(),
  ssl: object({ rejectUnauthorized: flag(), servername: text(), ca: secret(), cert: secret(), key: secret() }, { orBoolean: true }),
  sasl: object({ mechanism: text({ oneOf: ['plain', 'scram-sha-256', 'scram-sha-512'] }), username: text(), password: secret() }, { required: ['mechanism', 'username', 'password'] }),
  topicAutoCreate: flag(),
  connectionTimeoutMs: integer(1, 3_600_000),
  requestTimeoutMs: integer(1, 3_600_000),
  driver: text({ oneOf: [...KAFKA_DRIVERS] }),
} satisfies FieldsOf<KafkaClusterConfig>, { required: ['brokers'] });

const ROCKETMQ_CLUSTER = object({
  endpoints: text(),
  namespace: text(),
  ssl: flag(),
  credentials: object({ accessKey: text(), accessSecret: secret(), securityToken: secret() }, { required: ['accessKey', 'accessSecret'] }),
  requestTimeoutMs: integer(1, 3_600_000),
  messageGroups: flag(),
} satisfies FieldsOf<RocketMqClusterConfig>, { required: ['endpoints'] });

// Numbers below are only checked to be numbers here; their ranges belong to the component they
// configure (relay job, registry, job config), which the validator runs on them.

const RELAY = object({
  pageSize: number(),
  maxRetries: number(),
  backoff: object({ initialDelayMs: number(), multiplier: number(), maxDelayMs: number(), jitter: number() } satisfies FieldsOf<BackoffPolicy>),
  circuitBreaker: object({ failureThreshold: number(), coolDownMs: number(), maxCoolDownMs: number(), probeSize: number() } satisfies FieldsOf<CircuitBreakerOptions>),
  perKeyOrdering: flag(),
} satisfies FieldsOf<NonNullable<OutboxConfig['relay']>>);

const WAKEUP = object({
  mode: text({ oneOf: ['notify', 'poll'] }), coalesceMs: number(), pollMinMs: number(), pollMaxMs: number(), channel: text(),
} satisfies FieldsOf<WakeupOptions>, { orBoolean: true });

const ZOOKEEPER = object({
  connectString: text(),
  namespace: text(),
  sessionTimeoutMs: number(),
  connectionTimeoutMs: number(),
  digest: secret(),
  retry: object({ attempts: number(), baseDelayMs: number(), maxDelayMs: number() }),
  closeWaitMs: number(),
} satisfies FieldsOf<ZookeeperRegistryOptions>, { required: ['connectString', 'namespace'] });

const JOB = object({
  jobName: text(), cron: text(), timeZone: text(), shardingTotalCount: number(), shardingItemParameters: text(), jobParameter: text(),
  failover: flag(), misfire: flag(), maxBatchesPerTrigger: number(), maxTimePerTriggerMs: number(), maxConcurrentItems: number(),
  itemTimeoutMs: number(), jobShardingStrategyType: text(), disabled: flag(), overwrite: flag(), description: text(), shutdownTimeoutMs: number(),
} satisfies FieldsOf<RelayJobEntry>, { required: ['shardingTotalCount'] });

const CLEANUP = object({ cron: text(), retentionMs: number(), batchSize: number(), pauseMs: integer(0, 60_000) } satisfies FieldsOf<CleanupEntry>);

const HISTORY = object({ database: DATABASE, retentionMs: number(), queueSize: number(), batchSize: number() } satisfies FieldsOf<HistoryEntry>, { orBoolean: true });

const state = integer(STATE_VALUE_RANGE.min, STATE_VALUE_RANGE.max);

/** The whole file. */
export const RELAY_SERVICE_SCHEMA = object({
  instanceId: text(),
  databases: listOf(DATABASE, 1),
  table: text(),
  columns: object(Object.fromEntries(Object.keys(DEFAULT_COLUMNS).map((name) => [name, text()])) as FieldsOf<OutboxColumns>),
  states: object({ pending: state, sent: state, dead: state } satisfies FieldsOf<OutboxStates>),
  partitioning: object({ mode: text({ oneOf: ['virtual-partition', 'id-mod', 'physical-tables'] }), partitions: number(), tables: strings() }, { required: ['mode'] }),
  clusters: mapOf(CLUSTER, 1),
  rocketmqClusters: mapOf(ROCKETMQ_CLUSTER, 1),
  relay: RELAY,
  wakeup: WAKEUP,
  zookeeper: ZOOKEEPER,
  job: JOB,
  cleanup: CLEANUP,
  history: HISTORY,
  http: object({ host: text(), port: integer(0, 65_535), token: secret() } satisfies FieldsOf<HttpEntry>, { required: ['port'] }),
} satisfies FieldsOf<RelayServiceFile>, { required: ['databases', 'zookeeper', 'job'] });
