import type { MessageSink } from '../../src/index.js';
import type { SinkHarness } from '../sink-conformance.js';
import { consume, createdTopic } from './outbox-fixture.js';

/**
 * The conformance harness of a Kafka sink serving `cluster_a` (the test broker at `bootstrap`) and
 * `cluster_down` (nothing listens there): topics made and read back with kafkajs, whichever driver
 * the sink under test uses.
 */
export function kafkaSinkHarness(sink: MessageSink, bootstrap: string): SinkHarness {
  return {
    sink,
    cluster: 'cluster_a',
    downCluster: 'cluster_down',
    // Over the broker's default message.max.bytes (1 MiB).
    tooLargeBytes: 2 * 1024 * 1024,
    topic: () => createdTopic('conformance', { partitions: 4, bootstrap }),
    read: async (topic, count) => (await consume(bootstrap, topic, count)).map((message) => {
      const headers = Object.fromEntries(Object.entries(message.headers ?? {}).map(([name, value]) => [name, String(value)]));
      return { id: Number(headers['outbox-id']), key: String(message.key), value: message.value ?? Buffer.alloc(0), headers, position: Number(message.offset) };
    }),
  };
}
