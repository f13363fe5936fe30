import mysql, { type Pool } from 'mysql2/promise';
import { ZookeeperRegistry } from '@shardflow/core';
import { JobAdmin } from '../jobs/job-admin.js';
import { OutboxAdmin } from '../outbox/outbox-admin.js';
import { HistoryAdmin } from '../history/history-admin.js';
import { InvalidOpsArgumentError } from '../errors/invalid-ops-argument-error.js';
import type { ConnectionSettings } from './connection-settings.js';

/** The operations API over open connections; `close()` ends them. */
export interface OpsConnection {
  readonly registry: ZookeeperRegistry | undefined;
  readonly jobs: JobAdmin | undefined;
  readonly outbox: OutboxAdmin | undefined;
  /** Execution history, read from the first database (`--db`). */
  readonly history: HistoryAdmin | undefined;
  /** The outbox relay's job name, when configured. */
  readonly relayJob: string | undefined;
  close(): Promise<void>;
}

/**
 * Checks that the settings hold what a command needs (usage errors naming the flag, before any
 * connection), then connects the registry and creates the database pools.
 */
export async function openConnection(settings: ConnectionSettings, needs: { jobs: boolean; outbox: boolean }): Promise<OpsConnection> {
  if (needs.jobs && !settings.zookeeper) throw new InvalidOpsArgumentError('--zk', undefined, 'is required for job commands (or set SHARDFLOW_ZK and SHARDFLOW_NAMESPACE)');
  if (needs.outbox && !settings.outbox) throw new InvalidOpsArgumentError('--db', undefined, 'is required for outbox commands (or set SHARDFLOW_DB)');
  const registry = needs.jobs && settings.zookeeper ? new ZookeeperRegistry({
    connectString: settings.zookeeper.connectString,
    namespace: settings.zookeeper.namespace,
    ...(settings.zookeeper.digest === undefined ? {} : { digest: settings.zookeeper.digest }),
    connectionTimeoutMs: 10_000,
  }) : undefined;
  const pools: Pool[] = settings.outbox?.urls.map((uri) => mysql.createPool({ uri, connectionLimit: 2 })) ?? [];
  const close = async (): Promise<void> => {
    await Promise.allSettled([...pools.map((pool) => pool.end()), ...(registry ? [registry.close()] : [])]);
  };
  try {
    if (registry) await registry.connect();
  } catch (error) {
    await close();
    throw error;
  }
  return {
    registry,
    jobs: registry ? new JobAdmin(registry) : undefined,
    outbox: settings.outbox ? new OutboxAdmin({ ...settings.outbox.table, databases: pools, partitioning: settings.outbox.partitioning }) : undefined,
    history: pools[0] ? new HistoryAdmin(pools[0]) : undefined,
    relayJob: settings.outbox?.relayJob,
    close,
  };
}
