import mysql from 'mysql2/promise';
import { JobScheduler, ZookeeperRegistry } from '@shardflow/core';
import { createOutbox } from '@shardflow/outbox-relay';
import { ShardflowMetrics, startMetricsServer } from '@shardflow/metrics';
import { OutboxMetrics } from '@shardflow/metrics/outbox';

const pool = mysql.createPool({ uri: 'mysql://root@127.0.0.1:3306/shop' });
const outbox = createOutbox({ databases: [pool], clusters: { cluster_a: { brokers: ['127.0.0.1:9092'] } } });
const registry = new ZookeeperRegistry({ connectString: '127.0.0.1:2181', namespace: 'shop' });
await registry.connect();
const relay = new JobScheduler(registry, outbox.relayJob, {
  jobName: 'outbox-relay', cron: '0/5 * * * * ?', shardingTotalCount: 4, streamingProcess: true,
});

// prom-client's global registry unless you pass `register`
new ShardflowMetrics().observeRegistry(registry).observeScheduler(relay);
new OutboxMetrics({ backlogCacheMs: 5_000 }).observe(outbox);
const server = await startMetricsServer({ port: 9464 }); // 127.0.0.1 unless you pass `host`
console.log(`scrape ${server.url}`);
await relay.start();
// snippet-end
await relay.shutdown();
await server.close();
