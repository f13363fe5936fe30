import { ShardflowError } from '@shardflow/core';

/** A job's nodes cannot be removed while instances of it are registered: they would re-create them. */
export class JobHasInstancesError extends ShardflowError {
  constructor(
    readonly jobName: string,
    readonly instances: readonly string[],
  ) {
    super('JOB_HAS_INSTANCES', `Job '${jobName}' still has ${instances.length} running instance(s) (${instances.join(', ')}): shut them down before removing the job`, { retriable: true });
  }
}
