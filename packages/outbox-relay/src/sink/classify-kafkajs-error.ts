import { DeliveryError } from '../errors/delivery-error.js';
import { KAFKA_CLUSTER_STATE, KAFKA_PRODUCER_STATE, KAFKA_TOO_LARGE } from './kafka-protocol-errors.js';

interface KafkajsErrorShape {
  name?: string;
  type?: string;
  message?: string;
  originalError?: unknown;
  cause?: unknown;
}

const UNAVAILABLE = new Set(['KafkaJSConnectionError', 'KafkaJSBrokerNotFound', 'KafkaJSConnectionClosedError', 'KafkaJSMetadataNotLoaded', 'KafkaJSStaleTopicMetadataAssignment']);
// kafkajs re-wraps some failures in a KafkaJSNonRetriableError that keeps only the message.
const UNAVAILABLE_MESSAGE = /Connection error|ECONNREFUSED|ECONNRESET|ENOTFOUND|EHOSTUNREACH|Broker not connected|Closed connection/;

/**
 * Maps a kafkajs error onto our delivery taxonomy: the cluster being unreachable, timing out or in
 * a state no message can pass is the destination's fault (BROKER_UNAVAILABLE, DELIVERY_TIMEOUT);
 * the rest is the message's. kafkajs wraps the error that made it give up
 * (`originalError` or `cause`, depending on the version); the innermost one decides.
 * `topicAutoCreate` says whether the broker creates topics on demand: if it does not, a missing
 * topic will stay missing, so retrying is pointless.
 */
export function classifyKafkajsError(thrown: unknown, options: { topicAutoCreate: boolean }): DeliveryError {
  let error = thrown as KafkajsErrorShape | undefined;
  for (let inner = error?.originalError ?? error?.cause; inner; inner = error?.originalError ?? error?.cause) error = inner as KafkajsErrorShape;
  const message = String(error?.message ?? thrown);
  if (error?.type && KAFKA_TOO_LARGE.has(error.type)) return new DeliveryError('MESSAGE_TOO_LARGE', message, thrown);
  if (error?.type === 'UNKNOWN_TOPIC_OR_PARTITION') {
    return new DeliveryError(options.topicAutoCreate ? 'DELIVERY_FAILED' : 'TOPIC_NOT_FOUND', message, thrown);
  }
  if (error?.type === 'INVALID_TOPIC_EXCEPTION') return new DeliveryError('TOPIC_NOT_FOUND', message, thrown);
  if (error?.type === 'REQUEST_TIMED_OUT' || error?.name === 'KafkaJSRequestTimeoutError' || error?.name === 'KafkaJSTimeout') {
    return new DeliveryError('DELIVERY_TIMEOUT', message, thrown);
  }
  if ((error?.type && (KAFKA_CLUSTER_STATE.has(error.type) || KAFKA_PRODUCER_STATE.has(error.type))) || (error?.name && UNAVAILABLE.has(error.name)) || UNAVAILABLE_MESSAGE.test(message)) {
    return new DeliveryError('BROKER_UNAVAILABLE', message, thrown);
  }
  return new DeliveryError('DELIVERY_FAILED', message, thrown);
}
