import type { ILogger, MessageOptions, Producer } from 'rocketmq-client-nodejs';
import { DeliveryError, type DeliveryErrorCode } from '../errors/delivery-error.js';
import { InvalidOutboxConfigError } from '../errors/invalid-outbox-config-error.js';
import { requireClusterAddresses } from './require-cluster-addresses.js';
import { unknownClusterOutcomes } from './unknown-cluster.js';
import { groupBy } from '../util/group-by.js';
import { classifyRocketMqError } from './classify-rocketmq-error.js';
import type { DeliveryOutcome, MessageSink, OutboundMessage } from './message-sink.js';
import { ProducerPool } from './producer-pool.js';

/** How to reach one named RocketMQ 5 cluster (the outbox row's `cluster_name`), through its proxy. */
export interface RocketMqClusterConfig {
  /** The proxy's gRPC endpoints: `host:port`, several separated by `;`. */
  endpoints: string;
  /** RocketMQ namespace, if the cluster uses them. Default none. */
  namespace?: string;
  /** TLS to the proxy. Default false. */
  ssl?: boolean;
  /** For clusters with access control. */
  credentials?: { accessKey: string; accessSecret: string; securityToken?: string };
  /** Per send request. Default 3 000 ms: a down cluster must fail fast, its rows wait in the table. */
  requestTimeoutMs?: number;
  /** Overrides the sink's `messageGroups` for this cluster. */
  messageGroups?: boolean;
}

export interface RocketMqSinkOptions {
  clusters: Readonly<Record<string, RocketMqClusterConfig>>;
  /**
   * Send every message with its row's key as message group, for FIFO topics: the broker keeps a
   * group in order, and this sink sends a key's messages one after another, stopping at the first
   * that fails for a retriable reason. Turn it on with the relay's `perKeyOrdering`. Default false.
   */
  messageGroups?: boolean;
  /** User property carrying the outbox row id, for consumer-side dedupe. Default `outbox-id`. */
  idProperty?: string;
  /** Messages in flight per send call. Default 64. */
  maxInFlight?: number;
  /**
   * How long after an outage of a cluster a missing topic is taken for a broker that has not
   * registered its routes again yet (retriable) rather than for a topic that does not exist (the
   * row is parked). Longer than the circuit breaker's longest cool-down, so the first probe after
   * a long outage is still covered. Default 300 000 ms.
   */
  routeRecoveryMs?: number;
  /** Where the RocketMQ client logs. Default: nowhere (outcomes and relay events say what failed). */
  logger?: ILogger;
}

/** Errors that say the cluster, not a message, is in trouble. */
const OUTAGE: ReadonlySet<DeliveryErrorCode> = new Set(['BROKER_UNAVAILABLE', 'DELIVERY_TIMEOUT']);

const SILENT: ILogger = { info: () => undefined, warn: () => undefined, error: () => undefined, debug: () => undefined };

/**
 * `topic_name` is `topic` or `topic:tag`. A colon cannot appear in a RocketMQ topic name, so the
 * split is unambiguous; a row without one is sent untagged.
 */
export function rocketMqDestination(topicName: string): { topic: string; tag?: string } {
  const colon = topicName.indexOf(':');
  if (colon < 0) return { topic: topicName };
  return { topic: topicName.slice(0, colon), tag: topicName.slice(colon + 1) };
}

/**
 * MessageSink on the Apache RocketMQ Node client (gRPC to a RocketMQ 5 proxy): one producer per
 * cluster, created on first use, reused, dropped when its cluster became unreachable so the next
 * attempt connects afresh, closed by `close()`. The client sends one message per request, so a
 * batch goes out as concurrent sends (at most `maxInFlight`), each with its own outcome: a poison
 * message fails alone. With message groups, a key's messages go one after another instead.
 */
export class RocketMqSink implements MessageSink {
  private readonly producers = new ProducerPool<Producer>((cluster) => this.connect(cluster), (producer) => producer.shutdown());
  /** Topics each cluster has accepted a message for since this sink started. */
  private readonly knownTopics = new Map<string, Set<string>>();
  /** When each cluster was last unreachable. */
  private readonly lastOutage = new Map<string, number>();
  private readonly idProperty: string;
  private readonly maxInFlight: number;
  private readonly routeRecoveryMs: number;

  constructor(private readonly options: RocketMqSinkOptions) {
    requireClusterAddresses(options.clusters, {
      field: 'rocketmqClusters',
      key: 'endpoints',
      isValid: (endpoints) => typeof endpoints === 'string' && /^[^\s;,]+:\d+(;[^\s;,]+:\d+)*$/.test(endpoints),
      expectedMap: 'must map at least one cluster name to its proxy endpoints',
      expectedAddress: 'must be host:port, several separated by ;',
    });
    this.maxInFlight = options.maxInFlight ?? 64;
    if (!Number.isInteger(this.maxInFlight) || this.maxInFlight < 1) throw new InvalidOutboxConfigError('maxInFlight', this.maxInFlight, 'must be an integer >= 1');
    this.idProperty = options.idProperty ?? 'outbox-id';
    this.routeRecoveryMs = options.routeRecoveryMs ?? 300_000;
  }

  async send(cluster: string, messages: readonly OutboundMessage[]): Promise<DeliveryOutcome[]> {
    const config = this.options.clusters[cluster];
    if (!config) return unknownClusterOutcomes('RocketMQ', cluster, messages.length);
    let producer: Producer;
    try {
      producer = await this.producers.get(cluster);
    } catch (thrown) {
      const error = classifyRocketMqError(thrown);
      if (OUTAGE.has(error.code)) this.lastOutage.set(cluster, Date.now());
      return messages.map(() => ({ ok: false, error }));
    }
    const grouped = config.messageGroups ?? this.options.messageGroups ?? false;
    const outcomes = new Array<DeliveryOutcome>(messages.length);
    // A lane is a run of messages sent one after another: a key's messages with message groups,
    // otherwise each message alone.
    const indexes = messages.map((_, index) => index);
    const lanes = grouped ? [...groupBy(indexes, (index) => (messages[index] as OutboundMessage).key).values()] : indexes.map((index) => [index]);
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < lanes.length) {
        const lane = lanes[next++] as number[];
        let holdBack: DeliveryError | undefined;
        for (const index of lane) {
          if (holdBack) {
            outcomes[index] = { ok: false, error: holdBack };
            continue;
          }
          outcomes[index] = await this.sendOne(cluster, producer, messages[index] as OutboundMessage, grouped);
          const outcome = outcomes[index];
          // A later message of the key must not overtake one that will be retried.
          if (!outcome.ok && outcome.error.retriable) {
            holdBack = new DeliveryError(outcome.error.code, `held back behind message ${(messages[index] as OutboundMessage).id} of the same key: ${outcome.error.message}`);
          }
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.maxInFlight, lanes.length) }, worker));
    if (outcomes.some((outcome) => !outcome.ok && OUTAGE.has(outcome.error.code))) this.lastOutage.set(cluster, Date.now());
    if (outcomes.some((outcome) => !outcome.ok && outcome.error.code === 'BROKER_UNAVAILABLE')) this.producers.forget(cluster);
    return outcomes;
  }

  async close(): Promise<void> {
    await this.producers.close();
  }

  private async sendOne(cluster: string, producer: Producer, message: OutboundMessage, grouped: boolean): Promise<DeliveryOutcome> {
    const { topic, tag } = rocketMqDestination(message.topic);
    const options: MessageOptions = {
      topic,
      body: message.value,
      keys: [message.key],
      properties: new Map([...Object.entries(message.headers), [this.idProperty, String(message.id)]]),
      ...(tag === undefined ? {} : { tag }),
      ...(grouped ? { messageGroup: message.key } : {}),
    };
    try {
      await producer.send(options);
      const known = this.knownTopics.get(cluster) ?? new Set<string>();
      this.knownTopics.set(cluster, known.add(topic));
      return { ok: true };
    } catch (thrown) {
      return { ok: false, error: this.missingRoute(cluster, topic, classifyRocketMqError(thrown)) };
    }
  }

  /**
   * A broker that restarts registers its routes with the name server again only after the proxy
   * answers, so for a moment every topic of the cluster looks missing. A topic the cluster accepted
   * before, or any topic shortly after an outage, is therefore retried instead of parked.
   */
  private missingRoute(cluster: string, topic: string, error: DeliveryError): DeliveryError {
    if (error.code !== 'TOPIC_NOT_FOUND') return error;
    const known = this.knownTopics.get(cluster)?.has(topic) ?? false;
    const recovering = Date.now() - (this.lastOutage.get(cluster) ?? Number.NEGATIVE_INFINITY) < this.routeRecoveryMs;
    if (!known && !recovering) return error;
    return new DeliveryError('DELIVERY_FAILED', `no route for topic ${topic} ${known ? 'though it had one' : 'right after an outage'} (broker registering again?): ${error.message}`, error.cause);
  }

  private async connect(cluster: string): Promise<Producer> {
    const config = this.options.clusters[cluster] as RocketMqClusterConfig;
    // Loaded with the first RocketMQ cluster's producer: its gRPC client and generated protocol
    // code add 11-13 MB to a relay's resident memory at start, which a Kafka-only relay never needs.
    const { Producer } = await import('rocketmq-client-nodejs');
    const producer = new Producer({
      endpoints: config.endpoints,
      namespace: config.namespace ?? '',
      sslEnabled: config.ssl ?? false,
      requestTimeout: config.requestTimeoutMs ?? 3_000,
      // One attempt: a failing cluster should fail fast; the relay's backoff and circuit breaker
      // decide when to try again, so it never holds a page of other clusters' rows back.
      maxAttempts: 1,
      logger: this.options.logger ?? SILENT,
      ...(config.credentials === undefined ? {} : { sessionCredentials: config.credentials }),
    });
    await producer.startup();
    return producer;
  }
}
