import { propagation, ROOT_CONTEXT, type Context, type TextMapGetter } from '@opentelemetry/api';

/** Message headers as Kafka clients hand them over: strings, Buffers, or lists of either. */
export type MessageHeaders = Readonly<Record<string, string | Buffer | ReadonlyArray<string | Buffer> | undefined>>;

const headerGetter: TextMapGetter<MessageHeaders> = {
  keys: (carrier) => Object.keys(carrier),
  get: (carrier, key) => {
    const value = carrier[key];
    if (value === undefined) return undefined;
    return Array.isArray(value) ? value.map(String) : String(value);
  },
};

/**
 * The trace context a message carries (the `traceparent` the outbox writer stored with the row and
 * the relay sent as a header), for a consumer to start its span in the producer's trace:
 *
 *     tracer.startActiveSpan('coupon grant', { kind: SpanKind.CONSUMER }, messageContext(message.headers ?? {}), ...)
 */
export function messageContext(headers: MessageHeaders): Context {
  return propagation.extract(ROOT_CONTEXT, headers, headerGetter);
}
