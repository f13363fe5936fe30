import { ShardflowError } from '@shardflow/core';

/** A metrics option was rejected; `field` names it. */
export class InvalidMetricsConfigError extends ShardflowError {
  constructor(
    readonly field: string,
    readonly value: unknown,
    reason: string,
  ) {
    super('INVALID_METRICS_CONFIG', `Invalid metrics option ${field}: ${reason} (got ${JSON.stringify(value)})`);
  }
}
