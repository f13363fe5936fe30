import { CorruptJobConfigError } from '../errors/corrupt-job-config-error.js';
import type { JobConfig } from './job-config.js';
import { validateJobConfig, type ResolvedJobConfig } from './validate-job-config.js';

/** Format version of the JSON in /{job}/config, for future migrations. */
const STORED_VERSION = 1;

/** The user-level config again (strategy by name, item parameters as `0=a,1=b`). */
export function toJobConfig(resolved: ResolvedJobConfig): JobConfig {
  return {
    jobName: resolved.jobName,
    cron: resolved.cron,
    timeZone: resolved.timeZone,
    shardingTotalCount: resolved.shardingTotalCount,
    shardingItemParameters: [...resolved.shardingItemParameters].map(([item, parameter]) => `${item}=${parameter}`).join(','),
    jobParameter: resolved.jobParameter,
    failover: resolved.failover,
    misfire: resolved.misfire,
    streamingProcess: resolved.streamingProcess,
    ...(resolved.maxBatchesPerTrigger === undefined ? {} : { maxBatchesPerTrigger: resolved.maxBatchesPerTrigger }),
    ...(resolved.maxTimePerTriggerMs === undefined ? {} : { maxTimePerTriggerMs: resolved.maxTimePerTriggerMs }),
    maxConcurrentItems: resolved.maxConcurrentItems,
    ...(resolved.itemTimeoutMs === undefined ? {} : { itemTimeoutMs: resolved.itemTimeoutMs }),
    jobShardingStrategyType: resolved.jobShardingStrategyType,
    disabled: resolved.disabled,
    overwrite: resolved.overwrite,
    description: resolved.description,
    shutdownTimeoutMs: resolved.shutdownTimeoutMs,
  };
}

export function toStoredJobConfig(resolved: ResolvedJobConfig): string {
  return JSON.stringify({ version: STORED_VERSION, ...toJobConfig(resolved) });
}

export function parseStoredJobConfig(json: string): ResolvedJobConfig {
  let parsed: { version?: unknown } & Record<string, unknown>;
  try {
    parsed = JSON.parse(json) as typeof parsed;
  } catch (error) {
    throw new CorruptJobConfigError(`is not JSON: ${(error as Error).message}`, error);
  }
  if (parsed.version !== STORED_VERSION) throw new CorruptJobConfigError(`has unknown format version ${String(parsed.version)}`);
  const { version: _version, ...config } = parsed;
  try {
    return validateJobConfig(config as unknown as JobConfig, { stored: true });
  } catch (error) {
    throw new CorruptJobConfigError(`does not validate: ${(error as Error).message}`, error);
  }
}
