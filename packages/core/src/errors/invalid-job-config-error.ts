import type { CoreErrorCode } from './core-error-codes.js';
import { ShardflowError } from './shardflow-error.js';

export interface ConfigProblem {
  /** The config field at fault, e.g. `cron` or `shardingItemParameters`. */
  readonly field: string;
  readonly value: unknown;
  /** What is wrong and what is allowed. */
  readonly message: string;
}

/** A job config was rejected. Lists every problem; `field` is the first one's field. */
export class InvalidJobConfigError extends ShardflowError<CoreErrorCode> {
  readonly field: string;
  readonly value: unknown;

  constructor(readonly problems: readonly ConfigProblem[]) {
    const first = problems[0] ?? { field: 'config', value: undefined, message: 'is invalid' };
    super('INVALID_JOB_CONFIG', `Invalid job config: ${problems.map((problem) => `${problem.field} ${problem.message}`).join('; ')}`);
    this.field = first.field;
    this.value = first.value;
  }
}
