/**
 * The independent check: a plain kafkajs consumer reads the run's topic on every cluster from the
 * beginning up to the end offsets taken when it starts, and counts each outbox id (the `outbox-id`
 * header the relay stamps on every message). It knows nothing of the relay or the table.
 */
import { randomUUID } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';

const ID_HEADER = 'outbox-id';

/** Outbox id -> how many times it is in the topic, over all clusters. */
export async function countDeliveredIds(clusters: Readonly<Record<string, string>>, topic: string, timeoutMs = 120_000): Promise<Map<number, number>> {
  const counts = new Map<number, number>();
  for (const [name, bootstrap] of Object.entries(clusters)) await readCluster(name, bootstrap, topic, counts, timeoutMs);
  return counts;
}

async function readCluster(name: string, bootstrap: string, topic: string, counts: Map<number, number>, timeoutMs: number): Promise<void> {
  const kafka = new Kafka({ clientId: 'shardflow-chaos-check', brokers: [bootstrap], logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  let ends: Map<number, number>;
  try {
    const topics = await admin.listTopics();
    if (!topics.includes(topic)) return;
    // The offset of the next message to be written: read every partition up to just before it.
    ends = new Map((await admin.fetchTopicOffsets(topic)).map((p) => [p.partition, Number(p.high)]));
  } finally {
    await admin.disconnect();
  }
  const remaining = new Set([...ends].filter(([, high]) => high > 0).map(([partition]) => partition));
  if (remaining.size === 0) return;
  const consumer = kafka.consumer({ groupId: `shardflow-chaos-check-${randomUUID()}` });
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`cluster ${name}: partitions ${[...remaining].join(', ')} not read to their end in ${timeoutMs} ms`)), timeoutMs);
      void consumer.run({
        eachMessage: async ({ partition, message }) => {
          const id = Number(message.headers?.[ID_HEADER]?.toString());
          if (Number.isSafeInteger(id)) counts.set(id, (counts.get(id) ?? 0) + 1);
          if (Number(message.offset) + 1 >= (ends.get(partition) ?? 0)) remaining.delete(partition);
          if (remaining.size === 0) {
            clearTimeout(timer);
            resolve();
          }
        },
      }).catch(reject);
    });
  } finally {
    await consumer.disconnect();
  }
}
