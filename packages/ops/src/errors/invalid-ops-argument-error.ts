import { ShardflowError } from '@shardflow/core';

/**
 * An argument of an operation, a CLI flag or a console form field was rejected before anything
 * was read or written; `field` names it (for the CLI, the flag as typed: `--item`).
 */
export class InvalidOpsArgumentError extends ShardflowError {
  constructor(
    readonly field: string,
    readonly value: unknown,
    reason: string,
  ) {
    super('INVALID_OPS_ARGUMENT', `${field} ${value === undefined ? '' : `'${String(value)}' `}${reason}`);
  }
}
