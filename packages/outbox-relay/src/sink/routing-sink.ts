import { DeliveryError } from '../errors/delivery-error.js';
import type { DeliveryOutcome, MessageSink, OutboundMessage } from './message-sink.js';

/**
 * Sends each cluster's messages through the sink that serves that cluster, so one outbox table
 * feeds clusters of different brokers (Kafka and RocketMQ) side by side. The relay already sends
 * clusters in parallel and keeps a circuit per cluster, so a broker that is down holds back only
 * its own clusters' rows.
 */
export class RoutingSink implements MessageSink {
  constructor(private readonly routes: ReadonlyMap<string, MessageSink>) {}

  async send(cluster: string, messages: readonly OutboundMessage[]): Promise<DeliveryOutcome[]> {
    const sink = this.routes.get(cluster);
    if (sink) return sink.send(cluster, messages);
    const error = new DeliveryError('UNKNOWN_CLUSTER', `No cluster named '${cluster}' is configured (known: ${[...this.routes.keys()].join(', ')})`);
    return messages.map(() => ({ ok: false, error }));
  }

  async close(): Promise<void> {
    await Promise.allSettled([...new Set(this.routes.values())].map((sink) => sink.close()));
  }
}
