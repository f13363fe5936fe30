import type { CoreErrorCode } from './core-error-codes.js';
import { ShardflowError } from './shardflow-error.js';

/** The registry holds no config for the job an operation named. */
export class JobNotFoundError extends ShardflowError<CoreErrorCode> {
  constructor(readonly jobName: string) {
    super('JOB_NOT_FOUND', `No job named '${jobName}' is registered`);
  }
}
