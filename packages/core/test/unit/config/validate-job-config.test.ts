import { describe, expect, it } from 'vitest';
import { InvalidJobConfigError, validateJobConfig, type JobConfig } from '../../../src/index.js';
import { parseStoredJobConfig, toStoredJobConfig } from '../../../src/config/stored-job-config.js';

const base: JobConfig = { jobName: 'user-send-mq', cron: '0/10 * * * * ?', shardingTotalCount: 4 };

function problemFields(config: unknown): string[] {
  try {
    validateJobConfig(config as JobConfig);
  } catch (error) {
    if (error instanceof InvalidJobConfigError) return error.problems.map((problem) => problem.field);
    throw error;
  }
  return [];
}

describe('validateJobConfig', () => {
  it('fills ElasticJob-like defaults', () => {
    const resolved = validateJobConfig({ ...base, timeZone: 'UTC' });
    expect(resolved).toMatchObject({
      failover: true, misfire: true, streamingProcess: false, maxConcurrentItems: 4, jobParameter: '',
      jobShardingStrategyType: 'AVG_ALLOCATION', disabled: false, overwrite: false, shutdownTimeoutMs: 10_000, timeZone: 'UTC',
    });
    expect(resolved.maxBatchesPerTrigger).toBeUndefined();
  });

  it('parses item parameters in both forms', () => {
    expect([...validateJobConfig({ ...base, shardingItemParameters: '0=a, 1=b,3=d=e' }).shardingItemParameters]).toEqual([[0, 'a'], [1, 'b'], [3, 'd=e']]);
    expect([...validateJobConfig({ ...base, shardingItemParameters: { 2: 'c' } }).shardingItemParameters]).toEqual([[2, 'c']]);
  });

  it.each([
    [{ shardingTotalCount: 0 }, 'shardingTotalCount'],
    [{ shardingTotalCount: 2.5 }, 'shardingTotalCount'],
    [{ cron: '0 0 25 * * ?' }, 'cron'],
    [{ timeZone: 'Nowhere/City' }, 'timeZone'],
    [{ jobName: 'has space' }, 'jobName'],
    [{ shardingItemParameters: '4=x' }, 'shardingItemParameters'],
    [{ shardingItemParameters: '0=a,0=b' }, 'shardingItemParameters'],
    [{ shardingItemParameters: 'a' }, 'shardingItemParameters'],
    [{ shardingItemParameters: '-1=x' }, 'shardingItemParameters'],
    [{ maxConcurrentItems: 0 }, 'maxConcurrentItems'],
    [{ itemTimeoutMs: -5 }, 'itemTimeoutMs'],
    [{ jobShardingStrategyType: 'RANDOM' }, 'jobShardingStrategyType'],
    [{ failover: 'yes' }, 'failover'],
    [{ shardingTotalcount: 4 }, 'shardingTotalcount'],
  ])('rejects %j naming the field', (patch, field) => {
    expect(problemFields({ ...base, ...patch })).toContain(field);
  });

  it.each(['0 0 0 1 1 ? 2020', '0 0 0 30 2 ?'])('rejects the cron %j that never fires again, naming the field and repeating the value', (cron) => {
    expect(() => validateJobConfig({ ...base, cron, timeZone: 'UTC' })).toThrow(
      expect.objectContaining({
        code: 'INVALID_JOB_CONFIG',
        problems: [expect.objectContaining({ field: 'cron', value: cron, message: expect.stringMatching(/^never fires after .* \(in UTC\)$/) })],
      }),
    );
  });

  it('still reads a stored config whose cron has outlived its years, so an operator can change it', () => {
    const stored = JSON.stringify({ version: 1, ...base, cron: '0 0 0 1 1 ? 2020' });
    expect(parseStoredJobConfig(stored).cronSchedule.next(new Date())).toBeUndefined();
  });

  it('reports every problem at once, the first as `field`', () => {
    try {
      validateJobConfig({ jobName: 'x', cron: 'nope', shardingTotalCount: -1, maxConcurrentItems: 0 });
      expect.unreachable();
    } catch (error) {
      const invalid = error as InvalidJobConfigError;
      expect(invalid.problems.map((problem) => problem.field).sort()).toEqual(['cron', 'maxConcurrentItems', 'shardingTotalCount']);
      expect(invalid.message).toMatch(/shardingTotalCount must be an integer from 1 to 10000/);
    }
  });

  it('accepts a custom strategy object and registers it by name', () => {
    const strategy = { name: 'ALL_ON_FIRST', assign: ({ instances, shardingTotalCount }: { instances: readonly string[]; shardingTotalCount: number }) => new Map(instances.map((instance, index) => [instance, index === 0 ? Array.from({ length: shardingTotalCount }, (_, i) => i) : []])) };
    expect(validateJobConfig({ ...base, jobShardingStrategyType: strategy }).jobShardingStrategy).toBe(strategy);
    expect(validateJobConfig({ ...base, jobShardingStrategyType: 'ALL_ON_FIRST' }).jobShardingStrategy).toBe(strategy);
  });

  it('round-trips through the stored JSON form', () => {
    const resolved = validateJobConfig({ ...base, timeZone: 'Asia/Shanghai', shardingItemParameters: '0=a,1=b', streamingProcess: true, maxBatchesPerTrigger: 10 });
    const again = parseStoredJobConfig(toStoredJobConfig(resolved));
    expect({ ...again, cronSchedule: undefined, jobShardingStrategy: undefined }).toEqual({ ...resolved, cronSchedule: undefined, jobShardingStrategy: undefined });
  });

  it('rejects a corrupt stored config with a typed error', () => {
    expect(() => parseStoredJobConfig('{not json')).toThrow(expect.objectContaining({ code: 'CORRUPT_JOB_CONFIG' }));
    expect(() => parseStoredJobConfig(JSON.stringify({ version: 99 }))).toThrow(expect.objectContaining({ code: 'CORRUPT_JOB_CONFIG' }));
  });
});
