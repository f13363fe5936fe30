import { afterEach, describe, expect, it } from 'vitest';
import { createTestDatabase, TestkitError } from '../../src/index.js';
import { freePort } from '../../src/ports.js';

// Each error must name the remedy that fits what really went wrong, against the real server.
describe('MySQL connection errors', () => {
  const saved = process.env['SHARDFLOW_MYSQL_URL'];
  afterEach(() => {
    if (saved === undefined) delete process.env['SHARDFLOW_MYSQL_URL'];
    else process.env['SHARDFLOW_MYSQL_URL'] = saved;
  });

  const failure = async (url: string): Promise<TestkitError> => {
    process.env['SHARDFLOW_MYSQL_URL'] = url;
    const error = await createTestDatabase().then(() => undefined, (caught: unknown) => caught);
    expect(error).toBeInstanceOf(TestkitError);
    return error as TestkitError;
  };

  it('a wrong password says so, and never prints it', async () => {
    const { hostname, port } = new URL(saved ?? 'mysql://root@127.0.0.1:3306');
    const error = await failure(`mysql://root:not-the-password@${hostname}:${port || 3306}`);
    expect(error.code).toBe('SERVICE_UNREACHABLE');
    expect(error.message).toMatch(/refused the user name or password/);
    expect(error.message).not.toMatch(/not-the-password|start-stop-daemon/);
  });

  it('a closed port names the address and how to start a server', async () => {
    const port = await freePort();
    const error = await failure(`mysql://root@127.0.0.1:${port}`);
    expect(error.message).toContain(`nothing listens on 127.0.0.1:${port}`);
  });

  it('a URL without mysql:// shows the expected form and the value given, password hidden', async () => {
    const error = await failure('root:secret@127.0.0.1:3306');
    expect(error.code).toBe('INVALID_SERVICE_ENV');
    expect(error.message).toContain("SHARDFLOW_MYSQL_URL must be mysql://user:password@host:3306, got 'root:***@127.0.0.1:3306'");
  });
});
