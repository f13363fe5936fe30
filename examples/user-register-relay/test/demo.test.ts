import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

describe('the one-command demo', () => {
  it('registers users, survives a SIGKILLed relay, and every user gets exactly one coupon and one points grant', async () => {
    const demo = fileURLToPath(new URL('../src/demo.ts', import.meta.url));
    // The global setup exported SHARDFLOW_*: the demo uses those services instead of starting its own.
    const child = spawn(process.execPath, ['--conditions=@shardflow/source', '--import', 'tsx', demo, '--users', '80', '--rate', '20'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(output).toContain('users registered            80');
    expect(output).toContain('users without a coupon      0');
    expect(output).toContain('users without points        0');
    expect(output).toMatch(/failover +item \d+: relay-2 -> relay-\d/);
    expect(output).toMatch(/Console: http:\/\/127\.0\.0\.1:\d+\/#\/job\/user-register-relay /);
    expect(code).toBe(0);
  });
});
