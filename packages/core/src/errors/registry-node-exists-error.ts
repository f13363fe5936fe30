import { RegistryError } from './registry-error.js';

export class RegistryNodeExistsError extends RegistryError {
  constructor(path: string, cause?: unknown) {
    super('REGISTRY_NODE_EXISTS', `Registry node ${path} already exists`, path, { cause });
  }
}
