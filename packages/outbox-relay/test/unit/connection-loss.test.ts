import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { isConnectionLoss, retryOnConnectionLoss } from '../../src/store/connection-loss.js';

const lost = Object.assign(new Error('Connection lost: The server closed the connection.'), { code: 'PROTOCOL_CONNECTION_LOST', fatal: true });
const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:3306'), { code: 'ECONNREFUSED', fatal: true });
const syntax = Object.assign(new Error('You have an error in your SQL syntax'), { code: 'ER_PARSE_ERROR', errno: 1064 });

describe('retryOnConnectionLoss', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('runs the operation again after a lost connection and returns what the retry returns', async () => {
    const operation = vi.fn<() => Promise<string>>().mockRejectedValueOnce(lost).mockRejectedValueOnce(lost).mockResolvedValue('checked');
    const result = retryOnConnectionLoss(operation, 4, 100);
    await vi.runAllTimersAsync();
    await expect(result).resolves.toBe('checked');
    expect(operation).toHaveBeenCalledTimes(3);
  });

  it('throws the last loss once the attempts are used up', async () => {
    const operation = vi.fn<() => Promise<string>>().mockRejectedValue(lost);
    const result = retryOnConnectionLoss(operation, 3, 100);
    const settled = expect(result).rejects.toBe(lost);
    await vi.runAllTimersAsync();
    await settled;
    expect(operation).toHaveBeenCalledTimes(3);
  });

  it('throws a refused address or a statement error at once, without a retry', async () => {
    for (const error of [refused, syntax]) {
      const operation = vi.fn<() => Promise<string>>().mockRejectedValue(error);
      await expect(retryOnConnectionLoss(operation)).rejects.toBe(error);
      expect(operation).toHaveBeenCalledTimes(1);
    }
  });
});

describe('isConnectionLoss', () => {
  it.each([
    ['mysql2 socket closed', lost, true],
    ['MariaDB ER_CONNECTION_KILLED', { errno: 1927, code: 'ER_CONNECTION_KILLED' }, true],
    ['PostgreSQL admin_shutdown', { code: '57P01' }, true],
    ['PostgreSQL connection_failure', { code: '08006' }, true],
    ['pg client terminated', new Error('Connection terminated unexpectedly'), true],
    ['refused address', refused, false],
    ['SQL syntax', syntax, false],
    ['PostgreSQL undefined_table', { code: '42P01' }, false],
    ['not an object', 'PROTOCOL_CONNECTION_LOST', false],
    ['null', null, false],
  ])('%s -> %s', (_name, error, expected) => {
    expect(isConnectionLoss(error)).toBe(expected);
  });
});
