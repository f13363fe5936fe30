import type { HistoryDatabase } from '../database/history-database.js';

export interface ExecutionQuery {
  jobName?: string;
  /** Default 100. */
  limit?: number;
}

/** The latest execution rows, newest first (the operations API and a console read them). */
export async function readExecutions(database: HistoryDatabase, query: ExecutionQuery = {}): Promise<ReadonlyArray<Record<string, unknown>>> {
  const where = query.jobName === undefined ? '' : 'WHERE job_name = ? ';
  const params = query.jobName === undefined ? [] : [query.jobName];
  return (await database.execute(`SELECT * FROM JOB_EXECUTION_LOG ${where}ORDER BY start_time DESC LIMIT ?`, [...params, query.limit ?? 100])).rows;
}

/**
 * The states one task went through, oldest first. ElasticJob's TIMESTAMP column holds whole
 * seconds on MySQL, so states of one second are put in the order a task goes through them.
 */
export async function readStatusTrace(database: HistoryDatabase, taskId: string): Promise<ReadonlyArray<Record<string, unknown>>> {
  return (await database.execute(
    `SELECT * FROM JOB_STATUS_TRACE_LOG WHERE task_id = ?
     ORDER BY creation_time, CASE state WHEN 'TASK_STAGING' THEN 0 WHEN 'TASK_RUNNING' THEN 1 ELSE 2 END`, [taskId])).rows;
}
