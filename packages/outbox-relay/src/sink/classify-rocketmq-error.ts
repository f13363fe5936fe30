import { DeliveryError, type DeliveryErrorCode } from '../errors/delivery-error.js';

interface RocketMqErrorShape {
  name?: string;
  message?: string;
  /** A RocketMQ status code (4xxxx/5xxxx) on the client's exceptions, or a gRPC status (0-16) on transport errors. */
  code?: unknown;
  cause?: unknown;
}

/**
 * RocketMQ status codes (apache.rocketmq.v2.Code) that say something about the message itself.
 * Anything else from the proxy is about the destination and worth retrying.
 */
const STATUS: ReadonlyMap<number, DeliveryErrorCode> = new Map([
  [40002, 'TOPIC_NOT_FOUND'], // ILLEGAL_TOPIC: a malformed or system topic name
  [40004, 'UNSERIALIZABLE_RECORD'], // ILLEGAL_MESSAGE_TAG
  [40005, 'UNSERIALIZABLE_RECORD'], // ILLEGAL_MESSAGE_KEY
  [40006, 'UNSERIALIZABLE_RECORD'], // ILLEGAL_MESSAGE_GROUP (longer than the proxy allows, say)
  [40007, 'UNSERIALIZABLE_RECORD'], // ILLEGAL_MESSAGE_PROPERTY_KEY: a header named like a system property
  [40014, 'UNSERIALIZABLE_RECORD'], // MESSAGE_PROPERTY_CONFLICT_WITH_TYPE
  [40016, 'UNSERIALIZABLE_RECORD'], // MESSAGE_CORRUPTED
  [40400, 'TOPIC_NOT_FOUND'], // NOT_FOUND
  [40402, 'TOPIC_NOT_FOUND'],
  [40800, 'DELIVERY_TIMEOUT'], // REQUEST_TIMEOUT
  [41300, 'MESSAGE_TOO_LARGE'], // PAYLOAD_TOO_LARGE
  [41301, 'MESSAGE_TOO_LARGE'], // MESSAGE_BODY_TOO_LARGE
  [41302, 'UNSERIALIZABLE_RECORD'], // MESSAGE_BODY_EMPTY
  [43100, 'MESSAGE_TOO_LARGE'], // REQUEST_HEADER_FIELDS_TOO_LARGE
  [43101, 'MESSAGE_TOO_LARGE'], // MESSAGE_PROPERTIES_TOO_LARGE
  [50001, 'BROKER_UNAVAILABLE'], // INTERNAL_SERVER_ERROR: the proxy could not reach a broker
  [50002, 'BROKER_UNAVAILABLE'], // HA_NOT_AVAILABLE
  [50400, 'DELIVERY_TIMEOUT'], // PROXY_TIMEOUT
  [50401, 'DELIVERY_TIMEOUT'], // MASTER_PERSISTENCE_TIMEOUT
  [50402, 'DELIVERY_TIMEOUT'], // SLAVE_PERSISTENCE_TIMEOUT
]);

/** gRPC transport statuses: DEADLINE_EXCEEDED, UNAVAILABLE (nothing listens, connection reset). */
const GRPC_DEADLINE_EXCEEDED = 4;
const GRPC_UNAVAILABLE = 14;

// The client checks the body size against the proxy's limit itself and throws a plain TypeError.
const TOO_LARGE_MESSAGE = /body size exceeds the threshold/i;
const UNAVAILABLE_MESSAGE = /ECONNREFUSED|ECONNRESET|EHOSTUNREACH|ENOTFOUND|No connection established|Connection dropped/;

/**
 * Maps an error of the RocketMQ Node client onto our delivery taxonomy, like `classifyKafkajsError`
 * for Kafka: the message's own faults (too large, no such topic, a property or key the proxy
 * refuses) are permanent and park the row; an unreachable or slow proxy is retriable. A topic of
 * the wrong type (a FIFO message to a normal topic, or the reverse) stays retriable: the fix is
 * the topic's, not the row's. Wrapped errors (`cause`) are unwrapped; the innermost decides.
 */
export function classifyRocketMqError(thrown: unknown): DeliveryError {
  let error = thrown as RocketMqErrorShape | undefined;
  while (error?.cause) error = error.cause as RocketMqErrorShape;
  const message = String(error?.message ?? thrown);
  const code = typeof error?.code === 'number' ? error.code : undefined;
  const mapped = code === undefined ? undefined : STATUS.get(code);
  if (mapped) return new DeliveryError(mapped, message, thrown);
  if (TOO_LARGE_MESSAGE.test(message)) return new DeliveryError('MESSAGE_TOO_LARGE', message, thrown);
  if (code === GRPC_DEADLINE_EXCEEDED) return new DeliveryError('DELIVERY_TIMEOUT', message, thrown);
  if (code === GRPC_UNAVAILABLE || UNAVAILABLE_MESSAGE.test(message)) return new DeliveryError('BROKER_UNAVAILABLE', message, thrown);
  return new DeliveryError('DELIVERY_FAILED', message, thrown);
}
