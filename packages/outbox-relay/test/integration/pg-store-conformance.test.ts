import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPgTestDatabase, type PgTestDatabase } from '@shardflow/testkit';
import { createPartitioning, firstDueRequest, migratePgOutboxTable, PgOutboxStore, type PgPlanNode, type TableScope } from '../../src/index.js';
import { describeStoreConformance, stateName } from '../store-conformance.js';

let databases: PgTestDatabase[] = [];
let pools: pg.Pool[] = [];
let tables = 0;

beforeAll(async () => {
  databases = await Promise.all([createPgTestDatabase('store_conf'), createPgTestDatabase('store_conf')]);
  pools = databases.map((database) => new pg.Pool({ connectionString: database.url, max: 4 }));
  // Dropping the databases ends the sessions of clients still closing; that is expected here.
  for (const open of pools) open.on('error', () => undefined);
});
afterAll(async () => {
  await Promise.all(pools.map((pool) => pool.end()));
  await Promise.all(databases.map((database) => database.drop()));
});

const pool = (database: number): pg.Pool => pools[database] as pg.Pool;

describeStoreConformance('PostgreSQL', () => ({
  open: async (config, options = {}) => {
    const partitioning = createPartitioning({ partitioning: config, table: `conf_${++tables}` }, pools.length);
    for (const location of partitioning.allTables()) {
      await migratePgOutboxTable(pool(location.database), {}, location.table.name);
      if (options.nullableDueTime) await pool(location.database).query(`ALTER TABLE "${location.table.name}" ALTER COLUMN next_select_time DROP NOT NULL`);
    }
    return {
      store: new PgOutboxStore(pools, partitioning),
      partitioning,
      insert: async (location, rows) => {
        const ids: number[] = [];
        for (const row of rows) {
          const { rows: [inserted] } = await pool(location.database).query<{ id: string }>(
            `INSERT INTO "${location.table.name}" (account_no, topic_name, cluster_name, payload, headers, partition_no, state, next_select_time,
               retry_count, last_error, fence_epoch, create_time, sent_time)
             VALUES ($1, $2, $3, 'x', $4, $5, $6, CASE WHEN $7::boolean THEN NULL ELSE now() + $8::bigint * interval '1 millisecond' END, $9, $10, $11,
               now() - $12::bigint * interval '1 millisecond', CASE WHEN $13::boolean THEN now() - $14::bigint * interval '1 millisecond' END)
             RETURNING id`,
            [row.key, row.topic ?? 't', row.cluster, row.headers ?? null, row.partition ?? partitioning.partitionOf(row.key), location.table.states[row.state ?? 'pending'],
              row.dueInMs === null, row.dueInMs ?? -1_000, row.retryCount ?? 0, row.lastError ?? null, row.fenceEpoch ?? null,
              row.createdAgoMs ?? 0, row.state === 'sent', row.sentAgoMs ?? 0]);
          ids.push(Number(inserted?.id));
        }
        return ids;
      },
      read: async (location, id) => {
        const { rows: [row] } = await pool(location.database).query<Record<string, unknown>>(
          `SELECT state, retry_count, next_select_time, last_error, fence_epoch FROM "${location.table.name}" WHERE id = $1`, [id]);
        return row && {
          state: stateName(location.table.states, Number(row['state'])), retryCount: Number(row['retry_count']),
          nextSelectTime: row['next_select_time'] as Date | null, lastError: row['last_error'] as string | null,
          fenceEpoch: row['fence_epoch'] === null ? null : Number(row['fence_epoch']),
        };
      },
    };
  },
}));

describe('PostgreSQL fetch plan', () => {
  /** Every node of a plan, depth first. */
  const nodes = (node: PgPlanNode): PgPlanNode[] => [node, ...(node.Plans ?? []).flatMap(nodes)];

  it('reads each cluster as ranges of the partial due index, with no sort, on a table of mostly sent rows and a backlog of many pages', async () => {
    const db = pool(0);
    await migratePgOutboxTable(db, {}, 'plan_outbox');
    await db.query(`INSERT INTO plan_outbox (account_no, state, topic_name, cluster_name, payload, partition_no)
      SELECT 'sent-' || i, 1, 't', CASE WHEN i % 2 = 0 THEN 'cluster_a' ELSE 'cluster_b' END, 'x', i % 1024 FROM generate_series(1, 50000) AS i`);
    await db.query(`INSERT INTO plan_outbox (account_no, topic_name, cluster_name, payload, partition_no, next_select_time)
      SELECT 'pending-' || i, 't', CASE WHEN i % 2 = 0 THEN 'cluster_a' ELSE 'cluster_b' END, 'x', i % 1024,
        now() + CASE WHEN i % 3 = 0 THEN interval '1 hour' ELSE interval '-1 minute' END FROM generate_series(1, 12000) AS i`);
    await db.query('ANALYZE plan_outbox');
    const partitioning = createPartitioning({ table: 'plan_outbox' }, 1);
    const store = new PgOutboxStore([db], partitioning);
    for (const perKeyOrdering of [false, true]) {
      const scope = partitioning.scopes({ item: 0, total: 4, jobParameter: '', shardingParameter: undefined })[0] as TableScope;
      const request = await firstDueRequest(store, scope, { limit: 500, epoch: 1, admits: (_cluster, share) => share, perKeyOrdering });
      expect(request?.shares.map((share) => share.cluster)).toEqual(['cluster_a', 'cluster_b']);
      const plan = nodes((await store.explainFetch(scope, request as NonNullable<typeof request>)) as PgPlanNode);
      expect(plan.filter((node) => node['Node Type'] === 'Sort' || node['Node Type'] === 'Incremental Sort')).toEqual([]);
      const outer = plan.filter((node) => node['Relation Name'] === 'plan_outbox' && /^t(_\d+)?$/.test(String(node['Alias'])));
      expect(outer).toHaveLength(4); // two ranges (NULL due times, dated due times) per cluster
      for (const node of outer) {
        expect(node['Node Type']).toMatch(/^Index (Only )?Scan$/);
        expect(node['Index Name']).toBe('plan_outbox_due');
      }
    }
  });
});
