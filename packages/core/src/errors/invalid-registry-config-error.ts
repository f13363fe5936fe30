import { ShardflowError } from './shardflow-error.js';

/** A registry option was rejected at construction; `field` names it. */
export class InvalidRegistryConfigError extends ShardflowError {
  constructor(
    readonly field: string,
    readonly value: unknown,
    reason: string,
  ) {
    super('INVALID_REGISTRY_CONFIG', `Invalid registry option ${field}: ${reason}`);
  }
}
