import { JobScheduler, ZookeeperRegistry, type DataflowJob, type ShardingContext } from '@shardflow/core';

class UserSendMqJob implements DataflowJob<Row> {
  async fetchData(ctx: ShardingContext): Promise<Row[]> {
    return findUnsent(ctx.shardingItem, ctx.shardingTotalCount); // this item's share, one page
  }
  async processData(ctx: ShardingContext, rows: readonly Row[]): Promise<void> {
    ctx.assertOwner(); // fenced: throws if the item moved to another instance
    await sendAll(rows);
  }
}

const registry = new ZookeeperRegistry({ connectString: '127.0.0.1:2181', namespace: 'shop' });
await registry.connect();
const job = new JobScheduler(registry, new UserSendMqJob(), {
  jobName: 'user-send-mq', cron: '0/10 * * * * ?', shardingTotalCount: 4, streamingProcess: true,
});
await job.start(); // later: await job.shutdown(); await registry.close();
// snippet-end
interface Row {
  id: number;
}
declare function findUnsent(item: number, total: number): Promise<Row[]>;
declare function sendAll(rows: readonly Row[]): Promise<void>;
