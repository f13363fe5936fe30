import zookeeper from 'node-zookeeper-client';
import { RegistryConnectionError } from '../../errors/registry-connection-error.js';
import { RegistryError } from '../../errors/registry-error.js';
import { RegistryNoNodeError } from '../../errors/registry-no-node-error.js';
import { RegistryNodeExistsError } from '../../errors/registry-node-exists-error.js';
import { RegistryVersionConflictError } from '../../errors/registry-version-conflict-error.js';

const RETRIABLE = new Set<number>([zookeeper.Exception.CONNECTION_LOSS, zookeeper.Exception.OPERATION_TIMEOUT]);

export function zookeeperCode(error: unknown): number | undefined {
  return error instanceof zookeeper.Exception ? error.getCode() : undefined;
}

export function isRetriableZookeeperError(error: unknown): boolean {
  const code = zookeeperCode(error);
  return code !== undefined && RETRIABLE.has(code);
}

/** Maps node-zookeeper-client's exceptions onto the registry's typed errors. */
export function toRegistryError(error: unknown, path: string): Error {
  const code = zookeeperCode(error);
  switch (code) {
    case zookeeper.Exception.NODE_EXISTS:
      return new RegistryNodeExistsError(path, error);
    case zookeeper.Exception.NO_NODE:
      return new RegistryNoNodeError(path, error);
    case zookeeper.Exception.BAD_VERSION:
      return new RegistryVersionConflictError(path, error);
    case zookeeper.Exception.CONNECTION_LOSS:
    case zookeeper.Exception.OPERATION_TIMEOUT:
    case zookeeper.Exception.SESSION_EXPIRED:
      return new RegistryConnectionError(`ZooKeeper request on ${path} failed: ${String(error)}`, error);
    case undefined:
      return error instanceof Error ? error : new Error(String(error));
    default:
      return new RegistryError('REGISTRY_FAILURE', `ZooKeeper request on ${path} failed: ${String(error)}`, path, { cause: error });
  }
}
