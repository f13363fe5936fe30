import { afterAll } from 'vitest';
import { Kafka, logLevel } from 'kafkajs';
import { testServices } from '@shardflow/testkit';
import { KafkajsSink } from '../../src/index.js';
import { describeSinkConformance } from '../sink-conformance.js';
import { consume, uniqueTopic } from './outbox-fixture.js';

const bootstrap = testServices().kafka['cluster_a'] as string;
const sink = new KafkajsSink({ clusters: { cluster_a: { brokers: [bootstrap] }, cluster_down: { brokers: ['127.0.0.1:1'] } } });
afterAll(() => sink.close());

describeSinkConformance('Kafka', () => ({
  sink,
  cluster: 'cluster_a',
  downCluster: 'cluster_down',
  // Over the broker's default message.max.bytes (1 MiB).
  tooLargeBytes: 2 * 1024 * 1024,
  topic: async () => {
    const topic = uniqueTopic('conformance');
    const admin = new Kafka({ clientId: 'conformance', brokers: [bootstrap], logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    try {
      await admin.createTopics({ topics: [{ topic, numPartitions: 4 }], waitForLeaders: true });
    } finally {
      await admin.disconnect();
    }
    return topic;
  },
  read: async (topic, count) => (await consume(bootstrap, topic, count)).map((message) => {
    const headers = Object.fromEntries(Object.entries(message.headers ?? {}).map(([name, value]) => [name, String(value)]));
    return { id: Number(headers['outbox-id']), key: String(message.key), value: message.value ?? Buffer.alloc(0), headers, position: Number(message.offset) };
  }),
}));
