import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { runDeadRowsCli } from '../../src/cli/dead-rows-cli.js';
import { TEST_DATABASES, type AnyTestDb } from './outbox-fixture.js';

const cliMain = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));

async function run(...argv: string[]): Promise<{ code: number; out: string[]; err: string[] }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runDeadRowsCli(argv, { out: (line) => out.push(line), err: (line) => err.push(line) });
  return { code, out, err };
}

describe.each(TEST_DATABASES)('shardflow-outbox dead list|count|replay against real $name', ({ open }) => {
  let db: AnyTestDb;
  let url: string;
  beforeAll(async () => {
    db = await open('deadcli');
    url = db.url;
    await db.migrate({ columns: { state: 'mq_state' } }, 'export_001');
  });
  afterAll(async () => {
    await db.close();
  });
  beforeEach(async () => {
    await db.query('DELETE FROM export_001');
    // ids 1-6: dead rows over two clusters and keys, one created yesterday; id 7 pending, id 8 sent.
    // One statement for both servers: CURRENT_TIMESTAMP and INTERVAL '1' DAY mean the same on each.
    await db.query(`INSERT INTO export_001 (id, account_no, mq_state, topic_name, cluster_name, payload, retry_count, last_error, create_time) VALUES
      (1, 'u1', 2, 'register', 'cluster_a', 'x', 5, 'BROKER_UNAVAILABLE: down', CURRENT_TIMESTAMP),
      (2, 'u2', 2, 'register', 'cluster_a', 'x', 5, 'BROKER_UNAVAILABLE: down', CURRENT_TIMESTAMP),
      (3, 'u1', 2, 'points', 'cluster_b', 'x', 0, 'MESSAGE_TOO_LARGE: big', CURRENT_TIMESTAMP),
      (4, 'u3', 2, 'points', 'cluster_b', 'x', 0, 'MESSAGE_TOO_LARGE: big', CURRENT_TIMESTAMP),
      (5, 'u4', 2, 'register', 'cluster_a', 'x', 5, 'BROKER_UNAVAILABLE: down', CURRENT_TIMESTAMP),
      (6, 'u5', 2, 'register', 'cluster_b', 'x', 1, 'TOPIC_NOT_FOUND: gone', CURRENT_TIMESTAMP - INTERVAL '1' DAY),
      (7, 'u6', 0, 'register', 'cluster_a', 'x', 0, NULL, CURRENT_TIMESTAMP),
      (8, 'u7', 1, 'register', 'cluster_a', 'x', 0, NULL, CURRENT_TIMESTAMP)`);
  });

  const table = ['--table', 'export_001', '--column', 'state=mq_state'];

  it('counts and lists dead rows by filter, never other states', async () => {
    expect((await run('dead', 'count', '--db', url, ...table)).out).toEqual(['6']);
    expect((await run('dead', 'count', '--db', url, ...table, '--cluster', 'cluster_a', '--topic', 'register')).out).toEqual(['3']);
    const listed = await run('dead', 'list', '--db', url, ...table, '--key', 'u1', '--json');
    expect(listed.code).toBe(0);
    expect(listed.out.map((line) => JSON.parse(line) as { id: number; lastError: string })).toMatchObject([
      { id: 1, lastError: 'BROKER_UNAVAILABLE: down' }, { id: 3, lastError: 'MESSAGE_TOO_LARGE: big' },
    ]);
    const text = await run('dead', 'list', '--db', url, ...table, '--limit', '2');
    expect(text.out[0]).toMatch(/^id\s+db\s+table\s+cluster\s+topic\s+key\s+retries\s+created\s+last_error$/);
    expect(text.out.slice(1, 3).map((line) => line.split(/\s+/)[0])).toEqual(['1', '2']);
    expect(text.out.at(-1)).toBe('2 dead rows');
  });

  it('replays by ids and by creation time, back to pending with a fresh retry budget; others stay dead', async () => {
    expect((await run('dead', 'replay', '--db', url, ...table, '--id', '1,2', '--id', '8')).out).toEqual(['replayed 2 dead rows']);
    const yesterday = new Date(Date.now() - 36 * 3600_000).toISOString();
    const hourAgo = new Date(Date.now() - 3600_000).toISOString();
    expect((await run('dead', 'replay', '--db', url, ...table, '--from', yesterday, '--to', hourAgo)).out).toEqual(['replayed 1 dead rows']);
    const rows = await db.query('SELECT id, mq_state, retry_count, last_error FROM export_001 ORDER BY id');
    expect(rows.map((row) => [Number(row['id']), row['mq_state'], row['retry_count'], row['last_error']])).toEqual([
      [1, 0, 0, null], [2, 0, 0, null], [3, 2, 0, 'MESSAGE_TOO_LARGE: big'], [4, 2, 0, 'MESSAGE_TOO_LARGE: big'],
      [5, 2, 5, 'BROKER_UNAVAILABLE: down'], [6, 0, 0, null], [7, 0, 0, null], [8, 1, 0, null],
    ]);
  });

  it.each([
    [['dead', 'replay', '--db', 'URL'], '--all'],
    [['dead', 'count'], '--db'],
    [['dead', 'count', '--db', 'redis://h/db'], '--db'],
    [['dead', 'count', '--db', 'postgres://h/db', '--db', 'mysql://h/db'], '--db'],
    [['dead', 'list', '--db', 'URL', '--limit', '0'], '--limit'],
    [['dead', 'list', '--db', 'URL', '--from', 'yesterday'], '--from'],
    [['dead', 'list', '--db', 'URL', '--id', '1,x'], '--id'],
    [['dead', 'list', '--db', 'URL', '--column', 'colour=red'], '--column'],
    [['dead', 'list', '--db', 'URL', '--column', 'state=bad name'], 'columns.state'],
    [['dead', 'list', '--db', 'URL', '--state', 'dead=0'], 'states'],
    [['dead', 'purge', '--db', 'URL'], 'command'],
    [['dead', 'list', '--db', 'URL', '--colour'], 'arguments'],
  ])('%j is a usage error naming %s, exit code 2, nothing touched', async (argv, field) => {
    const result = await run(...argv.map((arg) => (arg === 'URL' ? url : arg)), ...(argv.includes('--column') ? [] : table));
    expect(result.code).toBe(2);
    expect(result.err.join('\n')).toContain(`option ${field}`);
    expect((await run('dead', 'count', '--db', url, ...table)).out).toEqual(['6']);
  });

  it('--help prints the usage and exits 0', async () => {
    const help = await run('dead', '--help');
    expect(help.code).toBe(0);
    expect(help.out.join('\n')).toMatch(/^Usage: shardflow-outbox dead <list\|count\|replay>/);
  });

  it('runs as a command: exit code and output of the real process', async () => {
    const child = spawn(process.execPath, ['--conditions=@shardflow/source', '--import', 'tsx', cliMain, 'dead', 'count', '--db', url, ...table, '--cluster', 'cluster_b']);
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect({ code, out }).toEqual({ code: 0, out: '3\n' });
  });
});
