import type { JobConfig, ZookeeperRegistryOptions } from '@shardflow/core';
import type { PoolOptions } from 'mysql2/promise';
import type { OutboxConfig } from '../create-outbox.js';

/** A validated relay service config: every part ready for the component it configures. */
export interface RelayServiceConfig {
  readonly instanceId: string | undefined;
  /** One mysql2 pool per database, in the file's order. */
  readonly databases: readonly PoolOptions[];
  /** createOutbox's config without the pools. */
  readonly outbox: Omit<OutboxConfig, 'databases'>;
  readonly zookeeper: ZookeeperRegistryOptions;
  /** The relay's job, streaming. */
  readonly job: JobConfig;
  /** The cleanup job (same items as the relay's), or undefined when the file has no `cleanup`. */
  readonly cleanupJob: JobConfig | undefined;
  /** Absent: no HTTP endpoint. */
  readonly http: { readonly host: string; readonly port: number; readonly token: string | undefined } | undefined;
}
