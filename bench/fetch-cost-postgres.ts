/**
 * Cost of the relay's fetch on PostgreSQL when the table is large and almost everything is sent,
 * the counterpart of fetch-cost.ts: the plan of each partitioning mode's first read (its node
 * types and index) and the median time of one page (500 rows of item 0 of 4, through the relay's
 * own store and page planner, finding the clusters included). Rows alternate between two clusters.
 * Usage: node --conditions=@shardflow/source --import tsx bench/fetch-cost-postgres.ts [--rows 1000000] [--pending 1000]
 */
import pg from 'pg';
import { migratePgOutboxTable, PgOutboxStore, type PgPlanNode } from '@shardflow/outbox-relay';
import { createPgTestDatabase } from '@shardflow/testkit';
import { median, numberArgument, report } from './support/bench-services.js';
import { timeFetches } from './support/fetch-timing.js';

const ROWS = numberArgument('--rows', 1_000_000);
const PENDING = numberArgument('--pending', 1_000);
const database = await createPgTestDatabase('fetchcost');
const pool = new pg.Pool({ connectionString: database.url, max: 4 });
const nodes = (node: PgPlanNode): PgPlanNode[] => [node, ...(node.Plans ?? []).flatMap(nodes)];
try {
  await migratePgOutboxTable(pool);
  const insertStarted = Date.now();
  await pool.query(`INSERT INTO msg_send_record (account_no, state, topic_name, cluster_name, payload, partition_no)
    SELECT 'user-' || n, CASE WHEN n >= $1 THEN 0 ELSE 1 END, 'user-registered', CASE WHEN n % 2 = 0 THEN 'cluster_a' ELSE 'cluster_b' END, 'x', n % 1024
    FROM generate_series(0, $2 - 1) AS n`, [ROWS - PENDING, ROWS]);
  await pool.query('ANALYZE msg_send_record');
  console.log(`inserted ${ROWS} rows in ${((Date.now() - insertStarted) / 1000).toFixed(0)} s`);
  for (const { mode, partitioning, scope, request, times } of await timeFetches(pool)) {
    const plan = request ? nodes((await new PgOutboxStore([pool], partitioning).explainFetch(scope, request)) as PgPlanNode) : [];
    const scans = plan.filter((node) => node['Relation Name'] === 'msg_send_record');
    report('fetch-cost-postgres', {
      mode, rows: ROWS, pending: PENDING, median_ms: median(times), max_ms: Math.max(...times),
      scans: `"${scans.map((node) => `${node['Node Type']} ${node['Index Name'] ?? ''}`.trim()).join(', ')}"`,
      sorts: String(plan.filter((node) => /Sort/.test(node['Node Type'])).length),
    });
  }
} finally {
  await pool.end();
  await database.drop();
}
