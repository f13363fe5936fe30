import { describe, expect, it } from 'vitest';
import { kafkaControl } from '@shardflow/testkit';
import { createOutbox, type OutboxMessage } from '../../src/index.js';
import { clusterMap, drain, stateCounts, suiteOutboxDb, uniqueTopic } from './outbox-fixture.js';

const ROWS_PER_CLUSTER = 1_500;

describe("the seed's head-of-line case, scaled up: cluster_a down must not block cluster_b", () => {
  const db = suiteOutboxDb('hol', () => kafkaControl.start('cluster_a'));

  it('delivers every cluster_b row while cluster_a is down, then every cluster_a row after it returns; nothing lost or dead', async () => {
    const outbox = createOutbox({
      databases: [db.pool],
      clusters: clusterMap(),
      relay: { pageSize: 200, maxRetries: 20, backoff: { initialDelayMs: 200, maxDelayMs: 1_000, jitter: 0.2 }, circuitBreaker: { failureThreshold: 2, coolDownMs: 1_000 } },
    });
    const opened: string[] = [];
    outbox.relayJob.on('circuitOpened', ({ cluster }) => opened.push(cluster));
    try {
      const topicA = uniqueTopic('hol-a');
      const topicB = uniqueTopic('hol-b');
      // Interleaved like the seed's ids 1-3 for cluster_a and 4-6 for cluster_b, in blocks of three.
      const messages: OutboxMessage[] = [];
      for (let i = 0; i < ROWS_PER_CLUSTER * 2; i++) {
        const forA = Math.floor(i / 3) % 2 === 0;
        messages.push({ key: `user-${i}`, topic: forA ? topicA : topicB, cluster: forA ? 'cluster_a' : 'cluster_b', payload: Buffer.alloc(1024, i % 256) });
      }
      for (let i = 0; i < messages.length; i += 500) await outbox.writer.addMany(db.pool as never, messages.slice(i, i + 500));

      await kafkaControl.stop('cluster_a');
      for (let round = 0; round < 20; round++) {
        await drain(outbox.relayJob, 4);
        if ((await stateCounts(db.pool))['cluster_b:1'] === ROWS_PER_CLUSTER) break;
      }
      const whileDown = await stateCounts(db.pool);
      expect(whileDown['cluster_b:1']).toBe(ROWS_PER_CLUSTER);
      expect(whileDown['cluster_a:0']).toBe(ROWS_PER_CLUSTER);
      expect(whileDown['cluster_a:2']).toBeUndefined();
      expect(opened).toContain('cluster_a');

      await kafkaControl.start('cluster_a');
      for (let round = 0; round < 60 && (await stateCounts(db.pool))['cluster_a:1'] !== ROWS_PER_CLUSTER; round++) {
        await drain(outbox.relayJob, 4);
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
      expect(await stateCounts(db.pool)).toEqual({ 'cluster_a:1': ROWS_PER_CLUSTER, 'cluster_b:1': ROWS_PER_CLUSTER });
    } finally {
      await outbox.close();
    }
  });
});
