/**
 * One instance of a console test's job in its own OS process (so it can be killed with SIGKILL).
 * It records each item's last run for the console. Input: one JSON argument (ConsoleWorkerSpec);
 * prints `ready <instanceId>` once started; SIGTERM shuts it down gracefully.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { JobScheduler, ZookeeperRegistry } from '@shardflow/core';
import { recordLastRuns } from '../../src/index.js';

export interface ConsoleWorkerSpec {
  readonly connectString: string;
  readonly namespace: string;
  readonly jobName: string;
  readonly instanceId: string;
  readonly shardingTotalCount: number;
  readonly sessionTimeoutMs: number;
}

const spec = JSON.parse(process.argv[2] ?? '{}') as ConsoleWorkerSpec;
const registry = new ZookeeperRegistry({ connectString: spec.connectString, namespace: spec.namespace, sessionTimeoutMs: spec.sessionTimeoutMs });
await registry.connect();
// Once an hour: every run the tests see comes from a trigger or a failover.
const scheduler = new JobScheduler(registry, { execute: () => sleep(50) }, {
  jobName: spec.jobName, cron: '0 0 * * * ?', shardingTotalCount: spec.shardingTotalCount, overwrite: true,
}, { instanceId: spec.instanceId });
recordLastRuns(scheduler, registry);
scheduler.on('error', (error) => process.stderr.write(`${error.message}\n`));
await scheduler.start();
process.stdout.write(`ready ${spec.instanceId}\n`);
process.once('SIGTERM', () => {
  void scheduler.shutdown().then(() => registry.close()).then(() => process.exit(0));
});
