import type { Producer, ProducerOptions, SASLOptions as PlatformaticSasl } from '@platformatic/kafka';
import { InvalidOutboxConfigError } from '../errors/invalid-outbox-config-error.js';
import { classifyPlatformaticKafkaError } from './classify-platformatic-kafka-error.js';
import { requirePlatformaticKafka } from './kafka-driver.js';
import type { KafkaClusterConfig } from './kafkajs-sink.js';
import type { DeliveryOutcome, MessageSink, OutboundMessage } from './message-sink.js';
import { unknownClusterOutcomes } from './unknown-cluster.js';
import { validateKafkaClusters } from './validate-kafka-clusters.js';

export interface PlatformaticKafkaSinkOptions {
  clusters: Readonly<Record<string, KafkaClusterConfig>>;
  /** Header carrying the outbox row id, for consumer-side dedupe. Default `outbox-id`. */
  idHeader?: string;
}

type BufferProducer = Producer<Buffer, Buffer, Buffer, Buffer>;

// The SASL mechanisms a cluster config can name (kafkajs's spelling) and @platformatic/kafka's name for each.
const SASL_MECHANISMS: Readonly<Record<string, PlatformaticSasl['mechanism']>> = {
  plain: 'PLAIN', 'scram-sha-256': 'SCRAM-SHA-256', 'scram-sha-512': 'SCRAM-SHA-512',
};

/**
 * MessageSink on @platformatic/kafka, the faster of the two Kafka drivers: one idempotent producer
 * per cluster (acks=all), created on first use, reused, dropped when its cluster became
 * unreachable, closed by `close()`. Keys are partitioned with Java's (and kafkajs's) murmur2, so a
 * key keeps its partition when a cluster switches drivers. A batch goes out as one send, which the
 * library splits into one request per broker; when it fails for a reason retrying cannot fix (a
 * message too large), its messages are sent one by one so only the poison message fails.
 * The library is loaded on first use: it is an optional peer dependency.
 */
export class PlatformaticKafkaSink implements MessageSink {
  private readonly producers = new Map<string, Promise<BufferProducer>>();
  private readonly idHeader: Buffer;

  constructor(private readonly options: PlatformaticKafkaSinkOptions, nodeVersion: string = process.versions.node) {
    validateKafkaClusters(options.clusters);
    for (const [name, config] of Object.entries(options.clusters)) {
      requirePlatformaticKafka(`clusters.${name}.driver`, nodeVersion);
      if (config.sasl && !SASL_MECHANISMS[config.sasl.mechanism]) {
        throw new InvalidOutboxConfigError(`clusters.${name}.sasl.mechanism`, config.sasl.mechanism, `must be one of ${Object.keys(SASL_MECHANISMS).join(', ')} with driver 'platformatic'`);
      }
    }
    this.idHeader = Buffer.from(options.idHeader ?? 'outbox-id');
  }

  async send(cluster: string, messages: readonly OutboundMessage[]): Promise<DeliveryOutcome[]> {
    const config = this.options.clusters[cluster];
    if (!config) return unknownClusterOutcomes('Kafka', cluster, messages.length);
    try {
      const producer = await this.producer(cluster);
      await producer.send({ messages: messages.map((message) => this.record(message)) });
      return messages.map(() => ({ ok: true }));
    } catch (thrown) {
      const error = classifyPlatformaticKafkaError(thrown, { topicAutoCreate: config.topicAutoCreate ?? true });
      if (error.retriable || messages.length === 1) {
        if (error.code === 'BROKER_UNAVAILABLE') this.forget(cluster);
        return messages.map(() => ({ ok: false, error }));
      }
      // The broker appends each partition on its own: the partitions it took are delivered and
      // must not be sent again; only the others' messages go one by one.
      const written = await this.writtenMessages(cluster, messages, thrown);
      const outcomes: DeliveryOutcome[] = [];
      for (const [index, message] of messages.entries()) outcomes.push(...(written.has(index) ? [{ ok: true } as const] : await this.send(cluster, [message])));
      return outcomes;
    }
  }

  async close(): Promise<void> {
    const producers = [...this.producers.values()];
    this.producers.clear();
    await Promise.allSettled(producers.map(async (producer) => (await producer).close()));
  }

  /**
   * Which of a failed batch's messages the broker appended anyway: those of partitions it answered
   * without error. The library partitions with Java's murmur2 over the topic's partition count, so
   * the same computation tells each message's partition. None when that cannot be told.
   */
  private async writtenMessages(cluster: string, messages: readonly OutboundMessage[], thrown: unknown): Promise<Set<number>> {
    const accepted = acceptedPartitions(thrown);
    if (accepted.size === 0) return new Set();
    try {
      const producer = await this.producer(cluster);
      const { compatibilityPartitioner } = await import('@platformatic/kafka');
      const metadata = await producer.metadata({ topics: [...new Set(messages.map((message) => message.topic))] });
      const written = new Set<number>();
      for (const [index, message] of messages.entries()) {
        const count = metadata.topics.get(message.topic)?.partitionsCount ?? 0;
        const partition = compatibilityPartitioner(undefined as never, Buffer.from(message.key)) % count;
        if (accepted.has(`${message.topic}:${partition}`)) written.add(index);
      }
      return written;
    } catch {
      return new Set();
    }
  }

  private record(message: OutboundMessage): { topic: string; key: Buffer; value: Buffer; headers: Map<Buffer, Buffer> } {
    const headers = new Map<Buffer, Buffer>(Object.entries(message.headers).map(([name, value]) => [Buffer.from(name), Buffer.from(value)]));
    headers.set(this.idHeader, Buffer.from(String(message.id)));
    return { topic: message.topic, key: Buffer.from(message.key), value: message.value, headers };
  }

  private producer(cluster: string): Promise<BufferProducer> {
    const existing = this.producers.get(cluster);
    if (existing) return existing;
    const created = this.createProducer(this.options.clusters[cluster] as KafkaClusterConfig);
    created.catch(() => this.forget(cluster));
    this.producers.set(cluster, created);
    return created;
  }

  private async createProducer(config: KafkaClusterConfig): Promise<BufferProducer> {
    const { Producer, compatibilityPartitioner } = await import('@platformatic/kafka');
    const requestTimeout = config.requestTimeoutMs ?? 10_000;
    const options: ProducerOptions<Buffer, Buffer, Buffer, Buffer> = {
      clientId: config.clientId ?? 'shardflow-outbox-relay',
      bootstrapBrokers: [...config.brokers],
      connectTimeout: config.connectionTimeoutMs ?? 3_000,
      timeout: requestTimeout,
      requestTimeout,
      // Few retries: a failing cluster should fail fast (its rows wait in the table, the circuit
      // breaker decides when to try again), so it never holds a page of other clusters' rows back.
      // Two, as an idempotent producer takes 0 or 1 for "retry for ever".
      retries: 2,
      retryDelay: 100,
      idempotent: true,
      acks: -1,
      autocreateTopics: config.topicAutoCreate ?? true,
      partitioner: compatibilityPartitioner,
      ...(config.ssl === undefined || config.ssl === false ? {} : { tls: config.ssl === true ? {} : config.ssl }),
      ...(config.sasl ? { sasl: platformaticSasl(config.sasl) } : {}),
    };
    return new Producer(options);
  }

  /** Drops a producer whose cluster went away, so the next attempt connects afresh. */
  private forget(cluster: string): void {
    const producer = this.producers.get(cluster);
    this.producers.delete(cluster);
    void producer?.then((p) => p.close()).catch(() => undefined);
  }
}

function platformaticSasl(sasl: NonNullable<KafkaClusterConfig['sasl']>): PlatformaticSasl {
  const { username, password } = sasl as { username?: string; password?: string };
  return { mechanism: SASL_MECHANISMS[sasl.mechanism] as PlatformaticSasl['mechanism'], ...(username === undefined ? {} : { username }), ...(password === undefined ? {} : { password }) };
}

interface ProduceResponseShape {
  responses?: Array<{ name?: string; partitionResponses?: Array<{ index?: number; errorCode?: number }> }>;
}

/** `topic:partition` of every partition a failed send's produce responses report as appended (error code 0). */
function acceptedPartitions(thrown: unknown, found = new Set<string>(), depth = 0): Set<string> {
  const error = thrown as { response?: ProduceResponseShape; errors?: unknown; cause?: unknown } | undefined;
  if (!error || typeof error !== 'object' || depth > 8) return found;
  for (const topic of error.response?.responses ?? []) {
    for (const partition of topic.partitionResponses ?? []) if (partition.errorCode === 0) found.add(`${topic.name}:${partition.index}`);
  }
  for (const child of [...(Array.isArray(error.errors) ? error.errors : []), ...(error.cause ? [error.cause] : [])]) acceptedPartitions(child, found, depth + 1);
  return found;
}
