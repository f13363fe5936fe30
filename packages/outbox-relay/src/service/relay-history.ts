import { setTimeout as sleep } from 'node:timers/promises';
import type { JobScheduler } from '@shardflow/core';
import {
  JobHistory, migrateHistoryTables, mysqlHistoryDatabase, postgresHistoryDatabase,
  type HistoryDatabase, type JobHistoryStats, type MysqlQueryable, type PostgresQueryable,
} from '@shardflow/history';
import { openDatabasePools, type DatabasePools } from './database-pools.js';
import type { RelayHistoryConfig } from './relay-service-config.js';
import type { RelayServiceLog } from './relay-service.js';

/** How long stopping waits for the queued history rows to be written. */
const CLOSE_FLUSH_MS = 5_000;

/** Between attempts to create the tables while the history database does not answer. */
const CREATE_TABLES_RETRY_MS = 5_000;

/**
 * The relay service's execution history: a pool of its own on the history database, the tables
 * created there when missing (as ElasticJob's RDB tracing does), and one JobHistory recording the
 * runs of the schedulers it observes. The relay never waits for it: a history database that is
 * down at start is retried in the background while the runs queue up (to `queueSize`), and its
 * warnings (failed writes, dropped rows) go to the service's log as `history` lines.
 */
export class RelayHistory {
  private readonly closing = new AbortController();
  private readonly tablesCreated: Promise<void>;

  private constructor(
    private readonly pools: DatabasePools,
    private readonly recorder: JobHistory,
    database: HistoryDatabase,
    private readonly log: RelayServiceLog,
  ) {
    this.tablesCreated = this.createTables(database);
  }

  static async start(config: RelayHistoryConfig, log: RelayServiceLog): Promise<RelayHistory> {
    const pools = await openDatabasePools([config.database]);
    const pool = pools.pools[0];
    const database = config.database.dialect === 'postgres' ? postgresHistoryDatabase(pool as PostgresQueryable) : mysqlHistoryDatabase(pool as MysqlQueryable);
    const report = (level: 'warn' | 'error') => (fields: Record<string, unknown>, message?: string): void => log('history', { level, message, ...fields });
    const recorder = new JobHistory({
      ...config.options, database,
      logger: { debug: () => undefined, info: () => undefined, warn: report('warn'), error: report('error') },
    });
    return new RelayHistory(pools, recorder, database, log);
  }

  observe(scheduler: Pick<JobScheduler<unknown>, 'jobName' | 'instanceId'>): void {
    this.recorder.observe(scheduler);
  }

  stats(): JobHistoryStats {
    return this.recorder.stats();
  }

  /** Writes what is queued (waiting at most a few seconds), then ends the pool. */
  async close(): Promise<void> {
    this.closing.abort();
    await this.tablesCreated;
    await this.recorder.close(CLOSE_FLUSH_MS);
    await this.pools.end();
  }

  private async createTables(database: HistoryDatabase): Promise<void> {
    while (!this.closing.signal.aborted) {
      try {
        await migrateHistoryTables(database);
        return;
      } catch (error) {
        this.log('history', { level: 'warn', message: `cannot create the history tables, trying again in ${CREATE_TABLES_RETRY_MS} ms`, error: (error as Error).message });
        await sleep(CREATE_TABLES_RETRY_MS, undefined, { ref: false, signal: this.closing.signal }).catch(() => undefined);
      }
    }
  }
}
