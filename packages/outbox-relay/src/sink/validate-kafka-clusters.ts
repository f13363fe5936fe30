import type { KafkaClusterConfig } from './kafkajs-sink.js';
import { requireClusterAddresses } from './require-cluster-addresses.js';

/** A Kafka sink's cluster map, whichever driver sends: at least one cluster, each with at least one broker. */
export function validateKafkaClusters(clusters: Readonly<Record<string, KafkaClusterConfig>> | undefined): void {
  requireClusterAddresses(clusters, {
    field: 'clusters',
    key: 'brokers',
    isValid: (brokers) => Array.isArray(brokers) && brokers.length > 0,
    expectedMap: 'must map at least one cluster name to its brokers',
    expectedAddress: 'must list at least one host:port',
  });
}
