import { Producer, type ILogger, type MessageOptions } from 'rocketmq-client-nodejs';
import { DeliveryError } from '../errors/delivery-error.js';
import { InvalidOutboxConfigError } from '../errors/invalid-outbox-config-error.js';
import { groupBy } from '../util/group-by.js';
import { classifyRocketMqError } from './classify-rocketmq-error.js';
import type { DeliveryOutcome, MessageSink, OutboundMessage } from './message-sink.js';

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
  /** Where the RocketMQ client logs. Default: nowhere (outcomes and relay events say what failed). */
  logger?: ILogger;
}

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
  private readonly producers = new Map<string, Promise<Producer>>();
  private readonly idProperty: string;
  private readonly maxInFlight: number;

  constructor(private readonly options: RocketMqSinkOptions) {
    const names = Object.keys(options.clusters ?? {});
    if (names.length === 0) throw new InvalidOutboxConfigError('rocketmqClusters', options.clusters, 'must map at least one cluster name to its proxy endpoints');
    for (const name of names) {
      const endpoints = options.clusters[name]?.endpoints;
      if (typeof endpoints !== 'string' || !/^[^\s;,]+:\d+(;[^\s;,]+:\d+)*$/.test(endpoints)) {
        throw new InvalidOutboxConfigError(`rocketmqClusters.${name}.endpoints`, endpoints, 'must be host:port, several separated by ;');
      }
    }
    this.maxInFlight = options.maxInFlight ?? 64;
    if (!Number.isInteger(this.maxInFlight) || this.maxInFlight < 1) throw new InvalidOutboxConfigError('maxInFlight', this.maxInFlight, 'must be an integer >= 1');
    this.idProperty = options.idProperty ?? 'outbox-id';
  }

  async send(cluster: string, messages: readonly OutboundMessage[]): Promise<DeliveryOutcome[]> {
    const config = this.options.clusters[cluster];
    if (!config) {
      const error = new DeliveryError('UNKNOWN_CLUSTER', `No RocketMQ cluster named '${cluster}' is configured`);
      return messages.map(() => ({ ok: false, error }));
    }
    let producer: Producer;
    try {
      producer = await this.producer(cluster);
    } catch (thrown) {
      const error = classifyRocketMqError(thrown);
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
          outcomes[index] = await this.sendOne(producer, messages[index] as OutboundMessage, grouped);
          const outcome = outcomes[index];
          // A later message of the key must not overtake one that will be retried.
          if (!outcome.ok && outcome.error.retriable) {
            holdBack = new DeliveryError(outcome.error.code, `held back behind message ${(messages[index] as OutboundMessage).id} of the same key: ${outcome.error.message}`);
          }
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.maxInFlight, lanes.length) }, worker));
    if (outcomes.some((outcome) => !outcome.ok && outcome.error.code === 'BROKER_UNAVAILABLE')) this.forget(cluster);
    return outcomes;
  }

  async close(): Promise<void> {
    const producers = [...this.producers.values()];
    this.producers.clear();
    await Promise.allSettled(producers.map(async (producer) => (await producer).shutdown()));
  }

  private async sendOne(producer: Producer, message: OutboundMessage, grouped: boolean): Promise<DeliveryOutcome> {
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
      return { ok: true };
    } catch (thrown) {
      return { ok: false, error: classifyRocketMqError(thrown) };
    }
  }

  private producer(cluster: string): Promise<Producer> {
    const existing = this.producers.get(cluster);
    if (existing) return existing;
    const config = this.options.clusters[cluster] as RocketMqClusterConfig;
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
    const started = producer.startup().then(() => producer);
    started.catch(() => this.forget(cluster));
    this.producers.set(cluster, started);
    return started;
  }

  /** Drops a producer whose cluster went away, so the next attempt connects afresh. */
  private forget(cluster: string): void {
    const producer = this.producers.get(cluster);
    this.producers.delete(cluster);
    void producer?.then((p) => p.shutdown()).catch(() => undefined);
  }
}
