import mysql from 'mysql2/promise';
import { ZookeeperRegistry } from '@shardflow/core';
import { JobAdmin, OutboxAdmin } from '@shardflow/ops';

const registry = new ZookeeperRegistry({ connectString: '127.0.0.1:2181', namespace: 'shop' });
await registry.connect();
const jobs = new JobAdmin(registry);
for (const job of await jobs.listJobs()) console.log(job.name, job.state, job.instances, job.nextFireTime);
const relay = await jobs.describeJob('outbox-relay'); // config, leader, instances, shard map, last runs
for (const shard of relay.shards) console.log(shard.item, shard.owner, shard.epoch, shard.running?.since, shard.disabled);
await jobs.updateConfig('outbox-relay', { cron: '0/5 * * * * ?' }); // InvalidJobConfigError names a bad field; nothing is written
await jobs.setItemEnabled('outbox-relay', 3, false);

const pool = mysql.createPool({ uri: 'mysql://root@127.0.0.1:3306/shop' });
const outbox = new OutboxAdmin({ databases: [pool] }); // the table and partitioning as the relay has them
console.log(await outbox.backlog()); // per cluster: pending, retrying, dead, oldestPendingAgeMs
console.log(await outbox.replayDead({ cluster: 'cluster_a', topic: 'user-registered' }));
await pool.end();
await registry.close();
