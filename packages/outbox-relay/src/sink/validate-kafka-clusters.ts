import { InvalidOutboxConfigError } from '../errors/invalid-outbox-config-error.js';
import type { KafkaClusterConfig } from './kafkajs-sink.js';

/** A Kafka sink's cluster map: at least one cluster, each with at least one broker. */
export function validateKafkaClusters(clusters: Readonly<Record<string, KafkaClusterConfig>> | undefined): void {
  const names = Object.keys(clusters ?? {});
  if (names.length === 0) throw new InvalidOutboxConfigError('clusters', clusters, 'must map at least one cluster name to its brokers');
  for (const name of names) {
    const brokers = clusters?.[name]?.brokers;
    if (!Array.isArray(brokers) || brokers.length === 0) throw new InvalidOutboxConfigError(`clusters.${name}.brokers`, brokers, 'must list at least one host:port');
  }
}
