import pg from 'pg';
import { JobScheduler, ZookeeperRegistry } from '@shardflow/core';
import { createOutbox } from '@shardflow/outbox-relay';

const pool = new pg.Pool({ connectionString: 'postgres://postgres@127.0.0.1:5432/shop' });
const outbox = createOutbox({
  databases: [pool],
  clusters: { cluster_a: { brokers: ['127.0.0.1:9092'] } },
  wakeup: { coalesceMs: 50 }, // PostgreSQL: LISTEN/NOTIFY; MySQL: { pollMinMs: 50, pollMaxMs: 1_000 }
});
outbox.wakeup?.on('error', (error) => console.warn(`wakeup: ${error.message} (retrying)`));

const registry = new ZookeeperRegistry({ connectString: '127.0.0.1:2181', namespace: 'shop' });
await registry.connect();
const relay = new JobScheduler(registry, outbox.relayJob, {
  jobName: 'outbox-relay', cron: '0 * * * * ?', shardingTotalCount: 4, streamingProcess: true,
});
await relay.start();
outbox.wakeup?.start(relay); // new rows run the items now; the cron is the safety net
// snippet-end
await relay.shutdown();
await registry.close();
await outbox.close();
await pool.end();
