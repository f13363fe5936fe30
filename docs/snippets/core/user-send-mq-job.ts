// my-job.ts
import { JobScheduler, ZookeeperRegistry, type DataflowJob, type ShardingContext } from '@shardflow/core';

interface PendingMessage {
  id: number;
  accountNo: string;
}

// Stand-ins for your table and your broker, so that the file runs as it is: messages 1..40, kept
// in this process's memory (each process has its own copy). A real job reads and marks rows of a
// shared table instead; the outbox relay (outbox.md) is that job, ready-made.
const sent = new Set<number>();
async function loadPendingPage(item: number, total: number): Promise<PendingMessage[]> {
  const page: PendingMessage[] = [];
  for (let id = 1; id <= 40 && page.length < 5; id++) {
    if (id % total === item && !sent.has(id)) page.push({ id, accountNo: `user-${id}` });
  }
  return page;
}
async function send(message: PendingMessage): Promise<void> {
  sent.add(message.id);
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
    console.log(`item ${ctx.shardingItem} (${ctx.shardingParameter}): sent ${messages.map((message) => message.id).join(', ')}`);
  }
}

// The address `shardflow-services start zookeeper` prints; 2181 is ZooKeeper's usual port.
const connectString = process.env['SHARDFLOW_ZK'] ?? '127.0.0.1:2181';
const registry = new ZookeeperRegistry({ connectString, namespace: 'shop' });
await registry.connect();
const scheduler = new JobScheduler(registry, new UserSendMqJob(), {
  jobName: 'user-send-mq',
  cron: '0/10 * * * * ?',
  shardingTotalCount: 4,
  shardingItemParameters: '0=a,1=b,2=c,3=d',
  streamingProcess: true,
  failover: true,
});
scheduler.on('itemsAssigned', ({ items }) => console.log(`this instance runs items ${JSON.stringify(items)}`));
await scheduler.start();
console.log(`instance ${scheduler.instanceId} started, ZooKeeper ${connectString}`);

// Ctrl-C or SIGTERM: finish the current batch, hand the items over at once, then exit.
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void scheduler.shutdown().then(() => registry.close());
  });
}
