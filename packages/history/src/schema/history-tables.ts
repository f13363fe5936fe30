import type { HistoryDatabase, HistoryDialect } from '../database/history-database.js';

/**
 * ElasticJob's RDB event-trace tables, with its names, columns and types, so that the people and
 * tools that read ElasticJob's history read ours. Two indexes of our own (on the time columns)
 * let the retention cleanup delete old rows in small batches without scanning the tables.
 */
function tableDdl(dialect: HistoryDialect): string[] {
  const success = dialect === 'mysql' ? 'INT' : 'BOOLEAN';
  return [
    `CREATE TABLE IF NOT EXISTS JOB_EXECUTION_LOG (
      id VARCHAR(40) NOT NULL,
      job_name VARCHAR(100) NOT NULL,
      task_id VARCHAR(255) NOT NULL,
      hostname VARCHAR(255) NOT NULL,
      ip VARCHAR(50) NOT NULL,
      sharding_item INT NOT NULL,
      execution_source VARCHAR(20) NOT NULL,
      failure_cause VARCHAR(4000) NULL,
      is_success ${success} NOT NULL,
      start_time TIMESTAMP NULL,
      complete_time TIMESTAMP NULL,
      PRIMARY KEY (id)
    )`,
    `CREATE TABLE IF NOT EXISTS JOB_STATUS_TRACE_LOG (
      id VARCHAR(40) NOT NULL,
      job_name VARCHAR(100) NOT NULL,
      original_task_id VARCHAR(255) NOT NULL,
      task_id VARCHAR(255) NOT NULL,
      slave_id VARCHAR(50) NOT NULL,
      source VARCHAR(50) NOT NULL,
      execution_type VARCHAR(20) NOT NULL,
      sharding_item VARCHAR(100) NOT NULL,
      state VARCHAR(20) NOT NULL,
      message VARCHAR(4000) NULL,
      creation_time TIMESTAMP NULL,
      PRIMARY KEY (id)
    )`,
  ];
}

const INDEXES: ReadonlyArray<{ name: string; table: string; columns: string }> = [
  { name: 'TASK_ID_STATE_INDEX', table: 'JOB_STATUS_TRACE_LOG', columns: 'task_id, state' },
  { name: 'SHARDFLOW_START_TIME_INDEX', table: 'JOB_EXECUTION_LOG', columns: 'start_time' },
  { name: 'SHARDFLOW_CREATION_TIME_INDEX', table: 'JOB_STATUS_TRACE_LOG', columns: 'creation_time' },
];

/** MySQL's "Duplicate key name": the index is there already (MySQL has no CREATE INDEX IF NOT EXISTS). */
const ER_DUP_KEYNAME = 1061;

/** Creates both tables and their indexes if missing; leaves existing ones (ElasticJob's) as they are. */
export async function migrateHistoryTables(database: HistoryDatabase): Promise<void> {
  for (const ddl of tableDdl(database.dialect)) await database.execute(ddl, []);
  for (const { name, table, columns } of INDEXES) {
    if (database.dialect === 'postgres') {
      await database.execute(`CREATE INDEX IF NOT EXISTS ${name} ON ${table} (${columns})`, []);
      continue;
    }
    try {
      await database.execute(`CREATE INDEX ${name} ON ${table} (${columns})`, []);
    } catch (error) {
      if ((error as { errno?: number }).errno !== ER_DUP_KEYNAME) throw error;
    }
  }
}
