import mysql, { type Pool } from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrateHistoryTables, mysqlHistoryDatabase } from '@shardflow/history';
import { InMemoryRegistry, InMemoryRegistryStore } from '@shardflow/core';
import { createTestDatabase, type TestDatabase } from '@shardflow/testkit';
import { HistoryAdmin, JobAdmin, startConsole } from '../../src/index.js';
import { runShardflow } from '../support/run-shardflow.js';

describe('shardflow history on real MariaDB', () => {
  let withTables: TestDatabase;
  let withoutTables: TestDatabase;
  let pool: Pool;
  const url = (database: TestDatabase): string => `mysql://root@127.0.0.1:3306/${database.name}`;

  beforeAll(async () => {
    [withTables, withoutTables] = await Promise.all([createTestDatabase('ops_history'), createTestDatabase('ops_nohistory')]);
    pool = mysql.createPool({ ...withTables.config, connectionLimit: 2 });
    await migrateHistoryTables(mysqlHistoryDatabase(pool));
    // Three runs of `billing` (inserted out of order) and one of another job, which must not show.
    await pool.query(`INSERT INTO JOB_EXECUTION_LOG (id, job_name, task_id, hostname, ip, sharding_item, execution_source, failure_cause, is_success, start_time, complete_time) VALUES
      ('e2', 'billing', 't2', 'host-a', '10.0.0.1', 1, 'NORMAL_TRIGGER', 'boom', 0, '2026-01-01 10:02:00', '2026-01-01 10:02:01'),
      ('e1', 'billing', 't1', 'host-a', '10.0.0.1', 0, 'NORMAL_TRIGGER', NULL, 1, '2026-01-01 10:01:00', '2026-01-01 10:01:01'),
      ('e3', 'billing', 't3', 'host-b', '10.0.0.2', 0, 'FAILOVER', NULL, 1, '2026-01-01 10:03:00', NULL),
      ('x1', 'other', 'tx', 'host-a', '10.0.0.1', 0, 'NORMAL_TRIGGER', NULL, 1, '2026-01-01 10:04:00', NULL)`);
  });
  afterAll(async () => {
    await pool.end();
    await Promise.all([withTables.drop(), withoutTables.drop()]);
  });

  it('--json returns the job\'s executions newest first, bounded by --limit', async () => {
    const all = await runShardflow(['history', 'billing', '--db', url(withTables), '--json']);
    expect(all.stderr).toBe('');
    expect(all.code).toBe(0);
    const parsed = JSON.parse(all.stdout) as { enabled: boolean; executions: Array<{ id: string; is_success: boolean; job_name: string }> };
    expect(parsed.enabled).toBe(true);
    expect(parsed.executions.map((row) => [row.id, row.job_name, row.is_success])).toEqual([['e3', 'billing', true], ['e2', 'billing', false], ['e1', 'billing', true]]);

    const limited = await runShardflow(['history', 'billing', '--limit', '2', '--db', url(withTables), '--json']);
    expect((JSON.parse(limited.stdout) as { executions: Array<{ id: string }> }).executions.map((row) => row.id)).toEqual(['e3', 'e2']);
  });

  it('prints a table by default', async () => {
    const table = await runShardflow(['history', 'billing', '--db', url(withTables)]);
    expect(table.code).toBe(0);
    const lines = table.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^STARTED\s+COMPLETED\s+ITEM\s+RESULT\s+SOURCE\s+HOST\s+FAILURE$/);
    expect(lines[1]).toMatch(/FAILOVER\s+host-b/);
    expect(lines[2]).toMatch(/failed\s+NORMAL_TRIGGER\s+host-a\s+boom/);
    expect(lines.at(-1)).toBe('3 executions');
  });

  it('says "not enabled" (exit 0) when the history tables do not exist', async () => {
    const json = await runShardflow(['history', 'billing', '--db', url(withoutTables), '--json']);
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toEqual({ enabled: false });
    const text = await runShardflow(['history', 'billing', '--db', url(withoutTables)]);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/not enabled/);
  });

  it('the API gives the same answer in process', async () => {
    const other = mysql.createPool({ ...withoutTables.config, connectionLimit: 1 });
    try {
      expect(await new HistoryAdmin(other).recentExecutions('billing', 5)).toEqual({ enabled: false });
    } finally {
      await other.end();
    }
    const result = await new HistoryAdmin(pool).recentExecutions('billing', 1);
    expect(result).toMatchObject({ enabled: true, executions: [{ id: 'e3', sharding_item: 0, execution_source: 'FAILOVER', complete_time: null }] });
    await expect(new HistoryAdmin(pool).recentExecutions('billing', 0)).rejects.toMatchObject({ code: expect.any(String), message: expect.stringMatching(/limit/) });
  });

  it('the console\'s JSON API serves the executions, or "not enabled" without a history database', async () => {
    const registry = new InMemoryRegistry({ store: new InMemoryRegistryStore() });
    const jobs = new JobAdmin(registry);
    const withHistory = await startConsole({ registry, jobs, history: new HistoryAdmin(pool), port: 0 });
    const without = await startConsole({ registry, jobs, port: 0 });
    try {
      const served = (await (await fetch(`${withHistory.url}api/jobs/billing/history`)).json()) as { enabled: boolean; executions: Array<{ id: string }> };
      expect(served.enabled).toBe(true);
      expect(served.executions.map((row) => row.id)).toEqual(['e3', 'e2', 'e1']);
      expect(await (await fetch(`${without.url}api/jobs/billing/history`)).json()).toEqual({ enabled: false });
    } finally {
      await Promise.all([withHistory.close(), without.close()]);
    }
  });

  it.each([
    [['history', 'billing', '--limit', '0'], '--limit'],
    [['history', 'billing', '--limit', 'x'], '--limit'],
    [['history'], 'history'],
    [['history', 'a', 'b'], 'history'],
    [['history', 'billing'], '--db'],
  ])('usage error %j exits 2 naming %s, before any connection', async (args, flag) => {
    const result = await runShardflow(args);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(flag);
  });
});
