/**
 * 100 jobs x 10 items on 3 instances (3 OS processes, one real ZooKeeper): registry requests and
 * CPU per trigger, memory per job. A trigger is one cron fire of one job on one instance.
 * Usage: node --conditions=@shardflow/source --import tsx bench/many-jobs.ts [--jobs 100]
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { startServices, uniqueNamespace } from '@shardflow/testkit';
import { report } from './support/bench-services.js';

const jobsArg = process.argv.indexOf('--jobs');
const JOBS = jobsArg > 0 ? Number(process.argv[jobsArg + 1]) : 100;
const instanceScript = fileURLToPath(new URL('./support/many-jobs-instance.ts', import.meta.url));
const services = await startServices({ kafkaClusters: [] });
const namespace = uniqueNamespace('many-jobs');
try {
  const results = await Promise.all([1, 2, 3].map((index) => new Promise<Record<string, number>>((resolve, reject) => {
    const child = spawn(process.execPath, ['--expose-gc', '--conditions=@shardflow/source', '--import', 'tsx', instanceScript, services.addresses.zookeeper, namespace, String(JOBS), '30000'], { stdio: ['ignore', 'pipe', 'inherit'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('exit', (code) => {
      const line = output.split('\n').find((entry) => entry.startsWith('{'));
      if (code === 0 && line) resolve(JSON.parse(line) as Record<string, number>);
      else reject(new Error(`instance ${index} exited with ${code}: ${output}`));
    });
  })));
  results.forEach((result, index) => report('many-jobs', { instance: index + 1, ...result }));
  const mean = (key: string): number => results.reduce((sum, result) => sum + (result[key] ?? 0), 0) / results.length;
  report('many-jobs mean', { jobs: JOBS, items_per_job: 10, instances: 3, requests_per_trigger: mean('requestsPerTrigger'), cpu_ms_per_trigger: mean('cpuMsPerTrigger'), memory_per_job_kb: mean('memoryPerJobKb') });
} finally {
  await services.stopAll();
}
