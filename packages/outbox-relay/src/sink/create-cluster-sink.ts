import { InvalidOutboxConfigError } from '../errors/invalid-outbox-config-error.js';
import type { Logger } from '@shardflow/core';
import { groupBy } from '../util/group-by.js';
import { kafkaDriverOf } from './kafka-driver.js';
import { KafkajsSink, type KafkaClusterConfig } from './kafkajs-sink.js';
import type { MessageSink } from './message-sink.js';
import { PlatformaticKafkaSink } from './platformatic-kafka-sink.js';
import { RocketMqSink, type RocketMqClusterConfig } from './rocketmq-sink.js';
import { RoutingSink } from './routing-sink.js';

export interface ClusterSinkConfig {
  clusters?: Readonly<Record<string, KafkaClusterConfig>>;
  rocketmqClusters?: Readonly<Record<string, RocketMqClusterConfig>>;
  /** Message groups for RocketMQ clusters (the relay's `perKeyOrdering`). */
  messageGroups?: boolean;
  /** Where the Kafka client's logs go (see KafkajsSink). */
  logger?: Logger | undefined;
}

/**
 * The sink for configured clusters: Kafka (through each cluster's driver), RocketMQ, or several
 * behind a RoutingSink. A name may belong to one broker only, since it is what a row's
 * `cluster_name` selects.
 */
export function createClusterSink(config: ClusterSinkConfig): MessageSink {
  const logging = config.logger ? { logger: config.logger } : {};
  const kafka = Object.entries(config.clusters ?? {});
  const byDriver = groupBy(kafka, ([name, cluster]) => kafkaDriverOf(`clusters.${name}.driver`, cluster.driver));
  const sinks: Array<[names: readonly string[], sink: MessageSink]> = [];
  const kafkajs = byDriver.get('kafkajs');
  if (kafkajs) sinks.push([kafkajs.map(([name]) => name), new KafkajsSink({ clusters: Object.fromEntries(kafkajs), ...logging })]);
  const platformatic = byDriver.get('platformatic');
  if (platformatic) sinks.push([platformatic.map(([name]) => name), new PlatformaticKafkaSink({ clusters: Object.fromEntries(platformatic) })]);
  if (config.rocketmqClusters) {
    for (const name of Object.keys(config.rocketmqClusters)) {
      if (config.clusters?.[name]) throw new InvalidOutboxConfigError(`rocketmqClusters.${name}`, name, 'is also a Kafka cluster in clusters; a cluster name selects one broker');
    }
    sinks.push([Object.keys(config.rocketmqClusters), new RocketMqSink({ clusters: config.rocketmqClusters, messageGroups: config.messageGroups ?? false })]);
  }
  // No cluster at all: the Kafka sink's own check names what is missing.
  if (sinks.length === 0) return new KafkajsSink({ clusters: config.clusters ?? {}, ...logging });
  if (sinks.length === 1) return (sinks[0] as [readonly string[], MessageSink])[1];
  return new RoutingSink(new Map(sinks.flatMap(([names, sink]) => names.map((name) => [name, sink] as const))));
}
