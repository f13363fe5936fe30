/// <reference lib="dom" />
import mysql from 'mysql2/promise';
import pg from 'pg';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InMemoryRegistry, InMemoryRegistryStore, JobOperator, JobScheduler, type SimpleJob } from '@shardflow/core';
import { JobHistory, migrateHistoryTables, mysqlHistoryDatabase, postgresHistoryDatabase, type ExecutionRow, type HistoryDatabase } from '@shardflow/history';
import { createPgTestDatabase, createTestDatabase, mysqlUrl, waitUntil } from '@shardflow/testkit';
import { HistoryAdmin, JobAdmin, startConsole, type JobExecutions, type RunningConsole, type TaskStatusTrace } from '../../src/index.js';
import { launchChromium } from '../support/chromium.js';
import { runShardflow } from '../support/run-shardflow.js';

/**
 * Three databases of one kind: two where the history tables are migrated (instances of one job may
 * record into different ones), one without them.
 */
interface HistoryBackend {
  /** --db URLs (no password: the test servers take none). */
  readonly url: string;
  readonly secondUrl: string;
  readonly emptyUrl: string;
  readonly database: HistoryDatabase;
  readonly second: HistoryDatabase;
  readonly empty: HistoryDatabase;
  close(): Promise<void>;
}

async function mariadb(): Promise<HistoryBackend> {
  const databases = await Promise.all([createTestDatabase('ops_history'), createTestDatabase('ops_history2'), createTestDatabase('ops_nohistory')]);
  const pools = databases.map((database) => mysql.createPool({ ...database.config, connectionLimit: 2 }));
  const [url, secondUrl, emptyUrl] = databases.map((database) => `${mysqlUrl().replace(/\/$/, '')}/${database.name}`) as [string, string, string];
  const [database, second, empty] = pools.map((pool) => mysqlHistoryDatabase(pool)) as [HistoryDatabase, HistoryDatabase, HistoryDatabase];
  return {
    url, secondUrl, emptyUrl, database, second, empty,
    close: async () => {
      await Promise.all(pools.map((pool) => pool.end()));
      await Promise.all(databases.map((created) => created.drop()));
    },
  };
}

async function postgresql(): Promise<HistoryBackend> {
  const databases = await Promise.all([createPgTestDatabase('ops_history'), createPgTestDatabase('ops_history2'), createPgTestDatabase('ops_nohistory')]);
  const pools = databases.map((database) => new pg.Pool({ connectionString: database.url, max: 2 }));
  const [url, secondUrl, emptyUrl] = databases.map((database) => database.url) as [string, string, string];
  const [database, second, empty] = pools.map((pool) => postgresHistoryDatabase(pool)) as [HistoryDatabase, HistoryDatabase, HistoryDatabase];
  return {
    url, secondUrl, emptyUrl, database, second, empty,
    close: async () => {
      await Promise.all(pools.map((pool) => pool.end()));
      await Promise.all(databases.map((created) => created.drop()));
    },
  };
}

const INSERT_EXECUTION = `INSERT INTO JOB_EXECUTION_LOG (id, job_name, task_id, hostname, ip, sharding_item, execution_source, failure_cause, is_success, start_time, complete_time)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`;

/** Item 1 fails, item 0 completes. */
const payroll: SimpleJob = {
  execute: async (ctx) => {
    if (ctx.shardingItem === 1) throw new Error('ledger locked');
  },
};

describe.each([['MariaDB', mariadb], ['PostgreSQL', postgresql]] as const)('execution history read by the operations API, the CLI and the console, on %s', (_name, open) => {
  let backend: HistoryBackend;
  let registry: InMemoryRegistry;
  let scheduler: JobScheduler<unknown>;
  let history: JobHistory;
  let running: RunningConsole;
  let browser: Browser | undefined;

  beforeAll(async () => {
    backend = await open();
    await migrateHistoryTables(backend.database);
    // Three runs of `billing` (inserted out of order) and one of another job, which must not show.
    for (const row of [
      ['e2', 'billing', 't2', 'host-a', '10.0.0.1', 1, 'NORMAL_TRIGGER', 'boom', false, new Date('2026-01-01T10:02:00Z'), new Date('2026-01-01T10:02:01Z')],
      ['e1', 'billing', 't1', 'host-a', '10.0.0.1', 0, 'NORMAL_TRIGGER', null, true, new Date('2026-01-01T10:01:00Z'), new Date('2026-01-01T10:01:01Z')],
      ['e3', 'billing', 't3', 'host-b', '10.0.0.2', 0, 'FAILOVER', null, true, new Date('2026-01-01T10:03:00Z'), null],
      ['x1', 'other', 'tx', 'host-a', '10.0.0.1', 0, 'NORMAL_TRIGGER', null, true, new Date('2026-01-01T10:04:00Z'), null],
    ]) await backend.database.execute(INSERT_EXECUTION, row);
    // Two runs of `billing` recorded into the second database: one newer and one older than those above.
    await migrateHistoryTables(backend.second);
    for (const row of [
      ['f4', 'billing', 't4', 'host-c', '10.0.0.3', 1, 'MISFIRE', null, true, new Date('2026-01-01T10:05:00Z'), new Date('2026-01-01T10:05:01Z')],
      ['f0', 'billing', 't0', 'host-c', '10.0.0.3', 1, 'NORMAL_TRIGGER', null, true, new Date('2026-01-01T10:00:00Z'), new Date('2026-01-01T10:00:01Z')],
    ]) await backend.second.execute(INSERT_EXECUTION, row);

    // And the runs of a real job, written by the history writer itself.
    registry = new InMemoryRegistry({ store: new InMemoryRegistryStore() });
    await registry.connect();
    // A cron that never fires while the test runs (an hourly one once fired at 02:00 beside the trigger).
    scheduler = new JobScheduler(registry, payroll, { jobName: 'payroll', cron: '0 0 0 1 1 ? 2099', shardingTotalCount: 2 }, { onItemError: () => undefined });
    history = new JobHistory({ database: backend.database }).observe(scheduler);
    let ended = 0;
    scheduler.on('itemCompleted', () => (ended += 1));
    scheduler.on('itemFailed', () => (ended += 1));
    await scheduler.start();
    await waitUntil(() => scheduler.items.length === 2);
    await new JobOperator(registry).trigger('payroll');
    await waitUntil(() => ended === 2);
    await history.flush();
    running = await startConsole({ registry, jobs: new JobAdmin(registry), history: new HistoryAdmin(backend.database), port: 0 });
  });
  afterAll(async () => {
    await browser?.close();
    await running?.close();
    await scheduler?.shutdown();
    await history?.close(1_000);
    await registry?.close();
    await backend?.close();
  });

  it('--json returns the job\'s executions newest first, bounded by --limit', async () => {
    const all = await runShardflow(['history', 'billing', '--db', backend.url, '--json']);
    expect(all.stderr).toBe('');
    expect(all.code).toBe(0);
    const parsed = JSON.parse(all.stdout) as { enabled: boolean; executions: Array<{ id: string; is_success: boolean; job_name: string }> };
    expect(parsed.enabled).toBe(true);
    expect(parsed.executions.map((row) => [row.id, row.job_name, row.is_success])).toEqual([['e3', 'billing', true], ['e2', 'billing', false], ['e1', 'billing', true]]);

    const limited = await runShardflow(['history', 'billing', '--limit', '2', '--db', backend.url, '--json']);
    expect((JSON.parse(limited.stdout) as { executions: Array<{ id: string }> }).executions.map((row) => row.id)).toEqual(['e3', 'e2']);
  });

  it('prints a table by default', async () => {
    const table = await runShardflow(['history', 'billing', '--db', backend.url]);
    expect(table.code).toBe(0);
    const lines = table.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^STARTED\s+COMPLETED\s+ITEM\s+RESULT\s+SOURCE\s+HOST\s+TASK\s+FAILURE$/);
    expect(lines[1]).toMatch(/FAILOVER\s+host-b\s+t3$/);
    expect(lines[2]).toMatch(/failed\s+NORMAL_TRIGGER\s+host-a\s+t2\s+boom$/);
    expect(lines.at(-1)).toBe('3 executions');
  });

  it('reads the runs the history writer recorded, through the API and the CLI (URL from SHARDFLOW_DB)', async () => {
    const result = await new HistoryAdmin(backend.database).recentExecutions('payroll', 10);
    expect(result.enabled).toBe(true);
    const { executions } = result as Extract<JobExecutions, { enabled: true }>;
    const byItem = new Map(executions.map((row) => [row.sharding_item, row]));
    expect([...byItem.keys()].sort()).toEqual([0, 1]);
    expect(byItem.get(0)).toMatchObject({ job_name: 'payroll', is_success: true, failure_cause: null, execution_source: 'NORMAL_TRIGGER' });
    expect(byItem.get(1)).toMatchObject({ job_name: 'payroll', is_success: false, execution_source: 'NORMAL_TRIGGER' });
    expect(byItem.get(1)?.failure_cause).toContain('ledger locked');
    expect(byItem.get(0)?.complete_time).toBeInstanceOf(Date);

    const cli = await runShardflow(['history', 'payroll'], { SHARDFLOW_DB: backend.url });
    expect(cli.code).toBe(0);
    expect(cli.stdout).toMatch(/\s1\s+failed\s+NORMAL_TRIGGER\s+\S+\s+payroll@1@\S+\s+Error: ledger locked\n/);
    expect(cli.stdout).toMatch(/\s0\s+ok\s+NORMAL_TRIGGER/);
  });

  it('merges the executions of every --db that holds the tables, newest first, and skips one without them', async () => {
    const merged = await runShardflow(['history', 'billing', '--db', backend.emptyUrl, '--db', backend.url, '--db', backend.secondUrl, '--json']);
    expect(merged.stderr).toBe('');
    expect(merged.code).toBe(0);
    expect((JSON.parse(merged.stdout) as { executions: Array<{ id: string }> }).executions.map((row) => row.id)).toEqual(['f4', 'e3', 'e2', 'e1', 'f0']);

    const limited = await new HistoryAdmin([backend.second, backend.database]).recentExecutions('billing', 2);
    expect(limited.enabled).toBe(true);
    expect((limited as Extract<JobExecutions, { enabled: true }>).executions.map((row) => row.id)).toEqual(['f4', 'e3']);
    expect(await new HistoryAdmin([backend.empty]).enabled()).toBe(false);
    expect(() => new HistoryAdmin([])).toThrow(expect.objectContaining({ code: 'INVALID_OPS_ARGUMENT', field: 'databases' }));
  });

  it('gives the states one run went through: the API, and the CLI with --task', async () => {
    const executions = executionsOf(await new HistoryAdmin(backend.database).recentExecutions('payroll', 10));
    const taskOfItem = new Map(executions.map((row) => [row.sharding_item, row.task_id]));
    const failedTask = taskOfItem.get(1) as string;
    const admin = new HistoryAdmin([backend.empty, backend.database]);

    const failed = await admin.statusTrace('payroll', failedTask);
    expect(failed.enabled).toBe(true);
    const states = (failed as Extract<TaskStatusTrace, { enabled: true }>).states;
    expect(states.map((row) => [row.state, row.sharding_item, row.execution_type, row.task_id])).toEqual([
      ['TASK_RUNNING', '1', 'READY', failedTask], ['TASK_ERROR', '1', 'READY', failedTask],
    ]);
    expect(states[1]?.message).toContain('ledger locked');
    const finished = (await admin.statusTrace('payroll', taskOfItem.get(0) as string)) as Extract<TaskStatusTrace, { enabled: true }>;
    expect(finished.states.map((row) => row.state)).toEqual(['TASK_RUNNING', 'TASK_FINISHED']);
    // A task it does not know, and a task of another job, give no states.
    expect(await admin.statusTrace('payroll', 'no-such-task')).toEqual({ enabled: true, states: [] });
    expect(await admin.statusTrace('billing', failedTask)).toEqual({ enabled: true, states: [] });
    expect(await new HistoryAdmin(backend.empty).statusTrace('payroll', failedTask)).toEqual({ enabled: false });
    await expect(admin.statusTrace('payroll', '')).rejects.toMatchObject({ code: 'INVALID_OPS_ARGUMENT', field: 'taskId' });

    const cli = await runShardflow(['history', 'payroll', '--task', failedTask, '--db', backend.url]);
    expect(cli.stderr).toBe('');
    expect(cli.code).toBe(0);
    const lines = cli.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^TIME\s+STATE\s+ITEM\s+TYPE\s+INSTANCE\s+MESSAGE$/);
    expect(lines[1]).toMatch(/^\S+\s+TASK_RUNNING\s+1\s+READY\s+\S+$/);
    expect(lines[2]).toMatch(/^\S+\s+TASK_ERROR\s+1\s+READY\s+\S+\s+Error: ledger locked$/);
    expect(lines.slice(3)).toEqual(['2 states']);
    const json = await runShardflow(['history', 'payroll', '--task', failedTask, '--db', backend.url, '--json']);
    expect((JSON.parse(json.stdout) as { states: Array<{ state: string }> }).states.map((row) => row.state)).toEqual(['TASK_RUNNING', 'TASK_ERROR']);
    const unknown = await runShardflow(['history', 'payroll', '--task', 'no-such-task', '--db', backend.url]);
    expect(unknown.code).toBe(0);
    expect(unknown.stdout.trim()).toBe('No states recorded for task no-such-task of payroll');
  });

  it('says "not enabled" (exit 0, and in the API) when the history tables do not exist', async () => {
    const json = await runShardflow(['history', 'billing', '--db', backend.emptyUrl, '--json']);
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toEqual({ enabled: false });
    const text = await runShardflow(['history', 'billing', '--db', backend.emptyUrl]);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/not enabled/);
    expect(await new HistoryAdmin(backend.empty).recentExecutions('billing', 5)).toEqual({ enabled: false });
  });

  it('the API answers one execution for limit 1 and rejects limit 0 naming it', async () => {
    const admin = new HistoryAdmin(backend.database);
    expect(await admin.recentExecutions('billing', 1)).toMatchObject({ enabled: true, executions: [{ id: 'e3', sharding_item: 0, execution_source: 'FAILOVER', complete_time: null }] });
    await expect(admin.recentExecutions('billing', 0)).rejects.toMatchObject({ code: 'INVALID_OPS_ARGUMENT', message: expect.stringMatching(/limit/) });
  });

  it('the console\'s JSON API serves the executions, or "not enabled" without a history database', async () => {
    const without = await startConsole({ registry, jobs: new JobAdmin(registry), port: 0 });
    try {
      const served = (await (await fetch(`${running.url}api/jobs/billing/history`)).json()) as { enabled: boolean; executions: Array<{ id: string }> };
      expect(served.enabled).toBe(true);
      expect(served.executions.map((row) => row.id)).toEqual(['e3', 'e2', 'e1']);
      expect(await (await fetch(`${without.url}api/jobs/billing/history`)).json()).toEqual({ enabled: false });

      const task = executionsOf(await new HistoryAdmin(backend.database).recentExecutions('payroll', 10)).find((row) => !row.is_success)?.task_id as string;
      const trace = (await (await fetch(`${running.url}api/jobs/payroll/trace?task=${encodeURIComponent(task)}`)).json()) as { enabled: boolean; states: Array<{ state: string }> };
      expect(trace.states.map((row) => row.state)).toEqual(['TASK_RUNNING', 'TASK_ERROR']);
      const missing = await fetch(`${running.url}api/jobs/payroll/trace`);
      expect(missing.status).toBe(400);
      expect(await missing.json()).toMatchObject({ error: { code: 'INVALID_OPS_ARGUMENT', message: expect.stringMatching(/taskId/) } });
      expect(await (await fetch(`${without.url}api/jobs/payroll/trace?task=${encodeURIComponent(task)}`)).json()).toEqual({ enabled: false });
    } finally {
      await without.close();
    }
  });

  it('the job page in Chromium lists the recorded runs', async () => {
    browser = await launchChromium();
    const page = await browser.newPage();
    await page.goto(`${running.url}#/job/payroll`);
    await page.waitForSelector('#history-table tbody tr');
    const rows = await page.$$eval('#history-table tbody tr', (trs) => trs.map((tr) => [...tr.querySelectorAll('td')].slice(2, 5).map((cell) => cell.textContent)));
    expect(rows.sort()).toEqual([['0', 'ok', 'NORMAL_TRIGGER'], ['1', 'failed', 'NORMAL_TRIGGER']]);
    // The failure's first line in the table; the whole stack is in the cell's title.
    expect(await page.textContent('#history-table tr:has(td.result-failed) td.failure')).toBe('Error: ledger locked');
    expect(await page.getAttribute('#history-table tr:has(td.result-failed) td.failure', 'title')).toMatch(/^Error: ledger locked\n\s+at /);

    // The failed run's states open under its row, and close again.
    await page.click('#history-table tr:has(td.result-failed) button.show-states');
    await page.waitForSelector('#history-table tr.status-trace tbody tr');
    const states = await page.$$eval('#history-table tr.status-trace tbody tr', (trs) => trs.map((tr) => tr.querySelectorAll('td')[1]?.textContent));
    expect(states).toEqual(['TASK_RUNNING', 'TASK_ERROR']);
    expect(await page.textContent('#history-table tr.status-trace tbody tr:last-child td.failure')).toMatch(/^Error: ledger locked/);
    expect(await page.textContent('#history-table tr.status-trace tbody tr:last-child td.failure details pre')).toMatch(/^\s+at /);
    await page.click('#history-table tr:has(td.result-failed) button.show-states');
    await page.waitForSelector('#history-table tr.status-trace', { state: 'detached' });
    expect(await page.$$('#history-table tr.status-trace')).toHaveLength(0);
  });
});

describe('shardflow history usage errors', () => {
  it.each([
    [['history', 'billing', '--limit', '0'], '--limit'],
    [['history', 'billing', '--limit', 'x'], '--limit'],
    [['history'], 'history'],
    [['history', 'a', 'b'], 'history'],
    [['history', 'billing'], '--db'],
    [['history', 'billing', '--db', 'redis://h:6379/0'], '--db'],
    [['history', 'billing', '--db', 'mysql://h:3306/a', '--db', 'postgres://h:5432/b'], '--db'],
    [['history', 'billing', '--task', 't1', '--limit', '5', '--db', 'mysql://h:3306/a'], '--limit'],
    [['history', 'billing', '--task', '', '--db', 'mysql://h:3306/a'], '--task'],
    [['jobs', '--task', 't1'], '--task'],
  ])('%j exits 2 naming %s, before any connection', async (args, flag) => {
    const result = await runShardflow(args);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(flag);
  });
});

function executionsOf(result: JobExecutions): readonly ExecutionRow[] {
  if (!result.enabled) throw new Error('the history tables are missing');
  return result.executions;
}
