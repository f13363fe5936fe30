import { ShardflowError } from '@shardflow/core';

/** A history option was rejected; `field` names it. */
export class InvalidHistoryConfigError extends ShardflowError {
  constructor(
    readonly field: string,
    readonly value: unknown,
    /** What the value must be, without the field and the value. */
    readonly reason: string,
  ) {
    super('INVALID_HISTORY_CONFIG', `Invalid history option ${field}: ${reason} (got ${JSON.stringify(value)})`);
  }
}
