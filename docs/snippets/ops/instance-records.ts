import { JobScheduler, ZookeeperRegistry } from '@shardflow/core';
import { publishVersion, recordLastRuns } from '@shardflow/ops';

const registry = new ZookeeperRegistry({ connectString: '127.0.0.1:2181', namespace: 'shop' });
await registry.connect();
const scheduler = new JobScheduler(registry, { execute: async () => undefined }, { jobName: 'nightly-report', cron: '0 0 3 * * ?', shardingTotalCount: 4 });
recordLastRuns(scheduler, registry); // each item's last run (result, time, duration) for `shardflow job` and the console
await scheduler.start();
await publishVersion(scheduler, registry, process.env['APP_VERSION'] ?? 'dev'); // the instances table's version column
