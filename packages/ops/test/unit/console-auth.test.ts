import { describe, expect, it } from 'vitest';
import { consoleAuthFromEnv } from '../../src/index.js';
import { isAuthorized, isLoopback } from '../../src/console/console-auth.js';

const basic = (user: string, password: string): string => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

describe('console authentication', () => {
  it('takes the secret from the environment only: a token, else a user and a password', () => {
    expect(consoleAuthFromEnv({ SHARDFLOW_CONSOLE_TOKEN: 't', SHARDFLOW_CONSOLE_USER: 'u', SHARDFLOW_CONSOLE_PASSWORD: 'p' })).toEqual({ token: 't' });
    expect(consoleAuthFromEnv({ SHARDFLOW_CONSOLE_USER: 'u', SHARDFLOW_CONSOLE_PASSWORD: 'p' })).toEqual({ user: 'u', password: 'p' });
    expect(consoleAuthFromEnv({ SHARDFLOW_CONSOLE_USER: 'u' })).toBeUndefined();
  });

  it('a token is accepted as bearer or as a basic password, nothing else', () => {
    const auth = { token: 'tok-123' };
    expect(isAuthorized('Bearer tok-123', auth)).toBe(true);
    expect(isAuthorized(basic('anyone', 'tok-123'), auth)).toBe(true);
    expect(isAuthorized('Bearer tok-124', auth)).toBe(false);
    expect(isAuthorized('Bearer tok-1234', auth)).toBe(false);
    expect(isAuthorized(basic('tok-123', 'x'), auth)).toBe(false);
    expect(isAuthorized(undefined, auth)).toBe(false);
  });

  it('a user and password need both to match', () => {
    const auth = { user: 'ops', password: 'pw:with:colons' };
    expect(isAuthorized(basic('ops', 'pw:with:colons'), auth)).toBe(true);
    expect(isAuthorized(basic('ops', 'pw'), auth)).toBe(false);
    expect(isAuthorized(basic('root', 'pw:with:colons'), auth)).toBe(false);
    expect(isAuthorized('Bearer pw:with:colons', auth)).toBe(false);
  });

  it('loopback means 127.0.0.0/8, ::1 and localhost', () => {
    expect(['127.0.0.1', '127.1.2.3', '::1', 'localhost'].map(isLoopback)).toEqual([true, true, true, true]);
    expect(['0.0.0.0', '10.0.0.5', '::', 'example.com'].map(isLoopback)).toEqual([false, false, false, false]);
  });
});
