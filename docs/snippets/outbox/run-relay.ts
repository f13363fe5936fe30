import mysql from 'mysql2/promise';
import { JobScheduler, ZookeeperRegistry } from '@shardflow/core';
import { createOutbox } from '@shardflow/outbox-relay';

const pool = mysql.createPool({ uri: 'mysql://root@127.0.0.1:3306/shop' });
const outbox = createOutbox({
  databases: [pool],
  clusters: { cluster_a: { brokers: ['127.0.0.1:9092'] }, cluster_b: { brokers: ['127.0.0.1:9093'] } },
  relay: { pageSize: 500, maxRetries: 10, backoff: { initialDelayMs: 1_000, maxDelayMs: 300_000 } },
  cleanup: { retentionMs: 7 * 24 * 3_600_000 },
});
outbox.relayJob.on('dead', ({ cluster, ids, code, message }) => console.warn(`parked ${ids.length} rows for ${cluster}: ${code}: ${message}`));
await outbox.verifyTables(); // a missing table or column fails here, named, not at every fire

const registry = new ZookeeperRegistry({ connectString: '127.0.0.1:2181', namespace: 'shop' });
await registry.connect();
const relay = new JobScheduler(registry, outbox.relayJob, {
  jobName: 'outbox-relay', cron: '0/5 * * * * ?', shardingTotalCount: 4, streamingProcess: true,
});
const cleanup = new JobScheduler(registry, outbox.cleanupJob, {
  jobName: 'outbox-cleanup', cron: '0 0/10 * * * ?', shardingTotalCount: 4,
});
await relay.start();
await cleanup.start();
console.log(await outbox.relayJob.stats());
