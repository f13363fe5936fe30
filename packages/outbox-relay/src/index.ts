export { createOutbox, createPartitioning, type Outbox, type OutboxConfig, type PartitioningConfig } from './create-outbox.js';
export { migrateOutboxTable, outboxTableDdl } from './schema/migrate-outbox-table.js';
export { resolveOutboxTable, DEFAULT_COLUMNS, OUTBOX_COLUMN_LIMITS, STATE_VALUE_RANGE, type ColumnLimit, type OutboxTable, type OutboxTableOptions, type OutboxColumns, type OutboxStates } from './schema/outbox-table.js';
export { OutboxWriter, type TransactionConnection, type FastPathOptions } from './writer/outbox-writer.js';
export type { OutboxMessage } from './writer/outbox-message.js';
export { OutboxRelayJob, type OutboxRelayOptions } from './relay/outbox-relay-job.js';
export { backoffDelayMs, DEFAULT_BACKOFF, type BackoffPolicy } from './relay/backoff.js';
export { CircuitBreaker, type CircuitBreakerOptions } from './relay/circuit-breaker.js';
export { OutboxCleanupJob, type OutboxCleanupOptions } from './cleanup/outbox-cleanup-job.js';
export type { MessageSink, OutboundMessage, DeliveryOutcome } from './sink/message-sink.js';
export { KafkajsSink, type KafkajsSinkOptions, type KafkaClusterConfig } from './sink/kafkajs-sink.js';
export { classifyKafkajsError } from './sink/classify-kafkajs-error.js';
export { CREATE_TIME_HEADER } from './sink/to-outbound-message.js';
export type { OutboxStore, FetchOptions } from './store/outbox-store.js';
export { MysqlOutboxStore } from './store/mysql-outbox-store.js';
export type { OutboxRecord, RecordFailure, RecordFilter, DeadRecord, ClusterCounts, RecordLocation, FailureCode } from './store/outbox-record.js';
export type { Partitioning, TableScope, ItemCoordinates } from './partition/partitioning.js';
export { VirtualPartitioning } from './partition/virtual-partitioning.js';
export { IdModPartitioning } from './partition/id-mod-partitioning.js';
export { PhysicalTablesPartitioning, parseDatabaseList } from './partition/physical-tables-partitioning.js';
export { crc32 } from './partition/crc32.js';
export type { OutboxEvents } from './stats/outbox-events.js';
export type { ItemCounts, OutboxStatsSnapshot } from './stats/outbox-stats.js';
export { DeliveryError, DELIVERY_ERROR_CODES, type DeliveryErrorCode } from './errors/delivery-error.js';
export { InvalidOutboxConfigError } from './errors/invalid-outbox-config-error.js';
export {
  OUTBOX_TABLE_FLAGS, OUTBOX_TABLE_USAGE, RECORD_FILTER_FLAGS, RECORD_FILTER_USAGE, parseOutboxTableFlags, parseRecordFilterFlags, integerFlag,
  type OutboxTableFlagValues, type RecordFilterFlagValues,
} from './cli/outbox-flags.js';
export { UnserializablePayloadError } from './errors/unserializable-payload-error.js';
export { OutboxValueTooLargeError } from './errors/outbox-value-too-large-error.js';
export { OutboxSchemaError, type OutboxSchemaErrorCode } from './errors/outbox-schema-error.js';
