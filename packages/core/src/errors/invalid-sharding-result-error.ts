import type { CoreErrorCode } from './core-error-codes.js';
import { ShardflowError } from './shardflow-error.js';

/** A (custom) sharding strategy returned a map that leaves an item without owner. */
export class InvalidShardingResultError extends ShardflowError<CoreErrorCode> {
  constructor(
    readonly strategy: string,
    readonly item: number,
  ) {
    super('INVALID_SHARDING_RESULT', `Sharding strategy '${strategy}' left item ${item} unassigned`);
  }
}
