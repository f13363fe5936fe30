// operate.ts
import { JobOperator, ZookeeperRegistry } from '@shardflow/core';

const registry = new ZookeeperRegistry({ connectString: process.env['SHARDFLOW_ZK'] ?? '127.0.0.1:2181', namespace: 'shop' });
await registry.connect();
const operator = new JobOperator(registry);
await operator.trigger('user-send-mq'); // every instance runs its items once, now
await operator.updateConfig('user-send-mq', { cron: '0 0/2 * * * ?', shardingTotalCount: 8 }); // live: reschedules and reshards
await operator.disableItem('user-send-mq', 3); // item 3 is skipped until enableItem
const status = await operator.status('user-send-mq');
console.log(status.instances, status.assignment, status.running);
await registry.close();
