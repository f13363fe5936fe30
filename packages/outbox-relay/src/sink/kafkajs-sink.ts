import { Kafka, logLevel, Partitioners, type logCreator, type Producer, type SASLOptions } from 'kafkajs';
import type { Logger, LogLevel } from '@shardflow/core';
import type { ConnectionOptions } from 'node:tls';
import { classifyKafkajsError } from './classify-kafkajs-error.js';
import type { KafkaDriver } from './kafka-driver.js';
import { groupBy } from '../util/group-by.js';
import type { DeliveryOutcome, MessageSink, OutboundMessage } from './message-sink.js';
import { ProducerPool } from './producer-pool.js';
import { unknownClusterOutcomes } from './unknown-cluster.js';
import { validateKafkaClusters } from './validate-kafka-clusters.js';

/** How to reach one named Kafka cluster (the outbox row's `cluster_name`). */
export interface KafkaClusterConfig {
  brokers: readonly string[];
  clientId?: string;
  ssl?: boolean | ConnectionOptions;
  sasl?: SASLOptions;
  /** Whether the brokers auto-create topics; if not, a missing topic parks rows as dead. Default true. */
  topicAutoCreate?: boolean;
  /** Default 3 000 ms: a down cluster must fail fast, its rows wait in the table anyway. */
  connectionTimeoutMs?: number;
  /** Default 10 000 ms. */
  requestTimeoutMs?: number;
  /**
   * The client library this cluster is sent through: 'kafkajs' (default) or 'platformatic'
   * (@platformatic/kafka, faster; needs Node.js >= 22.22 or >= 24.6 and the package installed).
   */
  driver?: KafkaDriver;
}

export interface KafkajsSinkOptions {
  clusters: Readonly<Record<string, KafkaClusterConfig>>;
  /** Header carrying the outbox row id, for consumer-side dedupe. Default `outbox-id`. */
  idHeader?: string;
  /**
   * Where kafkajs's own log lines go (info and above, at the matching level, with kafkajs's
   * namespace and fields). Without one kafkajs stays silent: it logs an error for every attempt
   * at a down broker, which the relay already reports once per batch (`retrying`, the circuit).
   */
  logger?: Logger;
}

/**
 * MessageSink on kafkajs: one idempotent producer per cluster (acks=all), created on first use,
 * reused, closed by `close()`. A batch goes out as one request per cluster covering all its topics.
 * When a batch fails for a reason that retrying cannot fix (a message too large), its messages are
 * sent one by one so that only the poison message fails and the rest are delivered.
 */
export class KafkajsSink implements MessageSink {
  private readonly producers = new ProducerPool<Producer>((cluster) => this.connect(cluster), (producer) => producer.disconnect());
  private readonly idHeader: string;

  constructor(private readonly options: KafkajsSinkOptions) {
    validateKafkaClusters(options.clusters);
    this.idHeader = options.idHeader ?? 'outbox-id';
  }

  async send(cluster: string, messages: readonly OutboundMessage[]): Promise<DeliveryOutcome[]> {
    const config = this.options.clusters[cluster];
    if (!config) return unknownClusterOutcomes('Kafka', cluster, messages.length);
    try {
      await this.publish(cluster, messages);
      return messages.map(() => ({ ok: true }));
    } catch (thrown) {
      const error = classifyKafkajsError(thrown, { topicAutoCreate: config.topicAutoCreate ?? true });
      if (error.retriable || messages.length === 1) {
        if (error.code === 'BROKER_UNAVAILABLE') this.producers.forget(cluster);
        return messages.map(() => ({ ok: false, error }));
      }
      const outcomes: DeliveryOutcome[] = [];
      for (const message of messages) outcomes.push(...(await this.send(cluster, [message])));
      return outcomes;
    }
  }

  async close(): Promise<void> {
    await this.producers.close();
  }

  private async publish(cluster: string, messages: readonly OutboundMessage[]): Promise<void> {
    const producer = await this.producers.get(cluster);
    await producer.sendBatch({
      acks: -1,
      topicMessages: [...groupBy(messages, (message) => message.topic)].map(([topic, list]) => ({
        topic,
        messages: list.map((message) => ({ key: message.key, value: message.value, headers: { ...message.headers, [this.idHeader]: String(message.id) } })),
      })),
    });
  }

  private async connect(cluster: string): Promise<Producer> {
    const config = this.options.clusters[cluster] as KafkaClusterConfig;
    const kafka = new Kafka({
      clientId: config.clientId ?? 'shardflow-outbox-relay',
      brokers: [...config.brokers],
      ...(config.ssl === undefined ? {} : { ssl: config.ssl }),
      ...(config.sasl === undefined ? {} : { sasl: config.sasl }),
      connectionTimeout: config.connectionTimeoutMs ?? 3_000,
      requestTimeout: config.requestTimeoutMs ?? 10_000,
      // Few retries: a failing cluster should fail fast (its rows wait in the table, the circuit
      // breaker decides when to try again), so it never holds a page of other clusters' rows back.
      retry: { retries: 1, initialRetryTime: 100, maxRetryTime: 1_000 },
      ...(this.options.logger ? { logLevel: logLevel.INFO, logCreator: kafkajsLogCreator(this.options.logger, cluster) } : { logLevel: logLevel.NOTHING }),
    });
    // The partitioner named, as kafkajs warns at every producer otherwise: its default (murmur2, as Java's client).
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: config.topicAutoCreate ?? true, createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();
    return producer;
  }
}

const KAFKAJS_LEVELS: Readonly<Record<number, LogLevel>> = {
  [logLevel.ERROR]: 'error', [logLevel.WARN]: 'warn', [logLevel.INFO]: 'info', [logLevel.DEBUG]: 'debug',
};

/** kafkajs's log entries into a pino-style logger: the level mapped, the namespace and cluster as fields. */
function kafkajsLogCreator(logger: Logger, cluster: string): logCreator {
  return () => ({ namespace, level, log }) => {
    const { message, ...fields } = log;
    logger[KAFKAJS_LEVELS[level] ?? 'info']({ ...fields, component: 'kafkajs', namespace, cluster }, message);
  };
}
