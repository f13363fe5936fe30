import { RegistryError } from './registry-error.js';

export class RegistryNoNodeError extends RegistryError {
  constructor(path: string, cause?: unknown) {
    super('REGISTRY_NO_NODE', `Registry node ${path} does not exist`, path, { cause });
  }
}
