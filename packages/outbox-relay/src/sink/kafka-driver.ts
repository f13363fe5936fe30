import { createRequire } from 'node:module';
import { InvalidOutboxConfigError } from '../errors/invalid-outbox-config-error.js';
import { KafkaDriverUnavailableError } from '../errors/kafka-driver-unavailable-error.js';
import { platformaticRunsOn } from './platformatic-runs-on.js';

/** The Kafka client libraries a cluster can be sent through (`KafkaClusterConfig.driver`). */
export const KAFKA_DRIVERS = ['kafkajs', 'platformatic'] as const;

export type KafkaDriver = (typeof KAFKA_DRIVERS)[number];

/** The driver a cluster's `driver` value names; an unknown value fails naming the field. */
export function kafkaDriverOf(field: string, value: unknown): KafkaDriver {
  if (value === undefined) return 'kafkajs';
  if ((KAFKA_DRIVERS as readonly unknown[]).includes(value)) return value as KafkaDriver;
  throw new InvalidOutboxConfigError(field, value, `must be one of ${KAFKA_DRIVERS.map((driver) => `'${driver}'`).join(', ')}`);
}

/**
 * Fails at start, rather than at the first send, when @platformatic/kafka cannot run here: too old
 * a Node.js, or the package (an optional peer dependency) not installed.
 */
export function requirePlatformaticKafka(field: string, nodeVersion: string = process.versions.node): void {
  if (!platformaticRunsOn(nodeVersion)) {
    throw new KafkaDriverUnavailableError(field, 'platformatic', `@platformatic/kafka needs Node.js >= 22.22 (22 line) or >= 24.6, this is ${nodeVersion}; use driver 'kafkajs' or a newer Node.js`);
  }
  try {
    createRequire(import.meta.url).resolve('@platformatic/kafka');
  } catch (error) {
    throw new KafkaDriverUnavailableError(field, 'platformatic', `the package @platformatic/kafka is not installed (npm install @platformatic/kafka): ${(error as Error).message}`);
  }
}
