import type { RowDataPacket } from 'mysql2/promise';
import mysql, { type Pool } from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '@shardflow/testkit';
import { createOutbox, fetchPage, firstDueRequest, migrateOutboxTable, MysqlOutboxStore, type FetchOptions, type Outbox, type OutboxRecord, type TableScope } from '../../src/index.js';
import { clusterMap, itemContext, openTestDb, uniqueTopic, type TestDb } from './outbox-fixture.js';

describe('partitioning modes on real MariaDB', () => {
  let db: TestDb;
  beforeAll(async () => {
    db = await openTestDb('modes');
  });
  afterAll(async () => {
    await db.close();
  });

  /** A plan only means something on a table the size of a real outbox: mostly sent rows. */
  async function addSentRows(table: string): Promise<void> {
    await db.pool.query(`INSERT INTO ${table} (account_no, state, topic_name, cluster_name, payload, partition_no)
      WITH RECURSIVE n (i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < 999)
      SELECT CONCAT('sent-', a.i, '-', b.i), 1, 't', 'cluster_a', 'x', (a.i * 20 + b.i) % 1024 FROM n a JOIN n b ON b.i < 20`);
  }

  /** MySQL's plan for the first read of a fetch of the scope. */
  async function explainFetch(outbox: Outbox, scope: TableScope, options: FetchOptions): Promise<Array<Readonly<Record<string, unknown>>>> {
    const store = new MysqlOutboxStore([db.pool], outbox.partitioning);
    const request = await firstDueRequest(store, scope, options);
    return request ? store.explainFetch(scope, request) : [];
  }

  /** The fetch reads `clusters` ranges of the due index, in index order (no sort). */
  async function expectRangeScans(outbox: Outbox, scope: TableScope, perKeyOrdering: boolean, clusters: number): Promise<void> {
    const plan = await explainFetch(outbox, scope, { limit: 500, epoch: 1, admits: (_cluster, share) => share, perKeyOrdering });
    const outer = plan.filter((step) => step['table'] === 't');
    expect(outer).toHaveLength(clusters);
    for (const step of outer) {
      expect(step['key']).toBe('idx_outbox_due');
      expect(step['type']).toBe('range');
      expect(String(step['Extra'])).not.toContain('filesort');
    }
  }

  it("id-mod (the seed's id % N): each row belongs to exactly one item", async () => {
    await migrateOutboxTable(db.pool, { table: 'idmod_outbox' });
    const outbox = createOutbox({ databases: [db.pool], clusters: clusterMap(), table: 'idmod_outbox', partitioning: { mode: 'id-mod' } });
    try {
      const ids = await outbox.writer.addMany(db.pool as never, Array.from({ length: 30 }, (_, i) => ({ key: `k${i}`, topic: 't', cluster: 'cluster_a', payload: 'x' })));
      const seen: number[] = [];
      for (let item = 0; item < 3; item++) {
        const rows = await outbox.relayJob.fetchData(itemContext(item, 3, 1));
        expect(rows.every((row) => row.id % 3 === item)).toBe(true);
        seen.push(...rows.map((row) => row.id));
      }
      expect(seen.sort((a, b) => a - b)).toEqual(ids);
    } finally {
      await outbox.close();
    }
  });

  it('virtual partitions: the fetch uses the due index, and a count change needs no row rewrite', async () => {
    await migrateOutboxTable(db.pool, { table: 'vp_outbox' });
    const outbox = createOutbox({ databases: [db.pool], clusters: clusterMap(), table: 'vp_outbox' });
    try {
      const ids = await outbox.writer.addMany(db.pool as never, Array.from({ length: 40 }, (_, i) => ({ key: `user-${i}`, topic: 't', cluster: 'cluster_a', payload: 'x' })));
      for (const total of [4, 7]) {
        const seen: number[] = [];
        for (let item = 0; item < total; item++) seen.push(...(await outbox.relayJob.fetchData(itemContext(item, total, total))).map((row: OutboxRecord) => row.id));
        expect(seen.sort((a, b) => a - b)).toEqual(ids);
      }
      await addSentRows('vp_outbox');
      await outbox.writer.addMany(db.pool as never, Array.from({ length: 10 }, (_, i) => ({ key: `user-b-${i}`, topic: 't', cluster: 'cluster_b', payload: 'x' })));
      await db.pool.query('ANALYZE TABLE vp_outbox');
      const [scope] = outbox.partitioning.scopes({ item: 0, total: 4, jobParameter: '', shardingParameter: undefined });
      for (const perKeyOrdering of [false, true]) {
        await expectRangeScans(outbox, scope as TableScope, perKeyOrdering, 2); // one range per cluster with pending rows
        const open = await explainFetch(outbox, scope as TableScope, { limit: 500, epoch: 1, admits: (cluster, share) => (cluster === 'cluster_a' ? 0 : share), perKeyOrdering });
        expect(open.filter((step) => step['table'] === 't')).toHaveLength(1); // an open circuit's cluster is not read
      }
    } finally {
      await outbox.close();
    }
  });

  it('an existing table whose next_select_time may be NULL: NULL counts as due, still one range of the due index', async () => {
    await migrateOutboxTable(db.pool, { table: 'nullable_outbox' });
    await db.pool.query('ALTER TABLE nullable_outbox MODIFY next_select_time DATETIME(3) NULL');
    const outbox = createOutbox({ databases: [db.pool], clusters: clusterMap(), table: 'nullable_outbox' });
    try {
      await addSentRows('nullable_outbox');
      const add = (count: number, nextSelectTime: string): Promise<unknown> => db.pool.query(
        `INSERT INTO nullable_outbox (account_no, topic_name, cluster_name, payload, next_select_time)
         WITH RECURSIVE n (i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < ${count - 1})
         SELECT CONCAT('user-', i), 't', 'cluster_a', 'x', ${nextSelectTime} FROM n`);
      await add(10, 'NULL');
      await add(10, 'NOW(3) - INTERVAL 1 SECOND');
      await add(5, 'NOW(3) + INTERVAL 1 HOUR');
      await db.pool.query('ANALYZE TABLE nullable_outbox');
      const [scope] = outbox.partitioning.scopes({ item: 0, total: 1, jobParameter: '', shardingParameter: undefined });
      const page = await fetchPage(outbox.store, [scope as TableScope], { limit: 500, epoch: 1, admits: (_cluster, share) => share, perKeyOrdering: false });
      const [due] = await db.pool.query<RowDataPacket[]>('SELECT id FROM nullable_outbox WHERE state = 0 AND (next_select_time IS NULL OR next_select_time <= NOW(3)) ORDER BY id');
      expect(page.map((record) => record.id)).toEqual(due.map((row) => Number(row['id'])));
      expect(page).toHaveLength(20);
      await expectRangeScans(outbox, scope as TableScope, false, 1);
    } finally {
      await outbox.close();
    }
  });

  describe("2 databases x 4 physical tables (the lottery seed's layout)", () => {
    let second: TestDatabase;
    let secondPool: Pool;
    const tables = ['user_strategy_export_001', 'user_strategy_export_002', 'user_strategy_export_003', 'user_strategy_export_004'];
    beforeAll(async () => {
      second = await createTestDatabase('modes2');
      secondPool = mysql.createPool({ ...second.config, connectionLimit: 4 });
      for (const pool of [db.pool, secondPool]) for (const table of tables) await migrateOutboxTable(pool, { columns: { state: 'mq_state' } }, table);
    });
    afterAll(async () => {
      await secondPool.end();
      await second.drop();
    });

    it('8 items take one table each; a job parameter restricts an instance to some databases', async () => {
      const topic = uniqueTopic('lottery');
      const pools = [db.pool, secondPool];
      for (const [database, pool] of pools.entries()) {
        for (const table of tables) {
          await pool.query(`INSERT INTO \`${table}\` (account_no, topic_name, cluster_name, payload, next_select_time) VALUES (?, ?, 'cluster_a', 'x', NOW(3))`, [`${database}-${table}`, topic]);
        }
      }
      const outbox = createOutbox({ databases: pools, clusters: clusterMap(), columns: { state: 'mq_state' }, partitioning: { mode: 'physical-tables', tables } });
      try {
        const keys: string[] = [];
        for (let item = 0; item < 8; item++) {
          const rows = await outbox.relayJob.fetchData(itemContext(item, 8, 1));
          expect(rows).toHaveLength(1);
          keys.push(rows[0]?.key as string);
        }
        expect(keys).toEqual([...tables.map((t) => `0-${t}`), ...tables.map((t) => `1-${t}`)]);
        // The seed's "1,2,3" style: this instance scans database 2 only (1-based).
        const restricted = await outbox.relayJob.fetchData(itemContext(1, 4, 2, { jobParameter: '2' }));
        expect(restricted.map((row) => row.key)).toEqual([`1-${tables[1]}`]);
        await outbox.relayJob.processData(itemContext(1, 4, 2), restricted);
        const [rows] = await secondPool.query<RowDataPacket[]>(`SELECT mq_state FROM \`${tables[1]}\``);
        expect(rows[0]?.['mq_state']).toBe(1);
      } finally {
        await outbox.close();
      }
    });
  });
});
