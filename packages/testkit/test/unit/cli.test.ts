import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const cli = fileURLToPath(new URL('../../src/cli.ts', import.meta.url));
const run = (...args: string[]) => spawnSync(process.execPath, ['--conditions=@shardflow/source', '--import', 'tsx', cli, ...args], { encoding: 'utf8' });

// Each test starts a Node process through tsx: on a busy machine that takes seconds.
describe('shardflow-services', { timeout: 60_000 }, () => {
  it('--version prints the package version', () => {
    const { version } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
    const result = run('--version');
    expect(result.stdout.trim()).toBe(version);
    expect(result.status).toBe(0);
  });

  it('names an unknown command and shows the usage, exit code 2', () => {
    const result = run('start', 'kafka-only');
    expect(result.stderr).toContain("unknown command 'start kafka-only'");
    expect(result.stderr).toContain('start zookeeper');
    expect(result.status).toBe(2);
  });

  it('shows the expected form of a bad SHARDFLOW_MYSQL_URL before starting anything', () => {
    const result = spawnSync(process.execPath, ['--conditions=@shardflow/source', '--import', 'tsx', cli, 'start'], {
      encoding: 'utf8',
      env: { ...process.env, SHARDFLOW_MYSQL_URL: 'localhost:3306' },
    });
    expect(result.stderr.trim()).toBe("shardflow-services: SHARDFLOW_MYSQL_URL must be mysql://user:password@host:3306, got 'localhost:3306'");
    expect(result.status).toBe(1);
  });
});
