import type { CoreErrorCode } from './core-error-codes.js';
import { ShardflowError } from './shardflow-error.js';

/** Another live scheduler already registered this instance id for the job. */
export class DuplicateInstanceError extends ShardflowError<CoreErrorCode> {
  constructor(
    readonly jobName: string,
    readonly instanceId: string,
  ) {
    super('DUPLICATE_INSTANCE_ID', `Instance id '${instanceId}' is already registered for job '${jobName}'`);
  }
}
