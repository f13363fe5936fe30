import { integerFlag } from '@shardflow/outbox-relay';
import { InvalidOpsArgumentError } from '../errors/invalid-ops-argument-error.js';
import { MAX_HISTORY_LIMIT } from '../history/history-admin.js';
import { printJson, type CliCommand } from './cli-command.js';
import { formatTable, formatTime } from './format-table.js';

const DEFAULT_LIMIT = 20;

export const HISTORY_COMMAND: CliCommand = {
  usageKey: 'history',
  flags: ['limit'],
  matches: (positionals) => positionals[0] === 'history',
  needs: () => ({ jobs: false, outbox: false, history: true }),
  prepare: (positionals, values) => {
    const [, job, ...rest] = positionals;
    if (job === undefined || rest.length > 0) throw new InvalidOpsArgumentError('history', positionals.slice(1).join(' '), 'takes exactly one job name');
    const limit = values.limit === undefined ? DEFAULT_LIMIT : integerFlag('--limit', values.limit, 1, MAX_HISTORY_LIMIT);
    return async (connection, io, json) => {
      if (!connection.history) throw new InvalidOpsArgumentError('--db', undefined, 'is required for the history command');
      const result = await connection.history.recentExecutions(job, limit);
      if (json) {
        printJson(io, result);
      } else if (!result.enabled) {
        io.out('Execution history: not enabled (no JOB_EXECUTION_LOG table in the database)');
      } else {
        const lines = result.executions.map((row) => [
          formatTime(row.start_time), formatTime(row.complete_time ?? undefined), String(row.sharding_item),
          row.is_success ? 'ok' : 'failed', row.execution_source, row.hostname, (row.failure_cause ?? '').slice(0, 80),
        ]);
        for (const line of formatTable(['STARTED', 'COMPLETED', 'ITEM', 'RESULT', 'SOURCE', 'HOST', 'FAILURE'], lines)) io.out(line);
        io.out(`${result.executions.length} execution${result.executions.length === 1 ? '' : 's'}`);
      }
      return 0;
    };
  },
};
