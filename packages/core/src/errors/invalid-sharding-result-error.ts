import { ShardflowError } from './shardflow-error.js';

/** A (custom) sharding strategy returned a map that leaves an item without owner. */
export class InvalidShardingResultError extends ShardflowError {
  constructor(
    readonly strategy: string,
    readonly item: number,
  ) {
    super('INVALID_SHARDING_RESULT', `Sharding strategy '${strategy}' left item ${item} unassigned`);
  }
}
