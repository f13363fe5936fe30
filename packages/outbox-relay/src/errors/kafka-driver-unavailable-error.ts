import { ShardflowError } from '@shardflow/core';

/**
 * A cluster asks for a Kafka driver this process cannot run: the Node.js version is older than the
 * driver needs, or its package is not installed. Thrown at construction, naming the cluster.
 */
export class KafkaDriverUnavailableError extends ShardflowError {
  constructor(
    /** The config field that chose the driver, e.g. `clusters.orders.driver`. */
    readonly field: string,
    readonly driver: string,
    reason: string,
  ) {
    super('KAFKA_DRIVER_UNAVAILABLE', `Kafka driver '${driver}' (${field}) cannot run here: ${reason}`);
  }
}
