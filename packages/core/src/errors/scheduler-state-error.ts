import { ShardflowError } from './shardflow-error.js';

/** A scheduler method was called in a state that does not allow it (start twice, start after shutdown). */
export class SchedulerStateError extends ShardflowError {
  constructor(message: string) {
    super('SCHEDULER_STATE', message);
  }
}
