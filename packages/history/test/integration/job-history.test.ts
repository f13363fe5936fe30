import { randomBytes } from 'node:crypto';
import mysql from 'mysql2/promise';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { InMemoryRegistry, InMemoryRegistryStore, JobOperator, JobScheduler, type Logger, type ShardingContext, type SimpleJob } from '@shardflow/core';
import { createTestDatabase, waitUntil, type TestDatabase } from '@shardflow/testkit';
import {
  JobHistory, migrateHistoryTables, mysqlHistoryDatabase, postgresHistoryDatabase, readExecutions, readStatusTrace, type HistoryDatabase,
} from '../../src/index.js';

const POSTGRES_URL = process.env['SHARDFLOW_POSTGRES_URL'] ?? 'postgres://postgres@127.0.0.1:5432/postgres';

interface Backend {
  readonly database: HistoryDatabase;
  /** The same kind of database at an address where nothing listens. */
  readonly unreachable: HistoryDatabase;
  close(): Promise<void>;
}

async function mysqlBackend(): Promise<Backend> {
  const database: TestDatabase = await createTestDatabase('history');
  const pool = mysql.createPool({ ...database.config, connectionLimit: 4 });
  const down = mysql.createPool({ host: '127.0.0.1', port: 1, user: 'root', connectTimeout: 500 });
  return {
    database: mysqlHistoryDatabase(pool),
    unreachable: mysqlHistoryDatabase(down),
    close: async () => {
      await Promise.all([pool.end(), down.end()]);
      await database.drop();
    },
  };
}

async function postgresBackend(): Promise<Backend> {
  const name = `shardflow_history_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
  const admin = new pg.Client({ connectionString: POSTGRES_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  const url = new URL(POSTGRES_URL);
  url.pathname = `/${name}`;
  const pool = new pg.Pool({ connectionString: url.toString(), max: 4 });
  const down = new pg.Pool({ host: '127.0.0.1', port: 1, user: 'postgres', connectionTimeoutMillis: 500 });
  return {
    database: postgresHistoryDatabase(pool),
    unreachable: postgresHistoryDatabase(down),
    close: async () => {
      await Promise.all([pool.end(), down.end()]);
      await admin.query(`DROP DATABASE IF EXISTS ${name}`);
      await admin.end();
    },
  };
}

/** Item 1 fails, the others complete. */
const job: SimpleJob = {
  execute: async (ctx: ShardingContext) => {
    if (ctx.shardingItem === 1) throw new Error('item 1 failed on purpose');
  },
};

const quietLogger = (): Logger & { warnings: string[] } => {
  const warnings: string[] = [];
  const none = (): void => undefined;
  return { warnings, debug: none, info: none, warn: (_fields, message) => warnings.push(message ?? ''), error: none };
};

describe.each([['MariaDB', mysqlBackend], ['PostgreSQL', postgresBackend]] as const)('execution history on %s', (_name, open) => {
  let backend: Backend;
  const cleanups: Array<() => Promise<void>> = [];

  beforeAll(async () => {
    backend = await open();
    await migrateHistoryTables(backend.database);
    await migrateHistoryTables(backend.database);
  });
  afterAll(async () => {
    await backend?.close();
  });
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  async function runJob(jobName: string, history: JobHistory, runs: SimpleJob = job, config: { shardingTotalCount?: number; itemTimeoutMs?: number } = {}): Promise<{ completed: () => number; failed: () => number }> {
    const registry = new InMemoryRegistry({ store: new InMemoryRegistryStore() });
    await registry.connect();
    const items = config.shardingTotalCount ?? 3;
    // A cron that never fires while the test runs: every run comes from its triggers.
    const scheduler = new JobScheduler(registry, runs, { jobName, cron: '0 0 0 1 1 ? 2099', shardingTotalCount: items, ...config }, { onItemError: () => undefined });
    history.observe(scheduler);
    let completed = 0;
    let failed = 0;
    scheduler.on('itemCompleted', () => (completed += 1));
    scheduler.on('itemFailed', () => (failed += 1));
    await scheduler.start();
    cleanups.push(async () => {
      await scheduler.shutdown();
      await registry.close();
      await history.close(1_000);
    });
    await waitUntil(() => scheduler.items.length === items);
    await new JobOperator(registry).trigger(jobName);
    return { completed: () => completed, failed: () => failed };
  }

  it('writes a JOB_EXECUTION_LOG row per item run and its JOB_STATUS_TRACE_LOG states, as ElasticJob does', async () => {
    const history = new JobHistory({ database: backend.database, logger: quietLogger() });
    const runs = await runJob('recorded', history);
    await waitUntil(() => runs.completed() === 2 && runs.failed() === 1);
    await history.flush();
    const rows = await readExecutions(backend.database, { jobName: 'recorded' });
    expect(rows).toHaveLength(3);
    const byItem = new Map(rows.map((row) => [Number(row['sharding_item']), row]));
    expect(Number(byItem.get(1)?.['is_success'])).toBe(0);
    expect(String(byItem.get(1)?.['failure_cause'])).toContain('item 1 failed on purpose');
    for (const item of [0, 2]) {
      expect(Number(byItem.get(item)?.['is_success'])).toBe(1);
      expect(byItem.get(item)?.['failure_cause']).toBeNull();
    }
    for (const row of rows) {
      expect(row).toMatchObject({ job_name: 'recorded', execution_source: 'NORMAL_TRIGGER' });
      expect(row['complete_time']).toBeInstanceOf(Date);
      expect((row['complete_time'] as Date).getTime()).toBeGreaterThanOrEqual((row['start_time'] as Date).getTime());
    }
    const failedTrace = await readStatusTrace(backend.database, String(byItem.get(1)?.['task_id']));
    expect(failedTrace.map((row) => row['state'])).toEqual(['TASK_RUNNING', 'TASK_ERROR']);
    expect(failedTrace[0]).toMatchObject({ source: 'LITE_EXECUTOR', execution_type: 'READY', sharding_item: '1' });
    const finishedTrace = await readStatusTrace(backend.database, String(byItem.get(0)?.['task_id']));
    expect(finishedTrace.map((row) => row['state'])).toEqual(['TASK_RUNNING', 'TASK_FINISHED']);
    expect(history.stats()).toMatchObject({ queued: 0, written: 9, dropped: 0 });
  });

  it('records a run past itemTimeoutMs as failed, with the timeout as its cause and TASK_KILLED as its end state', async () => {
    const history = new JobHistory({ database: backend.database, logger: quietLogger() });
    const waitsForAbort: SimpleJob = { execute: (ctx) => new Promise((resolve) => ctx.signal.addEventListener('abort', () => resolve(), { once: true })) };
    const runs = await runJob('timed', history, waitsForAbort, { shardingTotalCount: 1, itemTimeoutMs: 50 });
    await waitUntil(() => runs.failed() === 1);
    await history.flush();
    const [row, ...others] = await readExecutions(backend.database, { jobName: 'timed' });
    expect(others).toHaveLength(0);
    expect(Number(row?.['is_success'])).toBe(0);
    expect(String(row?.['failure_cause'])).toContain('exceeded itemTimeoutMs=50');
    const trace = await readStatusTrace(backend.database, String(row?.['task_id']));
    expect(trace.map((status) => status['state'])).toEqual(['TASK_RUNNING', 'TASK_KILLED']);
  });

  it('never holds a job up when the history database is down: the runs go on, overflow is counted and logged', async () => {
    const logger = quietLogger();
    const history = new JobHistory({ database: backend.unreachable, queueSize: 4, retryDelayMs: 60_000, logger });
    const runs = await runJob('unrecorded', history);
    await waitUntil(() => runs.completed() === 2 && runs.failed() === 1, { timeoutMs: 20_000 });
    await waitUntil(() => history.stats().failedWrites === 1);
    // 3 runs make 9 to 12 entries (a run's end joins its start's entry while that is still queued): 4 fit.
    const { queued, dropped } = history.stats();
    expect(queued).toBe(4);
    expect(dropped).toBeGreaterThanOrEqual(5);
    expect(dropped).toBeLessThanOrEqual(8);
    expect(logger.warnings.some((message) => message.includes('queue full'))).toBe(true);
    expect(logger.warnings.some((message) => message.includes('write failed'))).toBe(true);
  });

  it('deletes rows past the retention in small batches and keeps the recent ones', async () => {
    const history = new JobHistory({ database: backend.database, retentionMs: 24 * 3_600_000, cleanupBatchSize: 2, logger: quietLogger() });
    cleanups.push(() => history.close(1_000));
    const old = new Date(Date.now() - 30 * 24 * 3_600_000);
    for (let i = 0; i < 5; i++) {
      await backend.database.execute(
        `INSERT INTO JOB_EXECUTION_LOG (id, job_name, task_id, hostname, ip, sharding_item, execution_source, failure_cause, is_success, start_time, complete_time)
         VALUES (?, 'old', ?, 'h', '127.0.0.1', 0, 'NORMAL_TRIGGER', NULL, ?, ?, ?)`, [`old-${i}`, `old-task-${i}`, true, old, old]);
      await backend.database.execute(
        `INSERT INTO JOB_STATUS_TRACE_LOG (id, job_name, original_task_id, task_id, slave_id, source, execution_type, sharding_item, state, message, creation_time)
         VALUES (?, 'old', '', ?, 'i', 'LITE_EXECUTOR', 'READY', '0', 'TASK_FINISHED', NULL, ?)`, [`old-status-${i}`, `old-task-${i}`, old]);
    }
    const before = (await readExecutions(backend.database, { limit: 1_000 })).length;
    expect(await history.cleanup()).toBe(10);
    expect(await readExecutions(backend.database, { jobName: 'old' })).toHaveLength(0);
    expect((await readExecutions(backend.database, { limit: 1_000 })).length).toBe(before - 5);
  });
});
