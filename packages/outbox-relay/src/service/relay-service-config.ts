import type { JobConfig, ZookeeperRegistryOptions } from '@shardflow/core';
import type { OutboxConfig } from '../create-outbox.js';
import type { DatabaseConnection } from './database-pools.js';

/** A validated relay service config: every part ready for the component it configures. */
export interface RelayServiceConfig {
  readonly instanceId: string | undefined;
  /** One pool per database, in the file's order, all of one dialect. */
  readonly databases: readonly DatabaseConnection[];
  /** createOutbox's config without the pools. */
  readonly outbox: Omit<OutboxConfig, 'databases'>;
  readonly zookeeper: ZookeeperRegistryOptions;
  /** The relay's job, streaming. */
  readonly job: JobConfig;
  /** The cleanup job (same items as the relay's), or undefined when the file has no `cleanup`. */
  readonly cleanupJob: JobConfig | undefined;
  /** Absent: no run history. */
  readonly history: RelayHistoryConfig | undefined;
  /** Absent: no HTTP endpoint. */
  readonly http: { readonly host: string; readonly port: number; readonly token: string | undefined } | undefined;
}

/** Where and how the service records its item runs. */
export interface RelayHistoryConfig {
  readonly database: DatabaseConnection;
  readonly options: { readonly retentionMs?: number; readonly queueSize?: number; readonly batchSize?: number };
}
