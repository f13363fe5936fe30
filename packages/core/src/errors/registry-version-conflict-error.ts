import { RegistryError } from './registry-error.js';

/** A compare-and-set lost: the node changed since the version the caller read. */
export class RegistryVersionConflictError extends RegistryError {
  constructor(path: string, cause?: unknown) {
    super('REGISTRY_VERSION_CONFLICT', `Registry node ${path} changed since it was read`, path, { cause });
  }
}
