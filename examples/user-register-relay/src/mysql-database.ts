import mysql, { type PoolConnection, type ResultSetHeader, type RowDataPacket } from 'mysql2/promise';
import { migrateHistoryTables, mysqlHistoryDatabase } from '@shardflow/history';
import { createOutbox, migrateOutboxTable, type MysqlTransaction } from '@shardflow/outbox-relay';
import { redactPassword } from '@shardflow/testkit';
import type { ExampleDatabase, ExampleTransaction } from './database.js';
import { databaseUrlOf, type ExampleEnvironment } from './environment.js';

/** The example's database on MySQL/MariaDB (mysql2). */
export async function openMysqlDatabase(environment: ExampleEnvironment, connectionLimit: number): Promise<ExampleDatabase<MysqlTransaction>> {
  const pool = mysql.createPool({ uri: databaseUrlOf(environment), connectionLimit });
  try {
    await pool.query('SELECT 1');
  } catch (error) {
    await pool.end();
    throw new Error(`MySQL at ${redactPassword(environment.databaseUrl)} (database ${environment.database}) is unreachable: ${(error as Error).message}`, { cause: error });
  }
  return {
    environment,
    pool,
    history: mysqlHistoryDatabase(pool),
    createOutbox: (config) => createOutbox({ ...config, databases: [pool] }),
    query: async (sql, params = []) => (await pool.query<RowDataPacket[]>(sql, [...params]))[0],
    transaction: async (work) => {
      const connection = await pool.getConnection();
      try {
        await connection.beginTransaction();
        const result = await work(transactionOn(connection));
        await connection.commit();
        return result;
      } catch (error) {
        await connection.rollback();
        throw error;
      } finally {
        connection.release();
      }
    },
    isDuplicateKey: (error) => (error as { code?: string }).code === 'ER_DUP_ENTRY',
    end: () => pool.end(),
  };
}

function transactionOn(connection: PoolConnection): ExampleTransaction<MysqlTransaction> {
  return {
    client: connection,
    query: async (sql, params = []) => void (await connection.query(sql, [...params])),
    insertUnlessExists: async (table, values) => {
      const [result] = await connection.query<ResultSetHeader>(`INSERT IGNORE INTO ${table} (${Object.keys(values).join(', ')}) VALUES (?)`, [Object.values(values)]);
      return result.affectedRows > 0;
    },
  };
}

export async function migrateMysql(environment: ExampleEnvironment): Promise<void> {
  const admin = await mysql.createConnection({ uri: environment.databaseUrl });
  await admin.query(`CREATE DATABASE IF NOT EXISTS \`${environment.database}\``);
  await admin.end();
  const pool = mysql.createPool({ uri: databaseUrlOf(environment), connectionLimit: 2 });
  try {
    await pool.query(`CREATE TABLE IF NOT EXISTS user_account (
      account_no VARCHAR(64) PRIMARY KEY,
      registered_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3)
    ) ENGINE=InnoDB`);
    await migrateOutboxTable(pool);
    await migrateHistoryTables(mysqlHistoryDatabase(pool));
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

export async function dropMysqlDatabase(environment: ExampleEnvironment): Promise<void> {
  const admin = await mysql.createConnection({ uri: environment.databaseUrl });
  try {
    await admin.query(`DROP DATABASE IF EXISTS \`${environment.database}\``);
  } finally {
    await admin.end();
  }
}
