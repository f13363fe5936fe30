import { DeliveryError } from '../errors/delivery-error.js';
import { KAFKA_CLUSTER_STATE, KAFKA_PRODUCER_STATE, KAFKA_TOO_LARGE } from './kafka-protocol-errors.js';

interface PlatformaticErrorShape {
  /** `PLT_KFK_*`: the library's error kind (a timeout carries PLT_KFK_NETWORK too). */
  code?: unknown;
  /** On a broker's answer (PLT_KFK_PROTOCOL): the Kafka protocol error name, e.g. MESSAGE_TOO_LARGE. */
  apiId?: unknown;
  message?: unknown;
  /** A MultipleErrors (one per broker or partition) lists what it gathered here. */
  errors?: unknown;
  cause?: unknown;
}

// A request the broker did not answer in time; a connection that did not open in time is an
// unreachable broker instead, as kafkajs reports it.
const REQUEST_TIMEOUT_MESSAGE = /^Request timed out/;

/**
 * Every error in the tree @platformatic/kafka throws, outermost first: MultipleErrors gather
 * per-broker and per-partition ones, wrappers keep a `cause` (Node's socket error, say).
 */
function errorTree(thrown: unknown, found: PlatformaticErrorShape[] = [], depth = 0): PlatformaticErrorShape[] {
  const error = thrown as PlatformaticErrorShape | undefined;
  if (!error || typeof error !== 'object' || depth > 8) return found;
  found.push(error);
  for (const child of [...(Array.isArray(error.errors) ? error.errors : []), ...(error.cause ? [error.cause] : [])]) errorTree(child, found, depth + 1);
  return found;
}

/**
 * Maps an error of @platformatic/kafka onto our delivery taxonomy, the same way as
 * `classifyKafkajsError`: the broker's answers by their Kafka protocol name (too large, no such
 * topic, the cluster's state), the library's network errors and timeouts as the destination's. One
 * send reaches several brokers and partitions, so the error is a tree; the most telling error in
 * it decides: the message's own fault first (retrying cannot fix it), then a timeout, then an outage.
 */
export function classifyPlatformaticKafkaError(thrown: unknown, options: { topicAutoCreate: boolean }): DeliveryError {
  const all = errorTree(thrown);
  const apiIds = new Set(all.map((error) => error.apiId).filter((id): id is string => typeof id === 'string'));
  const has = (names: ReadonlySet<string>): boolean => [...apiIds].some((id) => names.has(id));
  // The broker's answer, or else the innermost error (the socket's), says the most.
  const telling = all.find((error) => typeof error.apiId === 'string') ?? all.at(-1);
  const message = String(telling?.message ?? thrown);
  if (has(KAFKA_TOO_LARGE)) return new DeliveryError('MESSAGE_TOO_LARGE', message, thrown);
  if (apiIds.has('INVALID_TOPIC_EXCEPTION')) return new DeliveryError('TOPIC_NOT_FOUND', message, thrown);
  if (apiIds.has('UNKNOWN_TOPIC_OR_PARTITION')) return new DeliveryError(options.topicAutoCreate ? 'DELIVERY_FAILED' : 'TOPIC_NOT_FOUND', message, thrown);
  if (apiIds.has('REQUEST_TIMED_OUT') || all.some((error) => REQUEST_TIMEOUT_MESSAGE.test(String(error.message)))) {
    return new DeliveryError('DELIVERY_TIMEOUT', message, thrown);
  }
  if (has(KAFKA_CLUSTER_STATE) || has(KAFKA_PRODUCER_STATE) || all.some((error) => error.code === 'PLT_KFK_NETWORK' || error.code === 'ECONNREFUSED' || error.code === 'ECONNRESET')) {
    return new DeliveryError('BROKER_UNAVAILABLE', message, thrown);
  }
  return new DeliveryError('DELIVERY_FAILED', message, thrown);
}
