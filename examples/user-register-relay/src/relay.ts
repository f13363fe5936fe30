/**
 * One relay instance: the outbox relay job with 4 items, streaming, failover on, coordinated with
 * the other instances through ZooKeeper. Start it 2-3 times; kill one and watch its items move.
 * Prints one JSON line per event of interest on stdout.
 */
import { JobScheduler, ZookeeperRegistry } from '@shardflow/core';
import { createOutbox } from '@shardflow/outbox-relay';
import { recordLastRuns } from '@shardflow/ops';
import { openPool } from './database.js';
import { JOB_NAME, readEnvironment } from './environment.js';

const environment = readEnvironment();
const instanceId = process.env['RELAY_INSTANCE_ID'];
const sessionTimeoutMs = Number(process.env['RELAY_SESSION_TIMEOUT_MS'] ?? 4_000);
const pool = await openPool(environment);
const clusters = Object.fromEntries(Object.entries(environment.kafka).map(([name, brokers]) => [name, { brokers: brokers.split(',') }]));
const outbox = createOutbox({ databases: [pool], clusters, relay: { pageSize: 500, backoff: { initialDelayMs: 500, maxDelayMs: 10_000 } } });
await outbox.verifyTables();
const registry = new ZookeeperRegistry({ connectString: environment.zookeeper, namespace: environment.namespace, sessionTimeoutMs });
await registry.connect();
const scheduler = new JobScheduler(registry, outbox.relayJob, {
  jobName: JOB_NAME,
  cron: process.env['RELAY_CRON'] ?? '* * * * * ?',
  shardingTotalCount: 4,
  streamingProcess: true,
  failover: true,
  misfire: true,
  overwrite: true,
}, instanceId ? { instanceId } : {});
recordLastRuns(scheduler, registry); // each item's last run, for the console's shard map

const say = (event: Record<string, unknown>): void => {
  process.stdout.write(`${JSON.stringify({ instance: scheduler.instanceId, at: Date.now(), ...event })}\n`);
};
scheduler.on('itemsAssigned', ({ items }) => say({ event: 'items', items }));
scheduler.on('failoverTaken', ({ item }) => say({ event: 'failover', item }));
scheduler.on('leadership', ({ isLeader }) => say({ event: 'leader', isLeader }));
scheduler.on('error', (error) => say({ event: 'error', message: error.message }));
outbox.relayJob.on('sent', ({ count }) => say({ event: 'sent', count }));
outbox.relayJob.on('dead', ({ ids, code }) => say({ event: 'dead', ids, code }));
await scheduler.start();
say({ event: 'ready' });

process.once('SIGTERM', () => {
  void (async () => {
    await scheduler.shutdown();
    await registry.close();
    await outbox.close();
    await pool.end();
    process.exit(0);
  })();
});
