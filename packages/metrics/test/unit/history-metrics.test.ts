import { afterEach, describe, expect, it } from 'vitest';
import { Registry } from 'prom-client';
import { waitUntil } from '@shardflow/testkit/wait-until';
import { InMemoryRegistry, InMemoryRegistryStore, JobOperator, JobScheduler, type SimpleJob } from '@shardflow/core';
import { JobHistory, type HistoryDatabase, type StatementResult } from '@shardflow/history';
import { ShardflowMetrics } from '../../src/index.js';

/** Takes every statement, or refuses them all while `down`: the history writer's side of a database. */
class SwitchableHistoryDatabase implements HistoryDatabase {
  readonly dialect = 'mysql';
  down = false;

  execute(): Promise<StatementResult> {
    return this.down ? Promise.reject(new Error('history database down')) : Promise.resolve({ rows: [], affected: 1 });
  }
}

const job: SimpleJob = { execute: async () => undefined };

async function sample(register: Registry, name: string): Promise<number | undefined> {
  const metric = (await register.getMetricsAsJSON()).find((entry) => entry.name === name);
  return (metric?.values as Array<{ value: number }> | undefined)?.[0]?.value;
}

describe('execution history metrics on a real JobHistory and scheduler', () => {
  const cleanups: Array<() => Promise<void> | void> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  it('count rows written, then failed writes, queued and dropped rows while the database is down; counters never go back', async () => {
    const register = new Registry();
    const database = new SwitchableHistoryDatabase();
    const registry = new InMemoryRegistry({ store: new InMemoryRegistryStore() });
    await registry.connect();
    cleanups.push(() => registry.close());
    const scheduler = new JobScheduler(registry, job, { jobName: 'ledger', cron: '0 0 0 1 1 ? 2099', shardingTotalCount: 2 });
    cleanups.push(() => scheduler.shutdown());
    // Four history rows a run (its execution twice, two states): a queue of 10 overflows on the third trigger.
    const warnings: string[] = [];
    const logger = { debug: () => undefined, info: () => undefined, warn: (_fields: object, message?: string) => void warnings.push(message ?? ''), error: () => undefined };
    const history = new JobHistory({ database, queueSize: 10, retryDelayMs: 60_000, retentionMs: undefined, logger }).observe(scheduler);
    cleanups.push(() => history.close(0));
    const metrics = new ShardflowMetrics({ register }).observeHistory(history);
    cleanups.push(() => metrics.close());
    await scheduler.start();
    await waitUntil(() => scheduler.items.length === 2);
    const operator = new JobOperator(registry);
    let ended = 0;
    scheduler.on('itemCompleted', () => (ended += 1));

    await operator.trigger('ledger');
    await waitUntil(() => ended === 2);
    await history.flush();
    const writtenUp = await sample(register, 'shardflow_history_rows_written_total');
    expect(writtenUp).toBe(history.stats().written);
    expect(writtenUp).toBeGreaterThanOrEqual(6);
    expect(await sample(register, 'shardflow_history_rows_queued')).toBe(0);
    expect(await sample(register, 'shardflow_history_write_failures_total')).toBe(0);

    database.down = true;
    for (let trigger = 2; trigger <= 4; trigger++) {
      await operator.trigger('ledger');
      await waitUntil(() => ended === trigger * 2);
    }
    await waitUntil(() => history.stats().failedWrites > 0 && history.stats().dropped > 0);
    expect(await sample(register, 'shardflow_history_write_failures_total')).toBe(history.stats().failedWrites);
    expect(await sample(register, 'shardflow_history_rows_dropped_total')).toBe(history.stats().dropped);
    expect(await sample(register, 'shardflow_history_rows_queued')).toBe(history.stats().queued);
    expect(history.stats().queued).toBe(10);
    expect(warnings).toEqual(expect.arrayContaining([expect.stringMatching(/write failed/), expect.stringMatching(/queue full/)]));
    // Nothing was written while down: the counter stays where it was, scrape after scrape.
    expect(await sample(register, 'shardflow_history_rows_written_total')).toBe(writtenUp);
  });

  it('sum the histories observed on one registry, also through a second ShardflowMetrics', async () => {
    const register = new Registry();
    const stats = (written: number) => ({ stats: () => ({ queued: 1, written, dropped: 0, failedWrites: 0 }) });
    const first = new ShardflowMetrics({ register }).observeHistory(stats(5));
    const second = new ShardflowMetrics({ register }).observeHistory(stats(7));
    cleanups.push(() => first.close(), () => second.close());
    expect(await sample(register, 'shardflow_history_rows_written_total')).toBe(12);
    expect(await sample(register, 'shardflow_history_rows_queued')).toBe(2);
    second.close();
    expect(await sample(register, 'shardflow_history_rows_queued')).toBe(1);
  });

  it('count a history observed again only once', async () => {
    const register = new Registry();
    const history = { stats: () => ({ queued: 0, written: 9, dropped: 0, failedWrites: 0 }) };
    const first = new ShardflowMetrics({ register }).observeHistory(history);
    expect(await sample(register, 'shardflow_history_rows_written_total')).toBe(9);
    first.close();
    const again = new ShardflowMetrics({ register }).observeHistory(history);
    cleanups.push(() => again.close());
    expect(await sample(register, 'shardflow_history_rows_written_total')).toBe(9);
  });
});
