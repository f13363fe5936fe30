import type { CoreErrorCode } from './core-error-codes.js';
import { ShardflowError } from './shardflow-error.js';

/** The config node in the registry cannot be read back (hand-edited, or written by a newer version). */
export class CorruptJobConfigError extends ShardflowError<CoreErrorCode> {
  constructor(reason: string, cause?: unknown) {
    super('CORRUPT_JOB_CONFIG', `The stored job config ${reason}`, { cause });
  }
}
