import { readExecutions, type ExecutionRow, type HistoryDatabase } from '@shardflow/history';
import { InvalidOpsArgumentError } from '../errors/invalid-ops-argument-error.js';

/** Bounds what one read holds in memory and prints. */
export const MAX_HISTORY_LIMIT = 10_000;

/** One job's recent executions, or `enabled: false` when the history tables were never migrated. */
export type JobExecutions =
  | { readonly enabled: true; readonly executions: readonly ExecutionRow[] }
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
 * The execution-history half of the operations API, over the MySQL or PostgreSQL database that
 * `@shardflow/history` writes to (`mysqlHistoryDatabase(pool)`, `postgresHistoryDatabase(pool)`).
 * History is optional, so missing tables are an answer ("not enabled"), not an error.
 */
export class HistoryAdmin {
  constructor(private readonly database: HistoryDatabase) {}

  /** Whether the history tables exist in the database. */
  async enabled(): Promise<boolean> {
    return (await this.database.execute(TABLE_EXISTS[this.database.dialect], [])).rows.length > 0;
  }

  /** The job's latest `limit` executions, newest first. */
  async recentExecutions(jobName: string, limit: number): Promise<JobExecutions> {
    if (typeof jobName !== 'string' || jobName === '') throw new InvalidOpsArgumentError('jobName', jobName, 'must be a non-empty string');
    if (!Number.isSafeInteger(limit) || limit < 1 || limit > MAX_HISTORY_LIMIT) throw new InvalidOpsArgumentError('limit', limit, `must be an integer from 1 to ${MAX_HISTORY_LIMIT}`);
    if (!(await this.enabled())) return { enabled: false };
    const rows = await readExecutions(this.database, { jobName, limit });
    return { enabled: true, executions: rows.map(toExecutionRow) };
  }
}

/** ElasticJob's MySQL success column is an INT (PostgreSQL's a BOOLEAN); the row type promises a boolean. */
function toExecutionRow(row: Readonly<Record<string, unknown>>): ExecutionRow {
  return { ...row, is_success: Boolean(row['is_success']) } as ExecutionRow;
}
