/** Kafka protocol error names (as both Kafka drivers report them) that mean the message is too large for the broker. */
export const KAFKA_TOO_LARGE: ReadonlySet<string> = new Set(['MESSAGE_TOO_LARGE', 'RECORD_LIST_TOO_LARGE']);

/**
 * Kafka protocol error names that describe the cluster's state (leaders moving, replicas missing, a
 * broker starting), not the message: any row would get them, so they are the destination's.
 */
export const KAFKA_CLUSTER_STATE: ReadonlySet<string> = new Set([
  'LEADER_NOT_AVAILABLE', 'NOT_LEADER_FOR_PARTITION', 'NOT_LEADER_OR_FOLLOWER', 'BROKER_NOT_AVAILABLE', 'REPLICA_NOT_AVAILABLE',
  'NOT_ENOUGH_REPLICAS', 'NOT_ENOUGH_REPLICAS_AFTER_APPEND', 'NETWORK_EXCEPTION', 'KAFKA_STORAGE_ERROR', 'NOT_CONTROLLER',
]);

/**
 * Kafka protocol error names that say the idempotent producer's own state broke (its sequence
 * numbers out of step with the broker's, or its producer id unknown or fenced): kafkajs gets there
 * when it retries a produce after NOT_LEADER_FOR_PARTITION on a fresh topic, and from then on every
 * batch through that producer fails the same way, whatever the rows. They are the destination's, and
 * the sink drops the producer as it does an unreachable cluster's, so the next send starts afresh.
 */
export const KAFKA_PRODUCER_STATE: ReadonlySet<string> = new Set([
  'OUT_OF_ORDER_SEQUENCE_NUMBER', 'UNKNOWN_PRODUCER_ID', 'INVALID_PRODUCER_EPOCH', 'INVALID_PRODUCER_ID_MAPPING',
]);
