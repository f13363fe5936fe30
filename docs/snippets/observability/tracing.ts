import { SpanKind, trace } from '@opentelemetry/api';
import { Kafka } from 'kafkajs';
import { instrumentShardflow, messageContext } from '@shardflow/opentelemetry';

// After your OpenTelemetry SDK is set up (tracer provider, context manager, W3C propagator):
const tracing = instrumentShardflow(); // item runs, batches, sends; writer rows carry `traceparent`

// A consumer continues the trace of the transaction that wrote the outbox row:
const tracer = trace.getTracer('coupon-service');
const consumer = new Kafka({ brokers: ['127.0.0.1:9092'] }).consumer({ groupId: 'coupon-service' });
await consumer.run({
  eachMessage: async ({ message }) => {
    await tracer.startActiveSpan('grant coupon', { kind: SpanKind.CONSUMER }, messageContext(message.headers ?? {}), async (span) => {
      try {
        // ... apply the message; spans started here are children of `span`
      } finally {
        span.end();
      }
    });
  },
});
// snippet-end
tracing.close();
