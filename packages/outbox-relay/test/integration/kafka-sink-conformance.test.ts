import { afterAll } from 'vitest';
import { testServices } from '@shardflow/testkit';
import { KafkajsSink } from '../../src/index.js';
import { describeSinkConformance } from '../sink-conformance.js';
import { kafkaSinkHarness } from './kafka-sink-harness.js';

const bootstrap = testServices().kafka['cluster_a'] as string;
const sink = new KafkajsSink({ clusters: { cluster_a: { brokers: [bootstrap] }, cluster_down: { brokers: ['127.0.0.1:1'] } } });
afterAll(() => sink.close());

describeSinkConformance('Kafka', () => kafkaSinkHarness(sink, bootstrap));
