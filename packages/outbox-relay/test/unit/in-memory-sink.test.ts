import { randomUUID } from 'node:crypto';
import { InMemorySink } from '../../src/index.js';
import { describeSinkConformance } from '../sink-conformance.js';

const sink = new InMemorySink({ clusters: ['memory', 'memory_down'], maxMessageBytes: 4_096 });
sink.setDown('memory_down', true);

describeSinkConformance('in-memory', () => ({
  sink,
  cluster: 'memory',
  downCluster: 'memory_down',
  tooLargeBytes: 4_097,
  topic: async () => `topic-${randomUUID()}`,
  read: async (topic) => sink.messages('memory').filter((m) => m.topic === topic).map((m, position) => ({ id: m.id, key: m.key, value: m.value, headers: m.headers, position })),
}));
