import { InvalidOutboxConfigError } from '../errors/invalid-outbox-config-error.js';
import type { Logger } from '@shardflow/core';
import { KafkajsSink, type KafkaClusterConfig } from './kafkajs-sink.js';
import type { MessageSink } from './message-sink.js';
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
 * The sink for configured clusters: Kafka, RocketMQ, or both behind a RoutingSink. A name may
 * belong to one broker only, since it is what a row's `cluster_name` selects.
 */
export function createClusterSink(config: ClusterSinkConfig): MessageSink {
  const logging = config.logger ? { logger: config.logger } : {};
  const kafka = config.clusters && Object.keys(config.clusters).length > 0 ? new KafkajsSink({ clusters: config.clusters, ...logging }) : undefined;
  const rocketmq = config.rocketmqClusters ? new RocketMqSink({ clusters: config.rocketmqClusters, messageGroups: config.messageGroups ?? false }) : undefined;
  if (!rocketmq) return kafka ?? new KafkajsSink({ clusters: config.clusters ?? {}, ...logging });
  if (!kafka) return rocketmq;
  const routes = new Map<string, MessageSink>(Object.keys(config.clusters ?? {}).map((name) => [name, kafka]));
  for (const name of Object.keys(config.rocketmqClusters ?? {})) {
    if (routes.has(name)) throw new InvalidOutboxConfigError(`rocketmqClusters.${name}`, name, 'is also a Kafka cluster in clusters; a cluster name selects one broker');
    routes.set(name, rocketmq);
  }
  return new RoutingSink(routes);
}
