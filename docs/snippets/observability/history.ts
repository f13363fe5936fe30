import pg from 'pg';
import { InMemoryRegistry, JobScheduler, type SimpleJob } from '@shardflow/core';
import { JobHistory, migrateHistoryTables, postgresHistoryDatabase, readExecutions } from '@shardflow/history';

const registry = new InMemoryRegistry();
const job: SimpleJob = { execute: async () => undefined };
const scheduler = new JobScheduler(registry, job, { jobName: 'nightly-report', cron: '0 0 2 * * ?', shardingTotalCount: 4 });

// mysqlHistoryDatabase(mysql2Pool) for MySQL/MariaDB
const database = postgresHistoryDatabase(new pg.Pool({ connectionString: 'postgres://postgres@127.0.0.1:5432/jobs' }));
await migrateHistoryTables(database); // JOB_EXECUTION_LOG and JOB_STATUS_TRACE_LOG, if missing
const history = new JobHistory({ database, retentionMs: 30 * 24 * 3_600_000, queueSize: 10_000 }).observe(scheduler);
await scheduler.start();

console.log(await readExecutions(database, { jobName: 'nightly-report', limit: 20 }));
console.log(history.stats()); // queued, written, dropped, failedWrites, deleted
// snippet-end
await scheduler.shutdown();
await history.close();
