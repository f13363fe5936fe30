import { afterEach, describe, expect, it } from 'vitest';
import { InvalidJobConfigError, JobNotFoundError, JobScheduler, ZookeeperRegistry, type ShardingContext } from '@shardflow/core';
import { testServices, uniqueNamespace, waitUntil } from '@shardflow/testkit';
import { JobAdmin, JobHasInstancesError, publishVersion, recordLastRuns, watchJob } from '../../src/index.js';

describe('JobAdmin on real ZooKeeper', () => {
  const cleanups: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  async function registry(namespace: string): Promise<ZookeeperRegistry> {
    const opened = new ZookeeperRegistry({ connectString: testServices().zookeeper, namespace, sessionTimeoutMs: 4_000 });
    await opened.connect();
    cleanups.push(() => opened.close());
    return opened;
  }

  /** A scheduler in this process that records its runs; item 1 always fails. */
  async function instance(namespace: string, instanceId: string): Promise<JobScheduler> {
    const reg = await registry(namespace);
    const scheduler = new JobScheduler(reg, {
      execute: async (ctx: ShardingContext) => {
        if (ctx.shardingItem === 1) throw new Error('item 1 is broken');
      },
    }, { jobName: 'report', cron: '0 0 3 * * ?', shardingTotalCount: 4, shardingItemParameters: '0=north,3=south' }, { instanceId, onItemError: () => undefined });
    recordLastRuns(scheduler, reg);
    await scheduler.start();
    if (instanceId.startsWith('host-a')) await publishVersion(scheduler, reg, '2.4.1');
    cleanups.push(() => scheduler.shutdown());
    return scheduler;
  }

  it('describes jobs, instances and the shard map, and records the last run of each item', async () => {
    const namespace = uniqueNamespace('ops-admin');
    await instance(namespace, 'host-a@101@1');
    await instance(namespace, 'host-b@102@1');
    const admin = new JobAdmin(await registry(namespace));
    await waitUntil(async () => (await admin.describeJob('report')).shards.every((shard) => shard.owner !== undefined), { what: 'an assignment' });

    const job = await admin.describeJob('report');
    expect(job.state).toBe('running');
    expect(job.leader).toBe('host-a@101@1');
    expect(job.instances.map((i) => [i.id, i.host, i.pid, i.version, i.leader, i.disabled])).toEqual([
      ['host-a@101@1', 'host-a', process.pid, '2.4.1', true, false], ['host-b@102@1', 'host-b', process.pid, undefined, false, false],
    ]);
    expect(job.instances.every((i) => i.startedAt instanceof Date && i.startedAt.getTime() <= Date.now())).toBe(true);
    expect(job.shards.map((shard) => shard.owner)).toEqual(['host-a@101@1', 'host-a@101@1', 'host-b@102@1', 'host-b@102@1']);
    expect(job.shards.map((shard) => shard.parameter)).toEqual(['north', undefined, undefined, 'south']);
    expect(job.shards.every((shard) => shard.lastRun === undefined)).toBe(true);
    expect(job.nextFireTime?.getUTCSeconds()).toBe(0);

    await admin.trigger('report');
    await waitUntil(async () => (await admin.describeJob('report')).shards.every((shard) => shard.lastRun !== undefined), { what: 'a recorded run of every item' });
    const ran = await admin.describeJob('report');
    expect(ran.shards.map((shard) => shard.lastRun?.result)).toEqual(['completed', 'failed', 'completed', 'completed']);
    expect(ran.shards[1]?.lastRun?.error).toBe('item 1 is broken');
    expect(ran.shards[2]?.lastRun?.instance).toBe('host-b@102@1');
    const [summary] = await admin.listJobs();
    expect(summary).toMatchObject({ name: 'report', state: 'running', instances: 2, shardingTotalCount: 4, recentFailures: 1 });
  });

  it('disables and enables an item, an instance and the job; every change is seen through a watch', async () => {
    const namespace = uniqueNamespace('ops-toggle');
    await instance(namespace, 'node-a');
    await instance(namespace, 'node-b');
    const reg = await registry(namespace);
    const admin = new JobAdmin(reg);
    let changes = 0;
    const unwatch = watchJob(reg, 'report', () => (changes += 1));
    cleanups.push(async () => unwatch());
    await waitUntil(() => changes > 0);

    const before = changes;
    await admin.setItemEnabled('report', 2, false);
    await waitUntil(() => changes > before, { what: 'a watch notification for the disabled item' });
    expect((await admin.describeJob('report')).shards.map((shard) => shard.disabled)).toEqual([false, false, true, false]);
    await expect(admin.setItemEnabled('report', 4, false)).rejects.toMatchObject({ code: 'INVALID_OPS_ARGUMENT', field: 'item' });

    await admin.setInstanceEnabled('report', 'node-b', false);
    await waitUntil(async () => (await admin.describeJob('report')).shards.every((shard) => shard.owner === 'node-a'), { what: 'node-b losing its items' });
    await admin.setInstanceEnabled('report', 'node-b', true);
    await waitUntil(async () => (await admin.describeJob('report')).shards.some((shard) => shard.owner === 'node-b'), { what: 'node-b getting items back' });

    await admin.setJobEnabled('report', false);
    const disabled = await admin.describeJob('report');
    expect(disabled.state).toBe('disabled');
    expect(disabled.nextFireTime).toBeUndefined();
    await admin.setJobEnabled('report', true);
    expect((await admin.describeJob('report')).state).toBe('running');
  });

  it('config changes are validated with the typed errors of start, and a bad one changes nothing', async () => {
    const namespace = uniqueNamespace('ops-config');
    await instance(namespace, 'node-a');
    const admin = new JobAdmin(await registry(namespace));
    const error = await admin.updateConfig('report', { cron: 'every minute' }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(InvalidJobConfigError);
    expect((error as InvalidJobConfigError).field).toBe('cron');
    await expect(admin.updateConfig('report', { shardingTotalCount: 0 })).rejects.toMatchObject({ field: 'shardingTotalCount' });
    expect((await admin.describeJob('report')).config).toMatchObject({ cron: '0 0 3 * * ?', shardingTotalCount: 4 });

    const updated = await admin.updateConfig('report', { cron: '0 30 4 * * ?', shardingTotalCount: 6, jobParameter: 'full' });
    expect(updated).toMatchObject({ cron: '0 30 4 * * ?', shardingTotalCount: 6, jobParameter: 'full' });
    await waitUntil(async () => (await admin.describeJob('report')).shards.length === 6 && (await admin.describeJob('report')).shards.every((s) => s.owner === 'node-a'), { what: 'a resharding to 6 items' });
    await expect(admin.describeJob('missing')).rejects.toBeInstanceOf(JobNotFoundError);
  });

  it('removing a job is refused while instances run, and removes every node once they are gone', async () => {
    const namespace = uniqueNamespace('ops-remove');
    const scheduler = await instance(namespace, 'node-a');
    const admin = new JobAdmin(await registry(namespace));
    await expect(admin.removeJob('report')).rejects.toBeInstanceOf(JobHasInstancesError);
    expect((await admin.listJobs()).map((job) => job.name)).toEqual(['report']);
    await scheduler.shutdown();
    await admin.removeJob('report');
    expect(await admin.listJobs()).toEqual([]);
  });
});
