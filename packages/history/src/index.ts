export { JobHistory, checkJobHistoryOptions, type JobHistoryOptions, type JobHistoryStats } from './recorder/job-history.js';
export { readExecutions, readStatusTrace, type ExecutionQuery } from './recorder/history-reader.js';
export type { ExecutionRow, StatusTraceRow } from './recorder/history-rows.js';
export { migrateHistoryTables } from './schema/history-tables.js';
export {
  mysqlHistoryDatabase, postgresHistoryDatabase,
  type HistoryDatabase, type HistoryDialect, type StatementResult, type MysqlQueryable, type PostgresQueryable,
} from './database/history-database.js';
export { InvalidHistoryConfigError } from './errors/invalid-history-config-error.js';
