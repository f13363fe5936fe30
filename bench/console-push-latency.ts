/**
 * How soon the console's event stream shows a change made in ZooKeeper: an item is disabled or
 * enabled through a second registry session (as another operator's CLI would), and the clock stops
 * when the job page's stream delivers a job whose shard map shows it. Includes the console's 100 ms
 * settle time, the ZooKeeper notification and one read of the job.
 * Usage: node --conditions=@shardflow/source --import tsx bench/console-push-latency.ts [--rounds 30]
 */
import { get } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { JobScheduler, ZookeeperRegistry } from '@shardflow/core';
import { JobAdmin, startConsole, type JobDetails } from '@shardflow/ops';
import { startServices, uniqueNamespace } from '@shardflow/testkit';
import { median, percentile, report } from './support/bench-services.js';

const roundsArg = process.argv.indexOf('--rounds');
const ROUNDS = roundsArg > 0 ? Number(process.argv[roundsArg + 1]) : 30;
const services = await startServices({ kafkaClusters: [] });
const namespace = uniqueNamespace('push-latency');
const open = async (): Promise<ZookeeperRegistry> => {
  const registry = new ZookeeperRegistry({ connectString: services.addresses.zookeeper, namespace });
  await registry.connect();
  return registry;
};
const [instanceRegistry, consoleRegistry, operatorRegistry] = [await open(), await open(), await open()];
const scheduler = new JobScheduler(instanceRegistry, { execute: async () => undefined }, { jobName: 'pushed', cron: '0 0 * * * ?', shardingTotalCount: 4 });
await scheduler.start();
const running = await startConsole({ registry: consoleRegistry, jobs: new JobAdmin(consoleRegistry), port: 0 });

const waiters: Array<(job: JobDetails) => boolean> = [];
let buffered = '';
const stream = get(`${running.url}api/jobs/pushed/events`, (response) => {
  response.on('data', (chunk: Buffer) => {
    buffered += chunk.toString('utf8');
    const events = buffered.split('\n\n');
    buffered = events.pop() ?? '';
    for (const event of events) {
      const data = /^event: job\ndata: (.*)$/m.exec(event)?.[1];
      if (!data) continue;
      const job = JSON.parse(data) as JobDetails;
      for (let index = waiters.length - 1; index >= 0; index--) if (waiters[index]?.(job)) waiters.splice(index, 1);
    }
  });
});

const operator = new JobAdmin(operatorRegistry);
const latencies: number[] = [];
for (let round = 0; round < ROUNDS; round++) {
  const disable = round % 2 === 0;
  const seen = new Promise<number>((resolve) => waiters.push((job) => {
    if (job.shards[1]?.disabled !== disable) return false;
    resolve(performance.now());
    return true;
  }));
  const started = performance.now();
  await operator.setItemEnabled('pushed', 1, !disable);
  latencies.push((await seen) - started);
  await sleep(300);
}
report('console-push-latency', { rounds: ROUNDS, medianMs: median(latencies), p95Ms: percentile(latencies, 95), maxMs: percentile(latencies, 100) });

stream.destroy();
await running.close();
await scheduler.shutdown();
for (const registry of [instanceRegistry, consoleRegistry, operatorRegistry]) await registry.close();
await services.stopAll();
process.exit(0);
