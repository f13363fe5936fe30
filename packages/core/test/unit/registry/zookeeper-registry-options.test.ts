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
  ])('rejects a bad %s with a typed error naming it', (field, change) => {
    const attempt = (): ZookeeperRegistry => new ZookeeperRegistry({ ...valid, ...change });
    expect(attempt).toThrow(InvalidRegistryConfigError);
    expect(attempt).toThrow(expect.objectContaining({ field, code: 'INVALID_REGISTRY_CONFIG' }));
  });

  it('accepts a multi-host connect string, a digest and a close wait', () => {
    expect(() => new ZookeeperRegistry({ ...valid, connectString: 'a:1,b:2', digest: 'u:p', closeWaitMs: 0 })).not.toThrow();
  });
});
