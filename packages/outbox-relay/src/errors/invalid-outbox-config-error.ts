import { ShardflowError } from '@shardflow/core';

/** An outbox option was rejected at construction; `field` names it. */
export class InvalidOutboxConfigError extends ShardflowError {
  constructor(
    readonly field: string,
    readonly value: unknown,
    reason: string,
  ) {
    super('INVALID_OUTBOX_CONFIG', `Invalid outbox option ${field}: ${reason}`);
  }
}
