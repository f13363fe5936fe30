import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Registry } from 'prom-client';
import { untilSettled, waitUntil } from '@shardflow/testkit/wait-until';
import {
  InMemoryRegistry, InMemoryRegistryStore, JobOperator, JobScheduler, type DataflowJob, type Job, type JobConfig, type SimpleJob, type ShardingContext,
} from '@shardflow/core';
import { ShardflowMetrics, startMetricsServer, InvalidMetricsConfigError } from '../../src/index.js';

/** Fails item 1, completes the others. */
class HalfFailingJob implements SimpleJob {
  runs = 0;
  async execute(ctx: ShardingContext): Promise<void> {
    this.runs += 1;
    if (ctx.shardingItem === 1) throw new Error('item 1 always fails');
  }
}

// On fake timers: the scheduler's waits cost no wall-clock time.
const pause = (ms: number): Promise<unknown> => vi.advanceTimersByTimeAsync(ms);

async function value(register: Registry, name: string, labels: Record<string, string>): Promise<number | undefined> {
  // A histogram's samples (name_count, name_bucket) are listed under the histogram's own name.
  const metric = (await register.getMetricsAsJSON()).find((entry) => name === entry.name || name.startsWith(`${entry.name}_`));
  const values = (metric?.values ?? []) as Array<{ value: number; labels: Record<string, string | number>; metricName?: string }>;
  return values.find((entry) => (entry.metricName ?? metric?.name) === name && Object.entries(labels).every(([key, wanted]) => String(entry.labels[key]) === wanted))?.value;
}

describe('job and registry metrics on a real scheduler (in-memory registry)', () => {
  const cleanups: Array<() => Promise<void> | void> = [];
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
    vi.useRealTimers();
  });

  async function startJob<J extends Job<unknown>>(register: Registry, jobName: string, job: J, config: Partial<JobConfig> = {}) {
    const registry = new InMemoryRegistry({ store: new InMemoryRegistryStore() });
    await registry.connect();
    const scheduler = new JobScheduler(registry, job, { jobName, cron: '0 0 * * * ?', shardingTotalCount: 3, ...config }, { onItemError: () => undefined });
    const metrics = new ShardflowMetrics({ register }).observeRegistry(registry).observeScheduler(scheduler);
    await untilSettled(scheduler.start(), { pause });
    cleanups.push(async () => {
      metrics.close();
      await untilSettled(scheduler.shutdown(), { pause });
      await registry.close();
    });
    await waitUntil(() => scheduler.items.length === (config.shardingTotalCount ?? 3), { pause });
    return { registry, scheduler, job };
  }

  it('counts runs by result and trigger, and follows leadership, owned items and the session', async () => {
    const register = new Registry();
    const { registry, job } = await startJob(register, 'metered', new HalfFailingJob());
    expect(await value(register, 'shardflow_job_is_leader', { job: 'metered' })).toBe(1);
    expect(await value(register, 'shardflow_job_owned_items', { job: 'metered' })).toBe(3);
    expect(await value(register, 'shardflow_registry_session_state', { state: 'connected' })).toBe(1);

    await new JobOperator(registry).trigger('metered');
    await waitUntil(async () => (await value(register, 'shardflow_job_item_runs_total', { job: 'metered', result: 'failed' })) === 1
      && (await value(register, 'shardflow_job_item_runs_total', { job: 'metered', result: 'completed' })) === 2, { pause });
    expect(job.runs).toBe(3);
    expect(await value(register, 'shardflow_job_triggers_total', { job: 'metered', source: 'manual' })).toBe(3);
    expect(await value(register, 'shardflow_job_item_run_duration_seconds_count', { job: 'metered', result: 'completed' })).toBe(2);
    expect(await value(register, 'shardflow_job_fencing_aborts_total', { job: 'metered' })).toBeUndefined();

    registry.suspend();
    expect(await value(register, 'shardflow_registry_session_state', { state: 'suspended' })).toBe(1);
    registry.resume();
    registry.expireSession();
    expect(await value(register, 'shardflow_registry_session_expirations_total', {})).toBe(1);
    // Back after the suspension (same session) and after the loss (a new session).
    expect(await value(register, 'shardflow_registry_reconnects_total', {})).toBe(2);

    await registry.close();
    await waitUntil(async () => (await value(register, 'shardflow_registry_session_state', { state: 'closed' })) === 1, { pause });
    expect(await value(register, 'shardflow_registry_session_state', { state: 'connected' })).toBe(0);
  });

  // Core aborts the run's signal at the timeout: a job that then returns (or stops between
  // batches) is counted as a timeout, not as completed or as aborted by a shutdown.
  const untilAborted = (ctx: ShardingContext): Promise<void> => new Promise((resolve) => ctx.signal.addEventListener('abort', () => resolve(), { once: true }));
  const waitsForAbort: SimpleJob = { execute: untilAborted };
  const streamsUntilAborted: DataflowJob<number> = { fetchData: async () => [1], processData: untilAborted };
  it.each([
    ['a simple job that returns once its signal aborts', waitsForAbort, {}],
    ['a streaming dataflow job that stops between batches', streamsUntilAborted, { streamingProcess: true }],
  ] as const)('counts a run past itemTimeoutMs as result="timeout": %s', async (_name, job, config) => {
    const register = new Registry();
    const { registry } = await startJob(register, 'slow', job, { shardingTotalCount: 1, itemTimeoutMs: 50, ...config });
    await new JobOperator(registry).trigger('slow');
    await waitUntil(async () => (await value(register, 'shardflow_job_item_runs_total', { job: 'slow', result: 'timeout' })) === 1, { pause });
    expect(await value(register, 'shardflow_job_item_run_duration_seconds_count', { job: 'slow', result: 'timeout' })).toBe(1);
    for (const other of ['completed', 'failed', 'aborted', 'fenced']) {
      expect(await value(register, 'shardflow_job_item_runs_total', { job: 'slow', result: other })).toBeUndefined();
    }
  });

  it('shares one set of metrics between two observers of one prom-client registry', async () => {
    const register = new Registry();
    await startJob(register, 'first', new HalfFailingJob());
    await startJob(register, 'second', new HalfFailingJob());
    expect(await value(register, 'shardflow_job_owned_items', { job: 'first' })).toBe(3);
    expect(await value(register, 'shardflow_job_owned_items', { job: 'second' })).toBe(3);
  });

  it('serves the registry on loopback at /metrics and answers 404 elsewhere', async () => {
    const register = new Registry();
    await startJob(register, 'served', new HalfFailingJob());
    const server = await startMetricsServer({ port: 0, register });
    cleanups.push(() => server.close());
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
    const response = await fetch(server.url);
    expect(response.headers.get('content-type')).toContain('text/plain');
    expect(await response.text()).toContain('shardflow_job_owned_items{job="served"} 3');
    expect((await fetch(server.url.replace('/metrics', '/other'))).status).toBe(404);
  });

  it('rejects a bad port naming the field', async () => {
    await expect(startMetricsServer({ port: 70_000 })).rejects.toThrow(InvalidMetricsConfigError);
    await expect(startMetricsServer({ port: 70_000 })).rejects.toThrow(/port/);
  });
});
