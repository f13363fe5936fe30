import type { CoreErrorCode } from './core-error-codes.js';
import { ShardflowError } from './shardflow-error.js';

/** An item run exceeded `itemTimeoutMs`; its signal was aborted with this error as the reason. */
export class ItemTimeoutError extends ShardflowError<CoreErrorCode> {
  constructor(
    readonly jobName: string,
    readonly item: number,
    readonly timeoutMs: number,
  ) {
    super('ITEM_TIMEOUT', `Job '${jobName}' item ${item} exceeded itemTimeoutMs=${timeoutMs}`, { retriable: true });
  }
}
