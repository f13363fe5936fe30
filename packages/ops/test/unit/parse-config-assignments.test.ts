import { describe, expect, it } from 'vitest';
import { InvalidJobConfigError, validateJobConfig } from '@shardflow/core';
import { InvalidOpsArgumentError, parseConfigAssignments } from '../../src/index.js';

describe('parseConfigAssignments', () => {
  it('converts digits and booleans for their fields and keeps other text as typed', () => {
    expect(parseConfigAssignments(['cron=0 */5 * * * ?', 'shardingTotalCount=8', 'disabled=true', 'jobParameter=a=b', 'description= spaced '])).toEqual({
      cron: '0 */5 * * * ?', shardingTotalCount: 8, disabled: true, jobParameter: 'a=b', description: ' spaced ',
    });
  });

  it('leaves a bad number or boolean as text, so core rejects it naming the field', () => {
    const patch = parseConfigAssignments(['shardingTotalCount=many', 'failover=yes']);
    expect(patch).toEqual({ shardingTotalCount: 'many', failover: 'yes' });
    expect(() => validateJobConfig({ jobName: 'j', cron: '0 * * * * ?', shardingTotalCount: 1, ...patch })).toThrow(InvalidJobConfigError);
    expect(() => validateJobConfig({ jobName: 'j', cron: '0 * * * * ?', shardingTotalCount: 1, ...patch })).toThrow(expect.objectContaining({
      problems: [expect.objectContaining({ field: 'shardingTotalCount' }), expect.objectContaining({ field: 'failover' })],
    }) as Error);
  });

  it.each([
    [['cron'], 'config'],
    [['=5'], 'config'],
    [['jobName=other'], 'jobName'],
    [['cron=* * * * *', 'cron=0 * * * *'], 'cron'],
  ])('rejects %j naming %s', (assignments, field) => {
    expect(() => parseConfigAssignments(assignments)).toThrow(InvalidOpsArgumentError);
    expect(() => parseConfigAssignments(assignments)).toThrow(expect.objectContaining({ field }) as Error);
  });
});
