/**
 * Cost of the relay's fetch when the table is large and almost everything is sent: EXPLAIN of each
 * partitioning mode's query and the median time of one page (500 rows of item 0 of 4, through the
 * relay's own store, finding the clusters included), on real MariaDB. Rows alternate between two
 * clusters.
 * Usage: node --conditions=@shardflow/source --import tsx bench/fetch-cost.ts [--rows 1000000] [--pending 1000]
 */
import mysql from 'mysql2/promise';
import { migrateOutboxTable, MysqlOutboxStore } from '@shardflow/outbox-relay';
import { createTestDatabase } from '@shardflow/testkit';
import { median, numberArgument, report } from './support/bench-services.js';
import { timeFetches } from './support/fetch-timing.js';

const ROWS = numberArgument('--rows', 1_000_000);
const PENDING = numberArgument('--pending', 1_000);
const database = await createTestDatabase('fetchcost');
const pool = mysql.createPool({ ...database.config, connectionLimit: 4 });
try {
  await migrateOutboxTable(pool);
  const insertStarted = Date.now();
  const chunk = 5_000;
  for (let offset = 0; offset < ROWS; offset += chunk) {
    const size = Math.min(chunk, ROWS - offset);
    const pendingFrom = ROWS - PENDING;
    const values = Array.from({ length: size }, (_, i) => {
      const n = offset + i;
      return [`user-${n}`, n >= pendingFrom ? 0 : 1, 'user-registered', n % 2 === 0 ? 'cluster_a' : 'cluster_b', 'x', n % 1024];
    });
    await pool.query(
      `INSERT INTO msg_send_record (account_no, state, topic_name, cluster_name, payload, partition_no) VALUES ${values.map(() => '(?, ?, ?, ?, ?, ?)').join(', ')}`,
      values.flat());
  }
  await pool.query('ANALYZE TABLE msg_send_record');
  console.log(`inserted ${ROWS} rows in ${((Date.now() - insertStarted) / 1000).toFixed(0)} s`);
  for (const { mode, partitioning, scope, request, times } of await timeFetches(pool)) {
    const plan = request ? await new MysqlOutboxStore([pool], partitioning).explainFetch(scope, request) : [];
    const [step = {}] = plan;
    report('fetch-cost', { mode, rows: ROWS, pending: PENDING, cluster_ranges: plan.filter((entry) => entry['table'] === 't').length, median_ms: median(times), max_ms: Math.max(...times), type: String(step['type']), key: String(step['key']), examined_estimate: String(step['rows']), extra: `"${String(step['Extra'])}"` });
  }
} finally {
  await pool.end();
  await database.drop();
}
