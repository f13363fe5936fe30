import type { Pool } from 'mysql2/promise';
import type { Logger } from '@shardflow/core';
import type pg from 'pg';
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
import type { KafkaClusterConfig } from './sink/kafkajs-sink.js';
import { createClusterSink } from './sink/create-cluster-sink.js';
import type { RocketMqClusterConfig } from './sink/rocketmq-sink.js';
import type { MessageSink } from './sink/message-sink.js';
import { retryOnConnectionLoss } from './store/connection-loss.js';
import { MysqlOutboxStore } from './store/mysql-outbox-store.js';
import type { OutboxTableAdvice } from './store/mysql-schema-check.js';
import type { NewestIdStore, OutboxStore } from './store/outbox-store.js';
import { PgOutboxStore } from './store/pg-outbox-store.js';
import { OutboxWriter } from './writer/outbox-writer.js';
import { NewRowPoller } from './wakeup/new-row-poller.js';
import { PgNotifyListener } from './wakeup/pg-notify-listener.js';
import { RelayWakeup, type WakeupSource } from './wakeup/relay-wakeup.js';
import { resolveWakeupOptions, type ResolvedWakeupOptions, type WakeupOptions } from './wakeup/wakeup-options.js';
import type { MysqlTransaction } from './writer/mysql-row-inserter.js';
import { PgRowInserter, type PgTransaction } from './writer/pg-row-inserter.js';

export type PartitioningConfig =
  | { mode: 'virtual-partition'; partitions?: number }
  | { mode: 'id-mod' }
  /** `tables`: the physical table names, present in every database of `databases`. */
  | { mode: 'physical-tables'; tables: readonly string[] };

/** A database pool the outbox works on: mysql2's (MySQL, MariaDB) or pg's (PostgreSQL). */
export type OutboxPool = Pool | pg.Pool;

/**
 * What the writer takes the caller's transaction as, for each kind of pool. Told apart by shape
 * (mysql2's pools have `getConnection`, pg's do not) and not by the drivers' own types: a MySQL user
 * need not have pg's types installed (`pg.Pool` is then `any`, which every pool would extend), nor
 * a PostgreSQL user mysql2.
 */
export type TransactionOf<P extends OutboxPool> = P extends { getConnection: unknown } ? MysqlTransaction : PgTransaction;

export interface OutboxConfig<P extends OutboxPool = Pool> extends OutboxTableOptions {
  /**
   * One pool per database, all of one kind (mysql2 or pg, told apart by their type); the first is
   * where the writer and single-table modes work.
   */
  databases: readonly P[];
  /** Kafka clusters by the name stored in each row; or your own sink. */
  clusters?: Readonly<Record<string, KafkaClusterConfig>>;
  /** RocketMQ 5 clusters by the name stored in each row, beside (or instead of) the Kafka ones. */
  rocketmqClusters?: Readonly<Record<string, RocketMqClusterConfig>>;
  sink?: MessageSink;
  /** Default `{ mode: 'virtual-partition', partitions: 1024 }`. */
  partitioning?: PartitioningConfig;
  /** Publish right after commit (`writer.publishNow`). Default false. */
  fastPath?: boolean | { graceMs?: number };
  relay?: Omit<OutboxRelayOptions, 'store' | 'sink' | 'partitioning'>;
  /**
   * Wake the relay when rows arrive instead of waiting for its next cron fire (see WakeupOptions):
   * `outbox.wakeup.start(scheduler)`. On PostgreSQL the writer notifies, so give it to the writers'
   * config too. Default off.
   */
  wakeup?: boolean | WakeupOptions;
  /** Any pino-compatible logger; the Kafka client's logs go there (see KafkajsSinkOptions.logger). */
  logger?: Logger;
  cleanup?: Omit<OutboxCleanupOptions, 'store' | 'partitioning'>;
}

export interface Outbox<Tx = MysqlTransaction> {
  readonly writer: OutboxWriter<Tx>;
  /** Run it with a JobScheduler (streamingProcess: true). */
  readonly relayJob: OutboxRelayJob;
  /** Run it with a second JobScheduler on a quiet cron. */
  readonly cleanupJob: OutboxCleanupJob;
  readonly store: OutboxStore;
  readonly sink: MessageSink;
  readonly partitioning: Partitioning;
  /** With `wakeup` in the config: start it with the relay's scheduler once that has started. */
  readonly wakeup: RelayWakeup | undefined;
  /**
   * Checks that every outbox table exists with the columns the relay uses; await it before starting
   * the relay's scheduler, so a wrong table or column name fails at start with an OutboxSchemaError
   * naming it. A connection that dies under the check (a killed or dropped pooled connection) is
   * retried a few times on a fresh one; a refused address fails at once. Resolves with one advice
   * per MySQL table the relay works on at a needless cost (a row format other than REDUNDANT), each
   * also logged as a warning when the config has a logger; none on PostgreSQL.
   */
  verifyTables(): Promise<readonly OutboxTableAdvice[]>;
  /**
   * Stops the wakeup and the circuit transitions still being written into the rows (waiting for
   * the statement in flight), and closes the Kafka and RocketMQ producers (the pools are yours: end
   * them after this).
   */
  close(): Promise<void>;
}

/**
 * Wires table, partitioning, store, sink, writer, relay and cleanup from one config. A key the
 * config does not know, at any depth, is an InvalidOutboxConfigError naming its path.
 */
export function createOutbox<P extends OutboxPool = Pool>(config: OutboxConfig<P>): Outbox<TransactionOf<P>> {
  rejectUnknownKeys(config, OUTBOX_CONFIG_KEYS);
  if (!Array.isArray(config.databases) || config.databases.length === 0) {
    throw new InvalidOutboxConfigError('databases', config.databases, 'must hold at least one mysql2 or pg pool');
  }
  const postgres = isPgPool(config.databases[0]);
  if (config.databases.some((pool) => isPgPool(pool) !== postgres)) {
    throw new InvalidOutboxConfigError('databases', `${config.databases.length} pools`, 'must all be mysql2 pools or all pg pools');
  }
  const partitioning = createPartitioning(config, config.databases.length);
  if (!config.sink && !config.clusters && !config.rocketmqClusters) throw new InvalidOutboxConfigError('clusters', config.clusters, 'give a cluster map or a sink');
  const sink = config.sink ?? createClusterSink({ clusters: config.clusters, rocketmqClusters: config.rocketmqClusters, messageGroups: config.relay?.perKeyOrdering, logger: config.logger });
  const store: OutboxStore & NewestIdStore = postgres
    ? new PgOutboxStore(config.databases as readonly pg.Pool[], partitioning)
    : new MysqlOutboxStore(config.databases as readonly Pool[], partitioning);
  const table = resolveOutboxTable(config, partitioning.mode === 'physical-tables' ? partitioning.allTables()[0]?.table.name : undefined);
  if (config.wakeup !== undefined && typeof config.wakeup !== 'boolean' && (typeof config.wakeup !== 'object' || config.wakeup === null)) {
    throw new InvalidOutboxConfigError('wakeup', config.wakeup, 'must be true, false or an options object');
  }
  const wakeupOptions = config.wakeup ? resolveWakeupOptions(config.wakeup === true ? {} : config.wakeup, postgres) : undefined;
  const notifyChannel = wakeupOptions?.mode === 'notify' ? wakeupOptions.channel : undefined;
  const fastPath = config.fastPath ? { sink, store, graceMs: typeof config.fastPath === 'object' ? config.fastPath.graceMs : undefined } : undefined;
  // The pool's kind decides the transaction type the caller passes (TransactionOf<P>).
  const writer = (postgres ? new OutboxWriter(table, partitioning, fastPath, new PgRowInserter(table, notifyChannel)) : new OutboxWriter(table, partitioning, fastPath)) as OutboxWriter<TransactionOf<P>>;
  const wakeup = wakeupOptions && new RelayWakeup(wakeupOptions, (signal, onError) => wakeupSources(config.databases, store, partitioning, wakeupOptions, signal, onError));
  const relayJob = new OutboxRelayJob({ ...config.relay, store, sink, partitioning });
  if (wakeup) {
    // The rows a run failed, or a recovered circuit released, are due again at a time this
    // instance knows: woken then, a relay with a distant cron retries them on time.
    relayJob.on('retrying', ({ firstRetryAt, lastRetryAt }) => {
      wakeup.dueAt(firstRetryAt);
      wakeup.dueAt(lastRetryAt);
    });
    relayJob.on('released', () => wakeup.dueAt(Date.now()));
  }
  return {
    writer,
    relayJob,
    cleanupJob: new OutboxCleanupJob({ ...config.cleanup, store, partitioning }),
    store,
    sink,
    partitioning,
    wakeup,
    verifyTables: async () => {
      await retryOnConnectionLoss(() => store.verifyTables());
      const advice = store instanceof MysqlOutboxStore ? await retryOnConnectionLoss(() => store.tableAdvice()) : [];
      for (const { advice: message, ...fields } of advice) config.logger?.warn(fields, message);
      return advice;
    },
    close: async () => {
      wakeup?.stop();
      await relayJob.close();
      await sink.close();
    },
  };
}

/** `notify`: one LISTENing connection per database; `poll`: one poll of every table's newest id. */
function wakeupSources(
  databases: readonly OutboxPool[],
  store: NewestIdStore,
  partitioning: Partitioning,
  options: ResolvedWakeupOptions,
  signal: () => void,
  onError: (error: unknown) => void,
): WakeupSource[] {
  if (options.mode === 'notify') return (databases as readonly pg.Pool[]).map((pool) => new PgNotifyListener(pool, options.channel, signal, onError));
  const newestIds = async (): Promise<number> => {
    const ids = await Promise.all(partitioning.allTables().map((location) => store.newestId(location)));
    return ids.reduce((sum, id) => sum + id, 0);
  };
  return [new NewRowPoller(newestIds, signal, onError, options.pollMinMs, options.pollMaxMs)];
}

/**
 * Whether a pool is node-postgres's: its pools count their clients (`totalCount`, `idleCount`),
 * mysql2's do not. Told apart by shape, so that neither driver is loaded for the other's users.
 */
export function isPgPool(pool: unknown): pool is pg.Pool {
  const candidate = pool as { totalCount?: unknown; idleCount?: unknown; connect?: unknown } | null;
  return typeof candidate?.totalCount === 'number' && typeof candidate.idleCount === 'number' && typeof candidate.connect === 'function';
}

/**
 * The partitioning a config describes over `databaseCount` databases (also used by the dead-rows
 * CLI, which needs no sink, and by any store built outside `createOutbox`).
 */
export function createPartitioning(config: Pick<OutboxConfig<OutboxPool>, 'partitioning' | keyof OutboxTableOptions>, databaseCount: number): Partitioning {
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
