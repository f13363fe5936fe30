import type { Pool } from 'mysql2/promise';
import { OUTBOX_CONFIG_KEYS } from './config/outbox-config-keys.js';
import { rejectUnknownKeys } from './config/reject-unknown-keys.js';
import { InvalidOutboxConfigError } from './errors/invalid-outbox-config-error.js';
import { IdModPartitioning } from './partition/id-mod-partitioning.js';
import type { Partitioning } from './partition/partitioning.js';
import { PhysicalTablesPartitioning } from './partition/physical-tables-partitioning.js';
import { VirtualPartitioning } from './partition/virtual-partitioning.js';
import { OutboxCleanupJob, type OutboxCleanupOptions } from './cleanup/outbox-cleanup-job.js';
import { OutboxRelayJob, type OutboxRelayOptions } from './relay/outbox-relay-job.js';
import { resolveOutboxTable, type OutboxTableOptions } from './schema/outbox-table.js';
import { KafkajsSink, type KafkaClusterConfig } from './sink/kafkajs-sink.js';
import type { MessageSink } from './sink/message-sink.js';
import { MysqlOutboxStore } from './store/mysql-outbox-store.js';
import type { OutboxStore } from './store/outbox-store.js';
import { OutboxWriter } from './writer/outbox-writer.js';

export type PartitioningConfig =
  | { mode: 'virtual-partition'; partitions?: number }
  | { mode: 'id-mod' }
  /** `tables`: the physical table names, present in every database of `databases`. */
  | { mode: 'physical-tables'; tables: readonly string[] };

export interface OutboxConfig extends OutboxTableOptions {
  /** One pool per database; the first is where the writer and single-table modes work. */
  databases: readonly Pool[];
  /** Kafka clusters by the name stored in each row; or your own sink. */
  clusters?: Readonly<Record<string, KafkaClusterConfig>>;
  sink?: MessageSink;
  /** Default `{ mode: 'virtual-partition', partitions: 1024 }`. */
  partitioning?: PartitioningConfig;
  /** Publish right after commit (`writer.publishNow`). Default false. */
  fastPath?: boolean | { graceMs?: number };
  relay?: Omit<OutboxRelayOptions, 'store' | 'sink' | 'partitioning'>;
  cleanup?: Omit<OutboxCleanupOptions, 'store' | 'partitioning'>;
}

export interface Outbox {
  readonly writer: OutboxWriter;
  /** Run it with a JobScheduler (streamingProcess: true). */
  readonly relayJob: OutboxRelayJob;
  /** Run it with a second JobScheduler on a quiet cron. */
  readonly cleanupJob: OutboxCleanupJob;
  readonly store: OutboxStore;
  readonly sink: MessageSink;
  readonly partitioning: Partitioning;
  /**
   * Checks that every outbox table exists with the columns the relay uses; await it before starting
   * the relay's scheduler, so a wrong table or column name fails at start with an OutboxSchemaError
   * naming it.
   */
  verifyTables(): Promise<void>;
  /** Closes the Kafka producers (the pools are yours). */
  close(): Promise<void>;
}

/**
 * Wires table, partitioning, store, sink, writer, relay and cleanup from one config. A key the
 * config does not know, at any depth, is an InvalidOutboxConfigError naming its path.
 */
export function createOutbox(config: OutboxConfig): Outbox {
  rejectUnknownKeys(config, OUTBOX_CONFIG_KEYS);
  if (!Array.isArray(config.databases) || config.databases.length === 0) {
    throw new InvalidOutboxConfigError('databases', config.databases, 'must hold at least one mysql2 pool');
  }
  const partitioning = createPartitioning(config, config.databases.length);
  if (!config.sink && !config.clusters) throw new InvalidOutboxConfigError('clusters', config.clusters, 'give a cluster map or a sink');
  const sink = config.sink ?? new KafkajsSink({ clusters: config.clusters ?? {} });
  const store = new MysqlOutboxStore(config.databases, partitioning);
  const table = resolveOutboxTable(config, partitioning.mode === 'physical-tables' ? partitioning.allTables()[0]?.table.name : undefined);
  const fastPath = config.fastPath ? { sink, store, graceMs: typeof config.fastPath === 'object' ? config.fastPath.graceMs : undefined } : undefined;
  const writer = new OutboxWriter(table, partitioning, fastPath);
  return {
    writer,
    relayJob: new OutboxRelayJob({ ...config.relay, store, sink, partitioning }),
    cleanupJob: new OutboxCleanupJob({ ...config.cleanup, store, partitioning }),
    store,
    sink,
    partitioning,
    verifyTables: () => store.verifyTables(),
    close: () => sink.close(),
  };
}

/**
 * The partitioning a config describes over `databaseCount` databases (also used by the dead-rows
 * CLI, which needs no sink, and by any store built outside `createOutbox`).
 */
export function createPartitioning(config: Pick<OutboxConfig, 'partitioning' | keyof OutboxTableOptions>, databaseCount: number): Partitioning {
  const partitioning = config.partitioning ?? { mode: 'virtual-partition' };
  switch (partitioning.mode) {
    case 'virtual-partition':
      return new VirtualPartitioning(resolveOutboxTable(config), partitioning.partitions);
    case 'id-mod':
      return new IdModPartitioning(resolveOutboxTable(config));
    case 'physical-tables':
      return new PhysicalTablesPartitioning(databaseCount, partitioning.tables.map((name) => resolveOutboxTable(config, name)));
    default:
      throw new InvalidOutboxConfigError('partitioning.mode', (partitioning as { mode: unknown }).mode, "must be 'virtual-partition', 'id-mod' or 'physical-tables'");
  }
}
