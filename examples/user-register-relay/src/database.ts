import mysql, { type Pool } from 'mysql2/promise';
import { migrateOutboxTable } from '@shardflow/outbox-relay';
import { redactPassword } from '@shardflow/testkit';
import type { ExampleEnvironment } from './environment.js';

/** A pool on the example database, failing with the URL in the message when MySQL is unreachable. */
export async function openPool(environment: ExampleEnvironment, connectionLimit = 10): Promise<Pool> {
  const url = new URL(environment.mysqlUrl);
  url.pathname = `/${environment.database}`;
  const pool = mysql.createPool({ uri: url.toString(), connectionLimit });
  try {
    await pool.query('SELECT 1');
  } catch (error) {
    await pool.end();
    throw new Error(`MySQL at ${redactPassword(environment.mysqlUrl)} (database ${environment.database}) is unreachable: ${(error as Error).message}`, { cause: error });
  }
  return pool;
}

/** Creates the database and every table of the example (idempotent). */
export async function migrate(environment: ExampleEnvironment): Promise<void> {
  const admin = await mysql.createConnection({ uri: environment.mysqlUrl });
  await admin.query(`CREATE DATABASE IF NOT EXISTS \`${environment.database}\``);
  await admin.end();
  const pool = await openPool(environment, 2);
  try {
    await pool.query(`CREATE TABLE IF NOT EXISTS user_account (
      account_no VARCHAR(64) PRIMARY KEY,
      registered_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3)
    ) ENGINE=InnoDB`);
    await migrateOutboxTable(pool);
    for (const table of ['coupon_grant', 'points_grant']) {
      // The outbox id is the dedupe key: a redelivered message cannot grant twice.
      await pool.query(`CREATE TABLE IF NOT EXISTS ${table} (
        outbox_id BIGINT UNSIGNED PRIMARY KEY,
        account_no VARCHAR(64) NOT NULL,
        granted_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
        KEY idx_account (account_no)
      ) ENGINE=InnoDB`);
    }
    await pool.query(`CREATE TABLE IF NOT EXISTS ignored_duplicate (
      id BIGINT UNSIGNED AUTO_INCREMENT PRIMARY KEY,
      consumer VARCHAR(16) NOT NULL,
      outbox_id BIGINT UNSIGNED NOT NULL
    ) ENGINE=InnoDB`);
  } finally {
    await pool.end();
  }
}

/** Drops the example database (the demo's own, at its end). */
export async function dropDatabase(environment: ExampleEnvironment): Promise<void> {
  const admin = await mysql.createConnection({ uri: environment.mysqlUrl });
  try {
    await admin.query(`DROP DATABASE IF EXISTS \`${environment.database}\``);
  } finally {
    await admin.end();
  }
}
