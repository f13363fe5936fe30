import type { RowDataPacket } from 'mysql2/promise';
import { describe, expect, it } from 'vitest';
import { JobOperator, JobScheduler, ZookeeperRegistry } from '@shardflow/core';
import { testServices, uniqueNamespace, waitUntil } from '@shardflow/testkit';
import {
  createOutbox, DeliveryError, KafkajsSink, VirtualPartitioning, resolveOutboxTable,
  type DeliveryOutcome, type MessageSink, type Outbox, type OutboundMessage,
} from '../../src/index.js';
import { clusterMap, suiteOutboxDb, uniqueTopic } from './outbox-fixture.js';

/** Real Kafka behind a switch: while `failing`, every send fails as if the cluster were down. */
class SwitchableSink implements MessageSink {
  failing = true;
  private readonly kafka = new KafkajsSink({ clusters: clusterMap() });

  async send(cluster: string, messages: readonly OutboundMessage[]): Promise<DeliveryOutcome[]> {
    if (!this.failing) return this.kafka.send(cluster, messages);
    const error = new DeliveryError('BROKER_UNAVAILABLE', 'switched off by the test');
    return messages.map(() => ({ ok: false, error }));
  }

  close(): Promise<void> {
    return this.kafka.close();
  }
}


describe('relay under resharding, with real ZooKeeper, MariaDB and Kafka', () => {
  const db = suiteOutboxDb('reshard');

  // Regression: an item that kept its owner through a count change used to keep its old epoch,
  // and rows of its new share that another item had stamped with a newer epoch were never fetched.
  it('after an instance leaves and the item count changes, every row retried under any epoch is still delivered', async () => {
    const sink = new SwitchableSink();
    const relay = { backoff: { initialDelayMs: 50, maxDelayMs: 50, jitter: 0 }, maxRetries: 10_000, circuitBreaker: { failureThreshold: 1_000_000 } };
    const outboxes: Outbox[] = [createOutbox({ databases: [db.pool], sink, relay }), createOutbox({ databases: [db.pool], sink, relay })];
    const namespace = uniqueNamespace('reshard');
    const registries = [0, 1].map(() => new ZookeeperRegistry({ connectString: testServices().zookeeper, namespace, sessionTimeoutMs: 4_000 }));
    const config = { jobName: 'relay', cron: '* * * * * ?', shardingTotalCount: 4, streamingProcess: true, overwrite: true };
    const schedulers: JobScheduler[] = [];
    const epochOf = new Map<number, number>();
    const rowsOf = async (where: string, params: unknown[] = []): Promise<number> =>
      Number((await db.pool.query<RowDataPacket[]>(`SELECT COUNT(*) AS n FROM msg_send_record WHERE ${where}`, params))[0][0]?.['n']);
    try {
      const topic = uniqueTopic('reshard');
      await outboxes[0]?.writer.addMany(db.pool as never, Array.from({ length: 400 }, (_, i) => ({ key: `user-${i}`, topic, cluster: 'cluster_a', payload: `${i}` })));
      for (const [index, registry] of registries.entries()) {
        await registry.connect();
        const scheduler = new JobScheduler(registry, (outboxes[index] as Outbox).relayJob, config, { instanceId: `instance-${index}` });
        await scheduler.start();
        schedulers.push(scheduler);
      }
      schedulers[0]?.on('itemStarted', ({ item, epoch }) => epochOf.set(item, epoch));
      await waitUntil(async () => (await rowsOf('fence_epoch IS NULL')) === 0, { what: 'both instances tried every row', timeoutMs: 30_000 });

      await schedulers[1]?.shutdown();
      await waitUntil(async () => schedulers[0]?.items.length === 4, { what: 'the survivor owns all four items', timeoutMs: 30_000 });
      const partitions = new VirtualPartitioning(resolveOutboxTable());
      await waitUntil(async () => {
        for (const [item, epoch] of epochOf) {
          if (epoch === 1) continue;
          const [low, high] = partitions.range(item, 4);
          if ((await rowsOf('partition_no BETWEEN ? AND ? AND fence_epoch <> ?', [low, high, epoch])) > 0) return false;
        }
        return [...epochOf.values()].some((epoch) => epoch > 1);
      }, { what: 'the survivor retried the moved items under their new epoch', timeoutMs: 30_000 });

      await new JobOperator(registries[0] as ZookeeperRegistry).updateConfig('relay', { shardingTotalCount: 2 });
      sink.failing = false;
      await waitUntil(async () => (await rowsOf('state = 1')) === 400, { what: 'every row is sent', timeoutMs: 20_000 });
      expect(await rowsOf('state <> 1')).toBe(0);
    } finally {
      for (const scheduler of schedulers) await scheduler.shutdown();
      for (const registry of registries) await registry.close();
      await sink.close();
    }
  });
});
