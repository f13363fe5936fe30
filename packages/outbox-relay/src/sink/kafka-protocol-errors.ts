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
