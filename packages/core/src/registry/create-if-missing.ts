import { RegistryNodeExistsError } from '../errors/registry-node-exists-error.js';
import type { Registry } from './registry.js';

/** Creates a persistent empty node unless it already exists. */
export async function createIfMissing(registry: Registry, path: string): Promise<void> {
  try {
    await registry.create(path);
  } catch (error) {
    if (!(error instanceof RegistryNodeExistsError)) throw error;
  }
}
