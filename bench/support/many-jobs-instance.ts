/**
 * One instance of the many-jobs benchmark: 100 jobs x 10 items on one ZooKeeper session, a no-op
 * SimpleJob fired every 5 s. Counts registry requests and CPU time over a steady window and prints
 * one JSON line.
 */
import { JobScheduler, ZookeeperRegistry, type Registry, type SimpleJob } from '@shardflow/core';

const [connectString, namespace, jobsArg, windowArg] = process.argv.slice(2);
const JOBS = Number(jobsArg ?? 100);
const WINDOW_MS = Number(windowArg ?? 30_000);
const REQUESTS = new Set(['get', 'getChildren', 'exists', 'create', 'put', 'set', 'remove', 'transaction']);

let requests = 0;
function counted(registry: Registry): Registry {
  return new Proxy(registry, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver) as unknown;
      if (typeof property === 'string' && REQUESTS.has(property) && typeof value === 'function') {
        return (...args: unknown[]) => {
          requests += 1;
          return (value as (...a: unknown[]) => unknown).apply(target, args);
        };
      }
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}

global.gc?.();
const rssBefore = process.memoryUsage().rss;
const registry = new ZookeeperRegistry({ connectString: connectString as string, namespace: namespace as string, sessionTimeoutMs: 10_000 });
await registry.connect();
let runs = 0;
const job: SimpleJob = { execute: async () => void (runs += 1) };
const schedulers: JobScheduler[] = [];
for (let i = 0; i < JOBS; i++) {
  const scheduler = new JobScheduler(counted(registry), job, { jobName: `job-${i}`, cron: '0/5 * * * * ?', shardingTotalCount: 10, overwrite: true });
  await scheduler.start();
  schedulers.push(scheduler);
}
process.stdout.write('ready\n');
// Let the other instances join and the leaders settle before measuring.
await new Promise((resolve) => setTimeout(resolve, 15_000));
global.gc?.();
const rssAfter = process.memoryUsage().rss;
const requestsBefore = requests;
const runsBefore = runs;
const cpuBefore = process.cpuUsage();
await new Promise((resolve) => setTimeout(resolve, WINDOW_MS));
const cpu = process.cpuUsage(cpuBefore);
const triggers = (WINDOW_MS / 5_000) * JOBS;
process.stdout.write(`${JSON.stringify({
  jobs: JOBS,
  items: schedulers.reduce((sum, scheduler) => sum + scheduler.items.length, 0),
  itemRuns: runs - runsBefore,
  triggers,
  requestsPerTrigger: (requests - requestsBefore) / triggers,
  cpuMsPerTrigger: (cpu.user + cpu.system) / 1000 / triggers,
  memoryPerJobKb: (rssAfter - rssBefore) / 1024 / JOBS,
})}\n`);
for (const scheduler of schedulers) await scheduler.shutdown();
await registry.close();
process.exit(0);
