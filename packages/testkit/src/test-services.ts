import { randomBytes } from 'node:crypto';
import { parseKafkaClusterMap } from './env.js';
import { mysqlUrl } from './mysql/test-database.js';
import type { ServiceAddresses } from './services.js';
import { TestkitError } from './errors/testkit-error.js';

/** Addresses of the services the integration global setup started (or that the env named). */
export function testServices(): ServiceAddresses {
  const zookeeper = process.env['SHARDFLOW_ZK'];
  const kafka = process.env['SHARDFLOW_KAFKA'];
  if (!zookeeper || !kafka) {
    throw new TestkitError('INVALID_SERVICE_ENV', 'No services: run integration tests through vitest (its global setup starts them) or set SHARDFLOW_ZK and SHARDFLOW_KAFKA');
  }
  return { zookeeper, kafka: parseKafkaClusterMap(kafka), mysqlUrl: mysqlUrl() };
}

/** A fresh ZooKeeper namespace, so tests never see each other's nodes. */
export function uniqueNamespace(prefix = 'test'): string {
  return `${prefix}-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
}

async function control(path: string): Promise<void> {
  const base = process.env['SHARDFLOW_TESTKIT_CONTROL'];
  if (!base) throw new TestkitError('INVALID_SERVICE_ENV', 'Service control is only available inside the integration test run');
  const response = await fetch(`${base}${path}`, { method: 'POST' });
  if (!response.ok) throw new TestkitError('SERVICE_START_FAILED', `${path}: ${await response.text()}`);
}

/** Stops and restarts the real Kafka clusters of the test run. */
export const kafkaControl = {
  stop: (cluster: string): Promise<void> => control(`/kafka/${encodeURIComponent(cluster)}/stop`),
  start: (cluster: string): Promise<void> => control(`/kafka/${encodeURIComponent(cluster)}/start`),
};

/** Stops and restarts the real ZooKeeper server of the test run. */
export const zookeeperControl = {
  stop: (): Promise<void> => control('/zookeeper/stop'),
  start: (): Promise<void> => control('/zookeeper/start'),
};
