import type { CoreErrorCode } from './core-error-codes.js';
import { ShardflowError } from './shardflow-error.js';

/** The item is no longer this instance's to run (reassigned, newer epoch, or the registry connection is unhealthy). */
export class ItemFencedError extends ShardflowError<CoreErrorCode> {
  constructor(
    readonly jobName: string,
    readonly item: number,
    readonly epoch: number,
    readonly reason: string,
  ) {
    super('ITEM_FENCED', `Job '${jobName}' item ${item} (epoch ${epoch}) is fenced: ${reason}`);
  }
}
