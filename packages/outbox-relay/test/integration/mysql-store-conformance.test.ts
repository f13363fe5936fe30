import mysql, { type Pool, type ResultSetHeader, type RowDataPacket } from 'mysql2/promise';
import { afterAll, beforeAll } from 'vitest';
import { createTestDatabase, type TestDatabase } from '@shardflow/testkit';
import { createPartitioning, migrateOutboxTable, MysqlOutboxStore } from '../../src/index.js';
import { describeStoreConformance, stateName } from '../store-conformance.js';

let databases: TestDatabase[] = [];
let pools: Pool[] = [];
let tables = 0;

beforeAll(async () => {
  databases = await Promise.all([createTestDatabase('store_conf'), createTestDatabase('store_conf')]);
  pools = databases.map((database) => mysql.createPool({ ...database.config, connectionLimit: 4 }));
});
afterAll(async () => {
  await Promise.all(pools.map((pool) => pool.end()));
  await Promise.all(databases.map((database) => database.drop()));
});

describeStoreConformance('MariaDB', () => ({
  open: async (config, options = {}) => {
    const table = `conf_${++tables}`;
    const partitioning = createPartitioning({ partitioning: config, table }, pools.length);
    for (const location of partitioning.allTables()) {
      const pool = pools[location.database] as Pool;
      await migrateOutboxTable(pool, {}, location.table.name);
      if (options.nullableDueTime) await pool.query(`ALTER TABLE ${location.table.quotedName} MODIFY next_select_time DATETIME(3) NULL`);
    }
    const pool = (database: number): Pool => pools[database] as Pool;
    return {
      store: new MysqlOutboxStore(pools, partitioning),
      partitioning,
      insert: async (location, rows) => {
        const ids: number[] = [];
        for (const row of rows) {
          const [result] = await pool(location.database).query<ResultSetHeader>(
            `INSERT INTO ${location.table.quotedName} (account_no, topic_name, cluster_name, payload, headers, partition_no, state, next_select_time,
               retry_count, last_error, fence_epoch, create_time, sent_time)
             VALUES (?, ?, ?, 'x', ?, ?, ?, IF(? IS NULL, NULL, NOW(3) + INTERVAL ? MICROSECOND), ?, ?, ?, NOW(3) - INTERVAL ? MICROSECOND,
               IF(?, NOW(3) - INTERVAL ? MICROSECOND, NULL))`,
            [row.key, row.topic ?? 't', row.cluster, row.headers ?? null, row.partition ?? partitioning.partitionOf(row.key), location.table.states[row.state ?? 'pending'],
              row.dueInMs === null ? null : 1, (row.dueInMs ?? -1_000) * 1000, row.retryCount ?? 0, row.lastError ?? null, row.fenceEpoch ?? null,
              (row.createdAgoMs ?? 0) * 1000, row.state === 'sent', (row.sentAgoMs ?? 0) * 1000]);
          ids.push(result.insertId);
        }
        return ids;
      },
      read: async (location, id) => {
        const [[row]] = await pool(location.database).query<RowDataPacket[]>(
          `SELECT state, retry_count, next_select_time, last_error, fence_epoch FROM ${location.table.quotedName} WHERE id = ?`, [id]);
        return row && {
          state: stateName(location.table.states, Number(row['state'])), retryCount: Number(row['retry_count']),
          nextSelectTime: row['next_select_time'] as Date | null, lastError: row['last_error'] as string | null,
          fenceEpoch: row['fence_epoch'] === null ? null : Number(row['fence_epoch']),
        };
      },
    };
  },
}));
