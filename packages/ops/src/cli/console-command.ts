import { integerFlag } from '@shardflow/outbox-relay';
import { consoleAuthFromEnv, isLoopback } from '../console/console-auth.js';
import { startConsole } from '../console/console-server.js';
import { ConsoleAuthRequiredError } from '../errors/console-auth-required-error.js';
import { InvalidOpsArgumentError } from '../errors/invalid-ops-argument-error.js';
import type { CliCommand } from './cli-command.js';

/** `shardflow console`: serves the web console until SIGINT or SIGTERM. */
export const CONSOLE_COMMAND: CliCommand = {
  usageKey: 'console',
  flags: ['host', 'port', 'read-only'],
  matches: (positionals) => positionals[0] === 'console',
  needs: () => ({ jobs: true, outbox: false }),
  prepare: (positionals, values, env) => {
    if (positionals.length > 1) throw new InvalidOpsArgumentError('arguments', positionals.slice(1).join(' '), "are not taken by 'console'");
    const port = integerFlag('--port', values.port ?? '8080', 0, 65_535);
    const host = values.host ?? '127.0.0.1';
    const auth = consoleAuthFromEnv(env);
    // Refused before anything connects, like every other usage error.
    if (!isLoopback(host) && !auth) throw new ConsoleAuthRequiredError(host);
    const readOnly = values['read-only'] ?? false;
    return async (connection, io) => {
      if (!connection.registry || !connection.jobs) throw new InvalidOpsArgumentError('--zk', undefined, 'is required for the console');
      const running = await startConsole({
        registry: connection.registry, jobs: connection.jobs, host, port, readOnly,
        ...(connection.outbox ? { outbox: connection.outbox } : {}),
        ...(connection.history ? { history: connection.history } : {}),
        ...(connection.relayJob ? { relayJob: connection.relayJob } : {}),
        ...(auth ? { auth } : {}),
      });
      io.out(`shardflow console: ${running.url}${readOnly ? ' (read-only)' : ''}${auth ? ' (authentication required)' : ''}`);
      await new Promise<void>((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
      });
      await running.close();
      return 0;
    };
  },
};
