import { describe, expect, it } from 'vitest';
import { checkJobHistoryOptions, InvalidHistoryConfigError, JobHistory, type HistoryDatabase } from '../../src/index.js';

/** Never reached: the options are rejected before anything is written. */
const UNUSED_DATABASE: HistoryDatabase = { dialect: 'mysql', execute: () => Promise.reject(new Error('not used')) };

describe('JobHistory options', () => {
  it.each([
    [{ queueSize: 0 }, 'queueSize'],
    [{ batchSize: 1.5 }, 'batchSize'],
    [{ cleanupBatchSize: -1 }, 'cleanupBatchSize'],
    [{ retryDelayMs: -5 }, 'retryDelayMs'],
    [{ retentionMs: 0 }, 'retentionMs'],
    [{ retentionMs: Number.NaN }, 'retentionMs'],
    [{ cleanupIntervalMs: 0 }, 'cleanupIntervalMs'],
  ])('%j is rejected naming %s, by the check and by the constructor alike', (options, field) => {
    const expected = { code: 'INVALID_HISTORY_CONFIG', field, retriable: false };
    expect(() => checkJobHistoryOptions(options)).toThrow(InvalidHistoryConfigError);
    expect(() => checkJobHistoryOptions(options)).toThrow(expect.objectContaining(expected));
    expect(() => new JobHistory({ ...options, database: UNUSED_DATABASE })).toThrow(expect.objectContaining(expected));
  });

  it('accepts the defaults, explicit valid values, and retentionMs undefined (keep everything)', () => {
    expect(() => checkJobHistoryOptions({})).not.toThrow();
    expect(() => checkJobHistoryOptions({ queueSize: 1, batchSize: 500, cleanupBatchSize: 10, retryDelayMs: 0, retentionMs: 1, cleanupIntervalMs: 1 })).not.toThrow();
    expect(() => checkJobHistoryOptions({ retentionMs: undefined })).not.toThrow();
  });
});
