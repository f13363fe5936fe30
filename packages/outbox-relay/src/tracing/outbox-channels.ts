import { channel } from 'node:diagnostics_channel';
import { traceChannel } from '@shardflow/core';
import type { DeliveryOutcome, OutboundMessage } from '../sink/message-sink.js';

/** Names of the tracing channels the relay and the writer publish on. */
export const OUTBOX_TRACE_CHANNELS = {
  /** One `MessageSink.send` of one cluster's messages, by the relay or the writer's fast path. */
  send: 'shardflow:outbox.send',
  /**
   * A plain channel, published on synchronously in the caller's async context when the writer is
   * about to insert rows: a subscriber may add headers that every row of the call then carries
   * (a trace context), the message's own headers taking precedence.
   */
  write: 'shardflow:outbox.write',
} as const;

export interface SendTraceContext {
  readonly cluster: string;
  readonly messages: readonly OutboundMessage[];
  readonly fastPath: boolean;
  /** Set by the channel at the end: one outcome per message. */
  result?: DeliveryOutcome[];
  error?: unknown;
}

export const sendChannel = traceChannel<SendTraceContext>(OUTBOX_TRACE_CHANNELS.send);

export interface WriteChannelMessage {
  /** How many rows the call inserts. */
  readonly rows: number;
  /** Headers to add to each of them; fill it in the subscriber. */
  readonly headers: Record<string, string>;
}

export const writeChannel = channel(OUTBOX_TRACE_CHANNELS.write);
