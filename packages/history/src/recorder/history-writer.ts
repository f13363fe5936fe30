import type { HistoryDatabase } from '../database/history-database.js';
import { EXECUTION_COLUMNS, STATUS_TRACE_COLUMNS, type ExecutionRow, type StatusTraceRow } from './history-rows.js';

/**
 * The statements that write one batch: every execution row in one upsert (a run's start and end
 * queued together become one row), every status row in one INSERT.
 */
export async function writeBatch(database: HistoryDatabase, executions: readonly ExecutionRow[], statuses: readonly StatusTraceRow[]): Promise<void> {
  if (executions.length > 0) {
    const values = executions.map(() => `(${EXECUTION_COLUMNS.map(() => '?').join(', ')})`).join(', ');
    const params = executions.flatMap((row) => EXECUTION_COLUMNS.map((column) => row[column]));
    const updated = ['failure_cause', 'is_success', 'complete_time'];
    const upsert = database.dialect === 'mysql'
      ? `ON DUPLICATE KEY UPDATE ${updated.map((column) => `${column} = VALUES(${column})`).join(', ')}`
      : `ON CONFLICT (id) DO UPDATE SET ${updated.map((column) => `${column} = EXCLUDED.${column}`).join(', ')}`;
    await database.execute(`INSERT INTO JOB_EXECUTION_LOG (${EXECUTION_COLUMNS.join(', ')}) VALUES ${values} ${upsert}`, params);
  }
  if (statuses.length > 0) {
    const values = statuses.map(() => `(${STATUS_TRACE_COLUMNS.map(() => '?').join(', ')})`).join(', ');
    const params = statuses.flatMap((row) => STATUS_TRACE_COLUMNS.map((column) => row[column]));
    await database.execute(`INSERT INTO JOB_STATUS_TRACE_LOG (${STATUS_TRACE_COLUMNS.join(', ')}) VALUES ${values}`, params);
  }
}

/** Deletes at most `limit` rows of `table` whose `column` is before `cutoff`, oldest first; returns how many. */
export async function deleteOlder(database: HistoryDatabase, table: string, column: string, cutoff: Date, limit: number): Promise<number> {
  const sql = database.dialect === 'mysql'
    ? `DELETE FROM ${table} WHERE ${column} < ? ORDER BY ${column} LIMIT ?`
    : `DELETE FROM ${table} WHERE id IN (SELECT id FROM ${table} WHERE ${column} < ? ORDER BY ${column} LIMIT ?)`;
  return (await database.execute(sql, [cutoff, limit])).affected;
}
