import { integerFlag } from '@shardflow/outbox-relay';
import { InvalidOpsArgumentError } from '../errors/invalid-ops-argument-error.js';
import { MAX_HISTORY_LIMIT, type HistoryAdmin } from '../history/history-admin.js';
import { printJson, type CliCommand, type CliIo } from './cli-command.js';
import { formatTable, formatTime } from './format-table.js';

const DEFAULT_LIMIT = 20;
const NOT_ENABLED = 'Execution history: not enabled (no JOB_EXECUTION_LOG table in any --db database)';

export const HISTORY_COMMAND: CliCommand = {
  usageKey: 'history',
  flags: ['limit', 'task'],
  matches: (positionals) => positionals[0] === 'history',
  needs: () => ({ jobs: false, outbox: false, history: true }),
  prepare: (positionals, values) => {
    const [, job, ...rest] = positionals;
    if (job === undefined || rest.length > 0) throw new InvalidOpsArgumentError('history', positionals.slice(1).join(' '), 'takes exactly one job name');
    if (values.task !== undefined && values.limit !== undefined) throw new InvalidOpsArgumentError('--limit', values.limit, 'does not go with --task (a run has its few states)');
    if (values.task === '') throw new InvalidOpsArgumentError('--task', values.task, 'must be a task id, as the TASK column of `shardflow history <job>` gives it');
    const task = values.task;
    const limit = values.limit === undefined ? DEFAULT_LIMIT : integerFlag('--limit', values.limit, 1, MAX_HISTORY_LIMIT);
    return async (connection, io, json) => {
      if (!connection.history) throw new InvalidOpsArgumentError('--db', undefined, 'is required for the history command');
      if (task === undefined) await printExecutions(connection.history, job, limit, io, json);
      else await printStatusTrace(connection.history, job, task, io, json);
      return 0;
    };
  },
};

async function printExecutions(history: HistoryAdmin, job: string, limit: number, io: CliIo, json: boolean): Promise<void> {
  const result = await history.recentExecutions(job, limit);
  if (json) return printJson(io, result);
  if (!result.enabled) return io.out(NOT_ENABLED);
  const lines = result.executions.map((row) => [
    formatTime(row.start_time), formatTime(row.complete_time ?? undefined), String(row.sharding_item),
    row.is_success ? 'ok' : 'failed', row.execution_source, row.hostname, row.task_id, firstLine(row.failure_cause),
  ]);
  for (const line of formatTable(['STARTED', 'COMPLETED', 'ITEM', 'RESULT', 'SOURCE', 'HOST', 'TASK', 'FAILURE'], lines)) io.out(line);
  io.out(`${result.executions.length} execution${result.executions.length === 1 ? '' : 's'}`);
}

async function printStatusTrace(history: HistoryAdmin, job: string, task: string, io: CliIo, json: boolean): Promise<void> {
  const result = await history.statusTrace(job, task);
  if (json) return printJson(io, result);
  if (!result.enabled) return io.out(NOT_ENABLED);
  if (result.states.length === 0) return io.out(`No states recorded for task ${task} of ${job}`);
  const lines = result.states.map((row) => [formatTime(row.creation_time), row.state, row.sharding_item, row.execution_type, row.slave_id, firstLine(row.message)]);
  for (const line of formatTable(['TIME', 'STATE', 'ITEM', 'TYPE', 'INSTANCE', 'MESSAGE'], lines)) io.out(line);
  io.out(`${result.states.length} state${result.states.length === 1 ? '' : 's'}`);
}

/** A failure cause is a stack: its first line, cut to fit a table row. */
function firstLine(text: string | null): string {
  return (text ?? '').split('\n', 1)[0]?.slice(0, 80) ?? '';
}
