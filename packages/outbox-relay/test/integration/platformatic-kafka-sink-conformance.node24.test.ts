// Runs on Node.js >= 22.22 / 24.6 only (what @platformatic/kafka needs): the .node24 suffix keeps
// it out of runs on older Node.js (vitest.config.ts).
import { afterAll, expect, it } from 'vitest';
import { testServices } from '@shardflow/testkit';
import { createClusterSink, PlatformaticKafkaSink } from '../../src/index.js';
import { describeSinkConformance } from '../sink-conformance.js';
import { kafkaSinkHarness } from './kafka-sink-harness.js';

const bootstrap = testServices().kafka['cluster_a'] as string;
// Built as a configuration builds it: the driver chosen per cluster.
const sink = createClusterSink({
  clusters: { cluster_a: { brokers: [bootstrap], driver: 'platformatic' }, cluster_down: { brokers: ['127.0.0.1:1'], driver: 'platformatic' } },
});
afterAll(() => sink.close());

describeSinkConformance('@platformatic/kafka', () => kafkaSinkHarness(sink, bootstrap));

it("a cluster with driver 'platformatic' is sent through @platformatic/kafka", () => {
  expect(sink).toBeInstanceOf(PlatformaticKafkaSink);
});
