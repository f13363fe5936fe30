import type { OutboxRecord } from '../store/outbox-record.js';
import type { OutboundMessage } from './message-sink.js';

/** Header with the row's create time (ISO 8601), so consumers can measure end-to-end lag. */
export const CREATE_TIME_HEADER = 'outbox-create-time';

export function toOutboundMessage(record: OutboxRecord): OutboundMessage {
  return {
    id: record.id,
    key: record.key,
    topic: record.topic,
    value: record.payload,
    headers: { ...record.headers, [CREATE_TIME_HEADER]: record.createTime.toISOString() },
  };
}
