import { InvalidJobConfigError, type ConfigProblem } from '../errors/invalid-job-config-error.js';
import { CronSchedule } from '../schedule/cron-schedule.js';
import type { ShardingStrategy } from '../sharding/sharding-strategy.js';
import { findShardingStrategy, registerShardingStrategy, shardingStrategyNames } from '../sharding/sharding-strategy-registry.js';
import type { JobConfig } from './job-config.js';

/** A validated config with every default filled in and every string parsed once. */
export interface ResolvedJobConfig {
  readonly jobName: string;
  readonly cron: string;
  readonly timeZone: string;
  readonly cronSchedule: CronSchedule;
  readonly shardingTotalCount: number;
  readonly shardingItemParameters: ReadonlyMap<number, string>;
  readonly jobParameter: string;
  readonly failover: boolean;
  readonly misfire: boolean;
  readonly streamingProcess: boolean;
  readonly maxBatchesPerTrigger: number | undefined;
  readonly maxTimePerTriggerMs: number | undefined;
  readonly maxConcurrentItems: number;
  readonly itemTimeoutMs: number | undefined;
  readonly jobShardingStrategyType: string;
  readonly jobShardingStrategy: ShardingStrategy;
  readonly disabled: boolean;
  readonly overwrite: boolean;
  readonly description: string;
  readonly shutdownTimeoutMs: number;
}

const KNOWN_FIELDS = new Set<string>([
  'jobName', 'cron', 'timeZone', 'shardingTotalCount', 'shardingItemParameters', 'jobParameter', 'failover', 'misfire',
  'streamingProcess', 'maxBatchesPerTrigger', 'maxTimePerTriggerMs', 'maxConcurrentItems', 'itemTimeoutMs',
  'jobShardingStrategyType', 'disabled', 'overwrite', 'description', 'shutdownTimeoutMs',
]);

const JOB_NAME = /^[A-Za-z0-9_.-]{1,128}$/;

/**
 * Checks a whole config and reports every problem at once, each naming its field, so a
 * misconfigured deployment fails at start with one complete message. A cron must fire after now,
 * except in a `stored` config: that was checked when written, and once its last year has passed
 * it must stay readable so an operator can change it.
 */
export function validateJobConfig(input: JobConfig, { stored = false }: { stored?: boolean } = {}): ResolvedJobConfig {
  const problems: ConfigProblem[] = [];
  const problem = (field: string, value: unknown, message: string): void => {
    problems.push({ field, value, message });
  };
  for (const key of Object.keys(input)) if (!KNOWN_FIELDS.has(key)) problem(key, (input as unknown as Record<string, unknown>)[key], 'is not a job config field');

  if (typeof input.jobName !== 'string' || !JOB_NAME.test(input.jobName)) problem('jobName', input.jobName, 'must be 1-128 characters of A-Z a-z 0-9 _ . -');
  const total = input.shardingTotalCount;
  const totalValid = integerIn(total, 1, 10_000);
  if (!totalValid) problem('shardingTotalCount', total, 'must be an integer from 1 to 10000');

  let cronSchedule: CronSchedule | undefined;
  if (typeof input.cron !== 'string') problem('cron', input.cron, 'is required (a Quartz or Unix cron expression)');
  else {
    try {
      cronSchedule = CronSchedule.parse(input.cron, input.timeZone);
      const now = new Date();
      if (!stored && !cronSchedule.next(now)) problem('cron', input.cron, `never fires after ${now.toISOString()} (in ${cronSchedule.timeZone})`);
    } catch (error) {
      if (!(error instanceof InvalidJobConfigError)) throw error;
      problems.push(...error.problems);
    }
  }

  const shardingItemParameters = parseItemParameters(input.shardingItemParameters, totalValid ? total : undefined, problem);
  optionalInteger(input.maxBatchesPerTrigger, 'maxBatchesPerTrigger', 1, Number.MAX_SAFE_INTEGER, problem);
  optionalInteger(input.maxTimePerTriggerMs, 'maxTimePerTriggerMs', 1, Number.MAX_SAFE_INTEGER, problem);
  optionalInteger(input.maxConcurrentItems, 'maxConcurrentItems', 1, 1000, problem);
  optionalInteger(input.itemTimeoutMs, 'itemTimeoutMs', 1, 2_147_483_647, problem);
  optionalInteger(input.shutdownTimeoutMs, 'shutdownTimeoutMs', 0, 2_147_483_647, problem);
  for (const flag of ['failover', 'misfire', 'streamingProcess', 'disabled', 'overwrite'] as const) {
    if (input[flag] !== undefined && typeof input[flag] !== 'boolean') problem(flag, input[flag], 'must be a boolean');
  }
  for (const text of ['jobParameter', 'description'] as const) {
    if (input[text] !== undefined && typeof input[text] !== 'string') problem(text, input[text], 'must be a string');
  }

  const strategyInput = input.jobShardingStrategyType ?? 'AVG_ALLOCATION';
  let strategy: ShardingStrategy | undefined;
  if (typeof strategyInput === 'string') {
    strategy = findShardingStrategy(strategyInput);
    if (!strategy) problem('jobShardingStrategyType', strategyInput, `must be one of ${shardingStrategyNames().join(', ')} or a registered custom strategy`);
  } else if (typeof strategyInput?.assign === 'function' && typeof strategyInput.name === 'string' && strategyInput.name !== '') {
    registerShardingStrategy(strategyInput);
    strategy = strategyInput;
  } else {
    problem('jobShardingStrategyType', strategyInput, 'must be a strategy name or an object with name and assign()');
  }

  if (problems.length > 0 || !cronSchedule || !strategy) throw new InvalidJobConfigError(problems);
  return {
    jobName: input.jobName,
    cron: input.cron,
    timeZone: cronSchedule.timeZone,
    cronSchedule,
    shardingTotalCount: total,
    shardingItemParameters,
    jobParameter: input.jobParameter ?? '',
    failover: input.failover ?? true,
    misfire: input.misfire ?? true,
    streamingProcess: input.streamingProcess ?? false,
    maxBatchesPerTrigger: input.maxBatchesPerTrigger,
    maxTimePerTriggerMs: input.maxTimePerTriggerMs,
    maxConcurrentItems: input.maxConcurrentItems ?? 4,
    itemTimeoutMs: input.itemTimeoutMs,
    jobShardingStrategyType: strategy.name,
    jobShardingStrategy: strategy,
    disabled: input.disabled ?? false,
    overwrite: input.overwrite ?? false,
    description: input.description ?? '',
    shutdownTimeoutMs: input.shutdownTimeoutMs ?? 10_000,
  };
}

function integerIn(value: unknown, min: number, max: number): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max;
}

function optionalInteger(value: unknown, field: string, min: number, max: number, problem: (field: string, value: unknown, message: string) => void): void {
  if (value !== undefined && !integerIn(value, min, max)) problem(field, value, `must be an integer from ${min} to ${max}`);
}

/** ElasticJob's `0=a,1=b` format (or an object); keys must be distinct items of this job. */
function parseItemParameters(
  value: JobConfig['shardingItemParameters'],
  total: number | undefined,
  problem: (field: string, value: unknown, message: string) => void,
): Map<number, string> {
  const parameters = new Map<number, string>();
  if (value === undefined || value === '') return parameters;
  let pairs: Array<[string, string]>;
  if (typeof value === 'string') {
    pairs = [];
    for (const part of value.split(',')) {
      const equals = part.indexOf('=');
      if (equals < 0) {
        problem('shardingItemParameters', value, `has '${part.trim()}' without '=': use the form 0=a,1=b`);
        return parameters;
      }
      pairs.push([part.slice(0, equals).trim(), part.slice(equals + 1).trim()]);
    }
  } else if (typeof value === 'object' && value !== null) {
    pairs = Object.entries(value).map(([key, parameter]) => [key, parameter]);
  } else {
    problem('shardingItemParameters', value, 'must be a string like 0=a,1=b or an object');
    return parameters;
  }
  for (const [key, parameter] of pairs) {
    const item = /^\d+$/.test(key) ? Number(key) : Number.NaN;
    if (!Number.isInteger(item) || (total !== undefined && item >= total)) {
      problem('shardingItemParameters', value, `has item '${key}' outside 0..${total === undefined ? 'shardingTotalCount' : total - 1}`);
    } else if (parameters.has(item)) {
      problem('shardingItemParameters', value, `gives item ${item} twice`);
    } else if (typeof parameter !== 'string') {
      problem('shardingItemParameters', value, `has a non-string value for item ${item}`);
    } else {
      parameters.set(item, parameter);
    }
  }
  return parameters;
}
