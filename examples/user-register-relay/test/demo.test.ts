import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import mysql, { type RowDataPacket } from 'mysql2/promise';
import { mysqlUrl, pgUrl, testServices } from '@shardflow/testkit';
import { describe, expect, it } from 'vitest';

const demo = fileURLToPath(new URL('../src/demo.ts', import.meta.url));

async function runDemo(args: readonly string[], env: NodeJS.ProcessEnv = process.env): Promise<{ code: number | null; output: string }> {
  const child = spawn(process.execPath, ['--conditions=@shardflow/source', '--import', 'tsx', demo, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  return { code, output };
}

describe('the one-command demo', () => {
  it.each([
    ['MariaDB', 'MySQL', mysqlUrl],
    ['PostgreSQL', 'PostgreSQL', pgUrl],
  ])('on %s: registers users, survives a SIGKILLed relay, and every user gets exactly one coupon and one points grant', async (_name, printed, serverUrl) => {
    // The global setup exported SHARDFLOW_*: the demo uses those services instead of starting its own.
    const { code, output } = await runDemo(['--users', '80', '--rate', '20'], { ...process.env, SHARDFLOW_DATABASE_URL: serverUrl() });
    expect(output).toMatch(new RegExp(`^Database shardflow_demo_\\w+ on ${printed} `, 'm'));
    expect(output).toContain('users registered            80');
    expect(output).toContain('users without a coupon      0');
    expect(output).toContain('users without points        0');
    expect(output).toMatch(/failover +item \d+: relay-2 -> relay-\d/);
    expect(output).toMatch(/relay runs recorded +[1-9]\d* \(\d+ failover\), in the execution history/);
    expect(output).toMatch(/Console: http:\/\/127\.0\.0\.1:\d+\/#\/job\/user-register-relay /);
    expect(code).toBe(0);
  });

  it('drops the database it created when it fails', async () => {
    // A Kafka cluster nobody listens on: the consumers cannot start, after the database exists.
    const { code, output } = await runDemo(['--users', '10'], { ...process.env, SHARDFLOW_KAFKA: 'cluster_a=127.0.0.1:1' });
    expect(code).toBe(1);
    const database = /^Database (shardflow_demo_\w+) /m.exec(output)?.[1];
    expect(database, output).toBeDefined();
    const connection = await mysql.createConnection({ uri: testServices().mysqlUrl });
    try {
      const [rows] = await connection.query<RowDataPacket[]>('SELECT SCHEMA_NAME FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?', [database]);
      expect(rows).toEqual([]);
    } finally {
      await connection.end();
    }
  });

  it('names the bad value of an option', async () => {
    const { code, output } = await runDemo(['--users', 'many']);
    expect(code).toBe(1);
    expect(output).toContain("--users must be a positive number, got 'many'");
  });
});
