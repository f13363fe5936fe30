import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { runCli } from '../../src/cli/run-cli.js';

/** Runs one command in this process; returns its exit code and what it printed. */
async function run(...args: string[]): Promise<{ status: number; stdout: string; stderr: string }> {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const status = await runCli(args, { out: (line) => stdout.push(line), err: (line) => stderr.push(line) });
  return { status, stdout: stdout.join('\n'), stderr: stderr.join('\n') };
}

describe('shardflow-services', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it('--version prints the package version', async () => {
    const { version } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
    const result = await run('--version');
    expect(result.stdout.trim()).toBe(version);
    expect(result.status).toBe(0);
  });

  it('names an unknown command and shows the usage, exit code 2', async () => {
    const result = await run('start', 'kafka-only');
    expect(result.stderr).toContain("unknown command 'start kafka-only'");
    expect(result.stderr).toContain('start zookeeper');
    expect(result.status).toBe(2);
  });

  it('shows the expected form of a bad SHARDFLOW_MYSQL_URL before starting anything', async () => {
    vi.stubEnv('SHARDFLOW_MYSQL_URL', 'localhost:3306');
    const result = await run('start');
    expect(result.stderr.trim()).toBe("shardflow-services: SHARDFLOW_MYSQL_URL must be mysql://user:password@host:3306, got 'localhost:3306'");
    expect(result.status).toBe(1);
  });
});
