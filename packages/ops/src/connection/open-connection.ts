import mysql from 'mysql2/promise';
import { ZookeeperRegistry } from '@shardflow/core';
import type { OutboxPool } from '@shardflow/outbox-relay';
import { mysqlHistoryDatabase, postgresHistoryDatabase, type HistoryDatabase } from '@shardflow/history';
import { JobAdmin } from '../jobs/job-admin.js';
import { OutboxAdmin } from '../outbox/outbox-admin.js';
import { HistoryAdmin } from '../history/history-admin.js';
import { InvalidOpsArgumentError } from '../errors/invalid-ops-argument-error.js';
import type { ConnectionSettings } from './connection-settings.js';

/** The operations API over open connections; `close()` ends them. */
export interface OpsConnection {
  readonly registry: ZookeeperRegistry | undefined;
  readonly jobs: JobAdmin | undefined;
  /** The outbox, on MySQL or PostgreSQL databases (`--db`). */
  readonly outbox: OutboxAdmin | undefined;
  /** Execution history, read from every database (`--db`) that holds its tables, MySQL or PostgreSQL. */
  readonly history: HistoryAdmin | undefined;
  /** The outbox relay's job name, when configured. */
  readonly relayJob: string | undefined;
  close(): Promise<void>;
}

/** What a command needs connected; each missing piece is a usage error naming its flag. */
export interface ConnectionNeeds {
  readonly jobs: boolean;
  /** The outbox tables (MySQL or PostgreSQL). */
  readonly outbox: boolean;
  /** The history tables (MySQL or PostgreSQL). */
  readonly history?: boolean;
}

/** A database pool and the history adapter over it. */
interface DatabasePool {
  readonly pool: OutboxPool;
  readonly history: HistoryDatabase;
  end(): Promise<void>;
}

/**
 * Checks that the settings hold what a command needs (usage errors naming the flag, before any
 * connection), then connects the registry and creates the database pools. PostgreSQL's driver
 * (`pg`, an optional peer dependency) is loaded only for postgres:// URLs.
 */
export async function openConnection(settings: ConnectionSettings, needs: ConnectionNeeds): Promise<OpsConnection> {
  if (needs.jobs && !settings.zookeeper) throw new InvalidOpsArgumentError('--zk', undefined, 'is required for job commands (or set SHARDFLOW_ZK and SHARDFLOW_NAMESPACE)');
  if (needs.outbox && !settings.outbox) throw new InvalidOpsArgumentError('--db', undefined, 'is required for outbox commands (or set SHARDFLOW_DB)');
  if (needs.history && !settings.outbox) throw new InvalidOpsArgumentError('--db', undefined, 'is required for the history command (or set SHARDFLOW_DB)');
  const registry = needs.jobs && settings.zookeeper ? new ZookeeperRegistry({
    connectString: settings.zookeeper.connectString,
    namespace: settings.zookeeper.namespace,
    ...(settings.zookeeper.digest === undefined ? {} : { digest: settings.zookeeper.digest }),
    connectionTimeoutMs: 10_000,
  }) : undefined;
  const urls = settings.outbox?.urls ?? [];
  const pools: DatabasePool[] = settings.outbox?.dialect === 'postgres'
    ? await postgresPools(urls)
    : urls.map((uri) => mysql.createPool({ uri, connectionLimit: 2 })).map((pool) => ({ pool, history: mysqlHistoryDatabase(pool), end: () => pool.end() }));
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
    outbox: settings.outbox && pools.length > 0 ? new OutboxAdmin({ ...settings.outbox.table, databases: pools.map(({ pool }) => pool), partitioning: settings.outbox.partitioning }) : undefined,
    history: pools.length > 0 ? new HistoryAdmin(pools.map(({ history }) => history)) : undefined,
    relayJob: settings.outbox?.relayJob,
    close,
  };
}

async function postgresPools(urls: readonly string[]): Promise<DatabasePool[]> {
  const { default: pg } = await import('pg');
  return urls.map((connectionString) => {
    const pool = new pg.Pool({ connectionString, max: 2 });
    return { pool, history: postgresHistoryDatabase(pool), end: () => pool.end() };
  });
}
