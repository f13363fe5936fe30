import type { CliCommand } from './cli-command.js';
import { InvalidOpsArgumentError } from '../errors/invalid-ops-argument-error.js';

export const CONSOLE_COMMAND: CliCommand = {
  usageKey: 'console',
  flags: ['host', 'port', 'read-only'],
  matches: (positionals) => positionals[0] === 'console',
  needs: () => ({ jobs: true, outbox: false }),
  prepare: () => {
    throw new InvalidOpsArgumentError('console', undefined, 'is not built yet');
  },
};
