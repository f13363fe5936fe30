import { JobScheduler, ZookeeperRegistry, type DataflowJob, type ShardingContext } from '@shardflow/core';

interface PendingMessage {
  id: number;
  accountNo: string;
}

/** Finds unsent messages of this item's share of the table and sends them. */
class UserSendMqJob implements DataflowJob<PendingMessage> {
  async fetchData(ctx: ShardingContext): Promise<PendingMessage[]> {
    // Rows where id % ctx.shardingTotalCount === ctx.shardingItem, a page at a time.
    return loadPendingPage(ctx.shardingItem, ctx.shardingTotalCount);
  }

  async processData(ctx: ShardingContext, messages: readonly PendingMessage[]): Promise<void> {
    for (const message of messages) {
      ctx.assertOwner(); // throws if this item moved to another instance meanwhile
      await send(message);
    }
  }
}

const registry = new ZookeeperRegistry({ connectString: '127.0.0.1:2181', namespace: 'shop' });
await registry.connect();
const scheduler = new JobScheduler(registry, new UserSendMqJob(), {
  jobName: 'user-send-mq',
  cron: '0/10 * * * * ?',
  shardingTotalCount: 4,
  shardingItemParameters: '0=a,1=b,2=c,3=d',
  streamingProcess: true,
  failover: true,
});
scheduler.on('itemsAssigned', ({ items }) => console.log('this instance runs items', items));
await scheduler.start();

process.once('SIGTERM', () => {
  void scheduler.shutdown().then(() => registry.close());
});
// snippet-end
declare function loadPendingPage(item: number, total: number): Promise<PendingMessage[]>;
declare function send(message: PendingMessage): Promise<void>;
