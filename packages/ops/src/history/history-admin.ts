import { readExecutions, readStatusTrace, type ExecutionRow, type HistoryDatabase, type StatusTraceRow } from '@shardflow/history';
import { InvalidOpsArgumentError } from '../errors/invalid-ops-argument-error.js';

/** Bounds what one read holds in memory and prints. */
export const MAX_HISTORY_LIMIT = 10_000;

/** One job's recent executions, or `enabled: false` when the history tables were never migrated. */
export type JobExecutions =
  | { readonly enabled: true; readonly executions: readonly ExecutionRow[] }
  | { readonly enabled: false };

/** The states one run (task) of a job went through, oldest first; `enabled: false` as for executions. */
export type TaskStatusTrace =
  | { readonly enabled: true; readonly states: readonly StatusTraceRow[] }
  | { readonly enabled: false };

/**
 * Whether JOB_EXECUTION_LOG exists where unqualified names resolve: the connection's database on
 * MySQL, its current schema on PostgreSQL (which folds the unquoted name to lower case).
 */
const TABLE_EXISTS: Readonly<Record<HistoryDatabase['dialect'], string>> = {
  mysql: "SELECT 1 FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'JOB_EXECUTION_LOG' LIMIT 1",
  postgres: "SELECT 1 FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = 'job_execution_log' LIMIT 1",
};

/**
 * The execution-history half of the operations API, over the MySQL or PostgreSQL databases that
 * `@shardflow/history` writes to (`mysqlHistoryDatabase(pool)`, `postgresHistoryDatabase(pool)`).
 * Instances of different jobs, or of one job in different deployments, may record into different
 * databases: every database that holds the tables is read and the answers merged. History is
 * optional, so missing tables are an answer ("not enabled"), not an error.
 */
export class HistoryAdmin {
  private readonly databases: readonly HistoryDatabase[];

  constructor(databases: HistoryDatabase | readonly HistoryDatabase[]) {
    this.databases = isDatabaseList(databases) ? [...databases] : [databases];
    if (this.databases.length === 0) throw new InvalidOpsArgumentError('databases', '[]', 'give at least one history database');
  }

  /** Whether the history tables exist in any of the databases. */
  async enabled(): Promise<boolean> {
    return (await this.databasesWithTables()).length > 0;
  }

  /** The job's latest `limit` executions over all the databases, newest first. */
  async recentExecutions(jobName: string, limit: number): Promise<JobExecutions> {
    checkJobName(jobName);
    if (!Number.isSafeInteger(limit) || limit < 1 || limit > MAX_HISTORY_LIMIT) throw new InvalidOpsArgumentError('limit', limit, `must be an integer from 1 to ${MAX_HISTORY_LIMIT}`);
    const databases = await this.databasesWithTables();
    if (databases.length === 0) return { enabled: false };
    const perDatabase = await Promise.all(databases.map((database) => readExecutions(database, { jobName, limit })));
    const executions = perDatabase.flat().map(toExecutionRow).sort(newestFirst).slice(0, limit);
    return { enabled: true, executions };
  }

  /**
   * The states of one run of the job (its `task_id`, as an execution row gives it), oldest first:
   * TASK_RUNNING, then TASK_FINISHED, TASK_ERROR or TASK_KILLED. Empty for a task it does not know.
   */
  async statusTrace(jobName: string, taskId: string): Promise<TaskStatusTrace> {
    checkJobName(jobName);
    if (typeof taskId !== 'string' || taskId === '') throw new InvalidOpsArgumentError('taskId', taskId, 'must be a non-empty string');
    const databases = await this.databasesWithTables();
    if (databases.length === 0) return { enabled: false };
    // A run writes all its states to one database, which keeps them in order.
    const perDatabase = await Promise.all(databases.map((database) => readStatusTrace(database, taskId)));
    const states = perDatabase.flat().filter((row) => row['job_name'] === jobName) as unknown as StatusTraceRow[];
    return { enabled: true, states };
  }

  private async databasesWithTables(): Promise<HistoryDatabase[]> {
    const present = await Promise.all(this.databases.map(async (database) => (await database.execute(TABLE_EXISTS[database.dialect], [])).rows.length > 0));
    return this.databases.filter((_, index) => present[index]);
  }
}

function isDatabaseList(databases: HistoryDatabase | readonly HistoryDatabase[]): databases is readonly HistoryDatabase[] {
  return Array.isArray(databases);
}

function checkJobName(jobName: string): void {
  if (typeof jobName !== 'string' || jobName === '') throw new InvalidOpsArgumentError('jobName', jobName, 'must be a non-empty string');
}

/** ElasticJob's MySQL success column is an INT (PostgreSQL's a BOOLEAN); the row type promises a boolean. */
function toExecutionRow(row: Readonly<Record<string, unknown>>): ExecutionRow {
  return { ...row, is_success: Boolean(row['is_success']) } as ExecutionRow;
}

function newestFirst(a: ExecutionRow, b: ExecutionRow): number {
  return b.start_time.getTime() - a.start_time.getTime() || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0);
}
