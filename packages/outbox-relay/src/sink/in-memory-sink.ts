import { DeliveryError } from '../errors/delivery-error.js';
import type { DeliveryOutcome, MessageSink, OutboundMessage } from './message-sink.js';

export interface InMemorySinkOptions {
  /** Cluster names this sink serves; any other is an unknown cluster. */
  clusters: readonly string[];
  /** Messages whose value is larger are refused as too large. Default 1 MiB. */
  maxMessageBytes?: number;
  /** Header carrying the outbox row id, as the real sinks add it. Default `outbox-id`. */
  idHeader?: string;
}

/**
 * A MessageSink that keeps what it is sent, for unit tests of code around the relay: it answers
 * like a real broker (too large and unknown cluster are permanent, a cluster taken down with
 * `setDown` answers BROKER_UNAVAILABLE), and passes the same conformance suite as the real sinks.
 */
export class InMemorySink implements MessageSink {
  private readonly delivered = new Map<string, OutboundMessage[]>();
  private readonly down = new Set<string>();
  private readonly maxMessageBytes: number;
  private readonly idHeader: string;

  constructor(private readonly options: InMemorySinkOptions) {
    this.maxMessageBytes = options.maxMessageBytes ?? 1024 * 1024;
    this.idHeader = options.idHeader ?? 'outbox-id';
  }

  /** Takes a cluster away (every send to it fails as retriable) or brings it back. */
  setDown(cluster: string, down: boolean): void {
    if (down) this.down.add(cluster);
    else this.down.delete(cluster);
  }

  /** What a cluster has accepted, in the order it accepted it, headers as a consumer would see them. */
  messages(cluster: string): readonly OutboundMessage[] {
    return this.delivered.get(cluster) ?? [];
  }

  async send(cluster: string, messages: readonly OutboundMessage[]): Promise<DeliveryOutcome[]> {
    if (!this.options.clusters.includes(cluster)) {
      const error = new DeliveryError('UNKNOWN_CLUSTER', `No cluster named '${cluster}' is configured`);
      return messages.map(() => ({ ok: false, error }));
    }
    if (this.down.has(cluster)) {
      const error = new DeliveryError('BROKER_UNAVAILABLE', `cluster '${cluster}' is down`);
      return messages.map(() => ({ ok: false, error }));
    }
    const accepted = this.delivered.get(cluster) ?? [];
    this.delivered.set(cluster, accepted);
    return messages.map((message) => {
      if (message.value.length > this.maxMessageBytes) {
        return { ok: false, error: new DeliveryError('MESSAGE_TOO_LARGE', `${message.value.length} bytes is over ${this.maxMessageBytes}`) };
      }
      accepted.push({ ...message, headers: { ...message.headers, [this.idHeader]: String(message.id) } });
      return { ok: true };
    });
  }

  async close(): Promise<void> {
    this.delivered.clear();
  }
}
