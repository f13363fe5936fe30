import type { DeliveryError } from '../errors/delivery-error.js';

/** One message on its way out; `id` is the outbox row id, echoed in a header for consumer dedupe. */
export interface OutboundMessage {
  readonly id: number;
  readonly key: string;
  readonly topic: string;
  readonly value: Buffer;
  readonly headers: Readonly<Record<string, string>>;
}

export type DeliveryOutcome = { readonly ok: true } | { readonly ok: false; readonly error: DeliveryError };

/**
 * Where the relay publishes. One call sends a batch to one named cluster and reports an outcome
 * per message, in order. A second broker client is one class implementing this.
 */
export interface MessageSink {
  send(cluster: string, messages: readonly OutboundMessage[]): Promise<DeliveryOutcome[]>;
  close(): Promise<void>;
}
