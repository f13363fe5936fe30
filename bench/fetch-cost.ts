/**
 * Cost of the relay's fetch when the table is large and almost everything is sent: EXPLAIN of each
 * partitioning mode's query and the median time of one page, on real MariaDB.
 * Usage: node --conditions=@shardflow/source --import tsx bench/fetch-cost.ts [--rows 1000000] [--pending 1000]
 */
import mysql, { type RowDataPacket } from 'mysql2/promise';
import { migrateOutboxTable } from '@shardflow/outbox-relay';
import { createTestDatabase } from '@shardflow/testkit';
import { median, report } from './support/bench-services.js';

const argument = (name: string, fallback: number): number => {
  const index = process.argv.indexOf(`--${name}`);
  return index > 0 ? Number(process.argv[index + 1]) : fallback;
};
const ROWS = argument('rows', 1_000_000);
const PENDING = argument('pending', 1_000);
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
      return [`user-${n}`, n >= pendingFrom ? 0 : 1, 'user-registered', 'cluster_a', 'x', n % 1024];
    });
    await pool.query(
      `INSERT INTO msg_send_record (account_no, state, topic_name, cluster_name, payload, partition_no) VALUES ${values.map(() => '(?, ?, ?, ?, ?, ?)').join(', ')}`,
      values.flat());
  }
  await pool.query('ANALYZE TABLE msg_send_record');
  console.log(`inserted ${ROWS} rows in ${((Date.now() - insertStarted) / 1000).toFixed(0)} s`);
  const modes: Array<[string, string]> = [
    ['virtual-partition', 't.`partition_no` BETWEEN 0 AND 255'],
    ['id-mod', 'MOD(t.`id`, 4) = 0'],
  ];
  for (const [mode, scope] of modes) {
    const query = `SELECT t.id, t.account_no, t.payload FROM msg_send_record t WHERE t.state = 0 AND t.next_select_time <= NOW(3) AND (${scope})
      AND (t.claim_epoch IS NULL OR t.claim_epoch <= 1) ORDER BY t.next_select_time, t.id LIMIT 500`;
    const [plan] = await pool.query<RowDataPacket[]>(`EXPLAIN ${query}`);
    const times: number[] = [];
    for (let i = 0; i < 30; i++) {
      const started = process.hrtime.bigint();
      await pool.query(query);
      times.push(Number(process.hrtime.bigint() - started) / 1e6);
    }
    const step: Record<string, unknown> = plan[0] ?? {};
    report('fetch-cost', { mode, rows: ROWS, pending: PENDING, median_ms: median(times), max_ms: Math.max(...times), type: String(step['type']), key: String(step['key']), examined_estimate: String(step['rows']), extra: `"${String(step['Extra'])}"` });
  }
} finally {
  await pool.end();
  await database.drop();
}
