import { describe, expect, it } from 'vitest';
import { runDeadRowsCli } from '../../src/cli/dead-rows-cli.js';

// Nothing listens on port 1: a command that got past its flags would fail to connect (exit 1).
const unreachable = ['--db', 'mysql://root@127.0.0.1:1/outbox'];

async function run(...argv: string[]): Promise<{ code: number; err: string }> {
  const err: string[] = [];
  const code = await runDeadRowsCli(argv, { out: () => undefined, err: (line) => err.push(line) });
  return { code, err: err.join('\n') };
}

describe('shardflow-outbox dead: every numeric flag is checked before any connection', () => {
  it.each([
    [['list', '--limit', '99999999999999999999'], '--limit'],
    [['list', '--limit', '1e3'], '--limit'],
    [['list', '--limit', '0x10'], '--limit'],
    [['list', '--limit', '1000001'], '--limit'],
    [['list', '--limit=-5'], '--limit'],
    [['list', '--id', '99999999999999999999'], '--id'],
    [['replay', '--id', '7,1e3'], '--id'],
    [['count', '--id', '0'], '--id'],
    [['count', '--state', 'dead=1e3'], '--state'],
    [['count', '--state', 'dead=200'], '--state'],
    [['count', '--state', 'dead=9999999999999999999999'], '--state'],
  ])('dead %j: exit 2 naming %s', async (args, flag) => {
    const [action, ...flags] = args as [string, ...string[]];
    const result = await run('dead', action, ...unreachable, ...flags);
    expect(result).toMatchObject({ code: 2 });
    expect(result.err).toContain(`Invalid outbox option ${flag}:`);
  });

  it('the same command with sound numbers gets as far as connecting (exit 1), so exit 2 above came from the flags', async () => {
    const result = await run('dead', 'list', ...unreachable, '--limit', '1000000', '--id', '9007199254740991', '--state', 'dead=-128');
    expect(result.code).toBe(1);
    expect(result.err).toMatch(/^shardflow-outbox: .*ECONNREFUSED/);
  });
});
