import type { CoreErrorCode } from './core-error-codes.js';
import { ShardflowError } from './shardflow-error.js';

/** A scheduler method was called in a state that does not allow it (start twice, start after shutdown). */
export class SchedulerStateError extends ShardflowError<CoreErrorCode> {
  constructor(message: string) {
    super('SCHEDULER_STATE', message);
  }
}
