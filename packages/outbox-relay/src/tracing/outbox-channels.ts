import { traceChannel } from '@shardflow/core';
import type { DeliveryOutcome } from '../sink/message-sink.js';

/** Names of the tracing channels the relay and the writer publish on. */
export const OUTBOX_TRACE_CHANNELS = {
  /** One `MessageSink.send` of one cluster's messages, by the relay or the writer's fast path. */
  send: 'shardflow:outbox.send',
} as const;

export interface SendTraceContext {
  readonly cluster: string;
  readonly messages: number;
  readonly fastPath: boolean;
  /** Set by the channel at the end: one outcome per message. */
  result?: DeliveryOutcome[];
  error?: unknown;
}

export const sendChannel = traceChannel<SendTraceContext>(OUTBOX_TRACE_CHANNELS.send);
