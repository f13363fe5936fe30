import { randomUUID } from 'node:crypto';
import { SimpleConsumer, type ILogger, type MessageView } from 'rocketmq-client-nodejs';
import type { ReadMessage } from '../sink-conformance.js';

const SILENT: ILogger = { info: () => undefined, warn: () => undefined, error: () => undefined, debug: () => undefined };

/**
 * Reads `topic` with a fresh consumer group until `count` distinct messages arrived or `timeoutMs`
 * passed, acknowledging each (a message the proxy hands out twice is kept once).
 */
export async function consumeRocketMq(endpoints: string, topic: string, count: number, timeoutMs = 30_000): Promise<MessageView[]> {
  const consumer = new SimpleConsumer({
    endpoints, namespace: '', sslEnabled: false, consumerGroup: `test-${randomUUID().slice(0, 8)}`,
    subscriptions: new Map([[topic, '*']]), awaitDuration: 2_000, requestTimeout: 10_000, logger: SILENT,
  });
  await consumer.startup();
  const seen = new Map<string, MessageView>();
  try {
    const deadline = Date.now() + timeoutMs;
    while (seen.size < count && Date.now() < deadline) {
      for (const message of await consumer.receive(32, 30_000)) {
        seen.set(message.messageId, message);
        await consumer.ack(message);
      }
    }
  } finally {
    await consumer.shutdown().catch(() => undefined);
  }
  return [...seen.values()];
}

/** A RocketMQ message as the sink conformance suite compares it. */
export function toReadMessage(message: MessageView): ReadMessage {
  const headers = Object.fromEntries(message.properties);
  return { id: Number(headers['outbox-id']), key: message.keys[0] ?? '', value: message.body, headers, position: Number(message.offset) };
}
