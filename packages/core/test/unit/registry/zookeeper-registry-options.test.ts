import { describe, expect, it } from 'vitest';
import { InvalidRegistryConfigError, ZookeeperRegistry, type ZookeeperRegistryOptions } from '../../../src/index.js';

describe('ZookeeperRegistry options', () => {
  const valid: ZookeeperRegistryOptions = { connectString: '127.0.0.1:2181', namespace: 'shop' };

  it.each<[string, Partial<ZookeeperRegistryOptions>]>([
    ['connectString', { connectString: 'localhost' }],
    ['connectString', { connectString: 'a:1, b:2' }],
    ['namespace', { namespace: 'has/slash' }],
    ['namespace', { namespace: '' }],
    ['digest', { digest: 'no-colon' }],
    ['closeWaitMs', { closeWaitMs: -1 }],
    ['closeWaitMs', { closeWaitMs: Number.NaN }],
    ['sessionTimeoutMs', { sessionTimeoutMs: -5 }],
    ['sessionTimeoutMs', { sessionTimeoutMs: 'abc' as unknown as number }],
    ['sessionTimeoutMs', { sessionTimeoutMs: 2.5 }],
    ['connectionTimeoutMs', { connectionTimeoutMs: 0 }],
    ['retry.attempts', { retry: { attempts: 0 } }],
    ['retry.maxDelayMs', { retry: { baseDelayMs: 500, maxDelayMs: 100 } }],
    ['retry.atempts', { retry: { atempts: 3 } as ZookeeperRegistryOptions['retry'] }],
    ['sessionTimeout', { sessionTimeout: 5_000 } as Partial<ZookeeperRegistryOptions>],
  ])('rejects a bad %s with a typed error naming it', (field, change) => {
    const attempt = (): ZookeeperRegistry => new ZookeeperRegistry({ ...valid, ...change });
    expect(attempt).toThrow(InvalidRegistryConfigError);
    expect(attempt).toThrow(expect.objectContaining({ field, code: 'INVALID_REGISTRY_CONFIG' }));
  });

  it('repeats the bad value in the message, never the digest', () => {
    expect(() => new ZookeeperRegistry({ ...valid, sessionTimeoutMs: -5 })).toThrow('Invalid registry option sessionTimeoutMs = -5: must be an integer from 1000 to 3600000');
    expect(() => new ZookeeperRegistry({ ...valid, digest: 'secret-without-colon' })).toThrow(/digest = "\*\*\*"/);
    expect(() => new ZookeeperRegistry({ ...valid, digest: 'secret-without-colon' })).not.toThrow(/secret-without-colon/);
  });

  it('accepts a multi-host connect string, a digest and a close wait', () => {
    expect(() => new ZookeeperRegistry({ ...valid, connectString: 'a:1,b:2', digest: 'u:p', closeWaitMs: 0 })).not.toThrow();
  });
});
