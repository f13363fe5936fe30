import { describe, expect, it } from 'vitest';
import { resolveConnection } from '../../src/index.js';

const files: Record<string, string> = {
  '/etc/shardflow.json': JSON.stringify({ zk: 'zk1:2181', namespace: 'prod', db: ['mysql://relay@db1:3306/orders'], dbPasswordFile: '/run/secrets/db', relayJob: 'relay', partitions: 256 }),
  '/run/secrets/db': 'p@ss:word\n',
  '/etc/bad.json': JSON.stringify({ zookeeper: 'zk1:2181' }),
};
const read = (path: string): string => {
  const text = files[path];
  if (text === undefined) throw new Error(`ENOENT: ${path}`);
  return text;
};

describe('resolveConnection', () => {
  it('reads a config file; the password file fills the URL, encoded', () => {
    const settings = resolveConnection({ config: '/etc/shardflow.json' }, {}, read);
    expect(settings.zookeeper).toEqual({ connectString: 'zk1:2181', namespace: 'prod', digest: undefined });
    expect(settings.outbox?.urls).toEqual(['mysql://relay:p%40ss%3Aword@db1:3306/orders']);
    expect(settings.outbox?.partitioning).toEqual({ mode: 'virtual-partition', partitions: 256 });
    expect(settings.outbox?.relayJob).toBe('relay');
  });

  it('flags win over the environment, which wins over the file', () => {
    const env = { SHARDFLOW_CONFIG: '/etc/shardflow.json', SHARDFLOW_NAMESPACE: 'staging', SHARDFLOW_ZK: 'zk2:2181', SHARDFLOW_DB: 'mysql://a@h1:3306/x mysql://a@h2:3306/x', SHARDFLOW_DB_PASSWORD: 'env-pw' };
    const settings = resolveConnection({ namespace: 'dev' }, env, read);
    expect(settings.zookeeper).toMatchObject({ connectString: 'zk2:2181', namespace: 'dev' });
    expect(settings.outbox?.urls).toEqual(['mysql://a:env-pw@h1:3306/x', 'mysql://a:env-pw@h2:3306/x']);
    expect(resolveConnection({ 'db-password-file': '/run/secrets/db' }, env, read).outbox?.urls[0]).toBe('mysql://a:p%40ss%3Aword@h1:3306/x');
  });

  it('a URL that carries its own password keeps it', () => {
    expect(resolveConnection({ db: ['mysql://a:inline@h:3306/x'] }, { SHARDFLOW_DB_PASSWORD: 'other' }, read).outbox?.urls).toEqual(['mysql://a:inline@h:3306/x']);
  });

  it('takes postgres:// (and postgresql://) URLs, with the password from the environment, and names the dialect', () => {
    const settings = resolveConnection({}, { SHARDFLOW_DB: 'postgres://ops@pg1:5432/jobs', SHARDFLOW_DB_PASSWORD: 'p@ss' }, read);
    expect(settings.outbox).toMatchObject({ dialect: 'postgres', urls: ['postgres://ops:p%40ss@pg1:5432/jobs'] });
    expect(resolveConnection({ db: ['postgresql://ops@pg1/jobs'] }, {}, read).outbox?.dialect).toBe('postgres');
    expect(resolveConnection({ db: ['mysql://ops@db1/jobs'] }, {}, read).outbox?.dialect).toBe('mysql');
  });

  it.each([
    [{ zk: 'zk1' }, {}, '--zk'],
    [{ zk: 'zk1:2181' }, {}, '--namespace'],
    [{ db: ['redis://h/x'] }, {}, '--db'],
    [{ db: ['postgres://h:5432/'] }, {}, '--db'],
    [{ db: ['mysql://h:3306/x', 'postgres://h:5432/x'] }, {}, '--db'],
    [{ db: ['mysql://h:3306/'] }, {}, '--db'],
    [{ db: ['mysql://h:3306/x'], partitioning: 'hash' }, {}, '--partitioning'],
    [{ db: ['mysql://h:3306/x'], partitions: '0' }, {}, '--partitions'],
    [{ db: ['mysql://h:3306/x'], tables: 'a,b', partitioning: 'id-mod' }, {}, '--partitioning'],
    [{ db: ['mysql://h:3306/x'], 'db-password-file': '/nope' }, {}, '--db-password-file'],
    [{ config: '/etc/bad.json' }, {}, '--config'],
    [{ config: '/missing.json' }, {}, '--config'],
  ])('%j is rejected naming %s', (flags, env, field) => {
    expect(() => resolveConnection(flags, env, read)).toThrow(expect.objectContaining({ field }) as Error);
  });
});
