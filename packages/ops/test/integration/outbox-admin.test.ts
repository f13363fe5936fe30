import mysql, { type Pool } from 'mysql2/promise';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrateOutboxTable, migratePgOutboxTable } from '@shardflow/outbox-relay';
import { createPgTestDatabase, createTestDatabase, type PgTestDatabase, type TestDatabase } from '@shardflow/testkit';
import { OutboxAdmin } from '../../src/index.js';
import { runShardflow } from '../support/run-shardflow.js';

/**
 * cluster_a: 3 pending in partitions 0, 10 and 900 (one waiting for a retry, one an hour old), 2 dead.
 * cluster_b: 1 pending in partition 600, 1 dead. Standard SQL that MariaDB and PostgreSQL both run.
 */
const PENDING_AND_DEAD_ROWS = `INSERT INTO msg_send_record (account_no, state, topic_name, cluster_name, payload, partition_no, retry_count, next_select_time, create_time, last_error) VALUES
  ('p1', 0, 'register', 'cluster_a', 'x', 0, 0, CURRENT_TIMESTAMP(3), CURRENT_TIMESTAMP(3) - INTERVAL '1' HOUR, NULL),
  ('p2', 0, 'register', 'cluster_a', 'x', 10, 2, CURRENT_TIMESTAMP(3) + INTERVAL '1' MINUTE, CURRENT_TIMESTAMP(3), 'BROKER_UNAVAILABLE: down'),
  ('p3', 0, 'register', 'cluster_a', 'x', 900, 0, CURRENT_TIMESTAMP(3), CURRENT_TIMESTAMP(3), NULL),
  ('d1', 2, 'register', 'cluster_a', 'x', 5, 5, CURRENT_TIMESTAMP(3), CURRENT_TIMESTAMP(3), 'BROKER_UNAVAILABLE: down'),
  ('d2', 2, 'points', 'cluster_a', 'x', 700, 0, CURRENT_TIMESTAMP(3), CURRENT_TIMESTAMP(3), 'MESSAGE_TOO_LARGE: big'),
  ('p4', 0, 'points', 'cluster_b', 'x', 600, 0, CURRENT_TIMESTAMP(3), CURRENT_TIMESTAMP(3), NULL),
  ('d3', 2, 'points', 'cluster_b', 'x', 601, 0, CURRENT_TIMESTAMP(3), CURRENT_TIMESTAMP(3), 'TOPIC_NOT_FOUND: gone')`;

/** What both databases' backlogs hold for those rows, but the oldest pending age. */
const EXPECTED_BACKLOG = [
  { cluster: 'cluster_a', pending: 3, retrying: 1, dead: 2, capped: false },
  { cluster: 'cluster_b', pending: 1, retrying: 0, dead: 1, capped: false },
];
const TWO_ITEMS = [0, 1].map((item) => ({ item, total: 2, jobParameter: '', shardingParameter: undefined }));
/** Item 0 holds partitions 0-511, item 1 partitions 512-1023. */
const EXPECTED_ITEMS = [{ item: 0, pending: 2, retrying: 1, dead: 1 }, { item: 1, pending: 2, retrying: 0, dead: 2 }];

describe('OutboxAdmin on real MariaDB', () => {
  let database: TestDatabase;
  let pool: Pool;
  beforeAll(async () => {
    database = await createTestDatabase('ops_outbox');
    pool = mysql.createPool({ ...database.config, connectionLimit: 4 });
    await migrateOutboxTable(pool);
    // Mostly sent rows, as in a real outbox: a plan only means something at that shape.
    await pool.query(`INSERT INTO msg_send_record (account_no, state, topic_name, cluster_name, payload, partition_no)
      WITH RECURSIVE n (i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < 999)
      SELECT CONCAT('sent-', a.i, '-', b.i), 1, 't', 'cluster_a', 'x', (a.i * 20 + b.i) % 1024 FROM n a JOIN n b ON b.i < 20`);
    await pool.query(PENDING_AND_DEAD_ROWS);
    await pool.query('ANALYZE TABLE msg_send_record');
  });
  afterAll(async () => {
    await pool.end();
    await database.drop();
  });

  it('backlog per cluster: pending, retrying, dead and the oldest pending age', async () => {
    const admin = new OutboxAdmin({ databases: [pool] });
    const backlog = await admin.backlog();
    expect(backlog.map(({ oldestPendingAgeMs: _age, ...rest }) => rest)).toEqual(EXPECTED_BACKLOG);
    expect(backlog[0]?.oldestPendingAgeMs).toBeGreaterThan(3_500_000);
    expect(backlog[1]?.oldestPendingAgeMs).toBeLessThan(600_000);
  });

  it('backlog per relay item follows the partitioning; counts stop at the cap and say so', async () => {
    const admin = new OutboxAdmin({ databases: [pool] });
    const items = await admin.backlogByItem(TWO_ITEMS);
    expect(items.map(({ item, pending, retrying, dead }) => ({ item, pending, retrying, dead }))).toEqual(EXPECTED_ITEMS);
    expect(items[1]?.clusters.map((c) => [c.cluster, c.pending, c.dead])).toEqual([['cluster_a', 1, 1], ['cluster_b', 1, 1]]);
    const capped = await new OutboxAdmin({ databases: [pool], countCap: 2 }).backlog();
    expect(capped[0]).toMatchObject({ cluster: 'cluster_a', pending: 2, dead: 2, capped: true });
  });

  it.each([
    ['virtual partitions', { mode: 'virtual-partition' }],
    ['id-mod', { mode: 'id-mod' }],
  ] as const)('no backlog statement scans the table (%s): each reads a range of the due index (index only) or one row by key', async (_mode, partitioning) => {
    const explained = await new OutboxAdmin({ databases: [pool], partitioning }).explainBacklog(TWO_ITEMS);
    // 2 cluster dives + 1 lookup, and pending + dead for 2 clusters in 3 scopes (whole table, 2 items).
    expect(explained).toHaveLength(15);
    // MIN over an index prefix (the cluster dives) is answered from the index alone, without a table step.
    const fromIndexAlone = explained.filter(({ plan }) => plan.length === 1 && /optimized away|No matching min\/max row/.test(String(plan[0]?.['Extra'])));
    const reads = explained.filter((statement) => !fromIndexAlone.includes(statement));
    for (const { sql, plan } of reads) expect(plan.filter((step) => step['table'] === 't'), sql).toHaveLength(1);
    const tableSteps = reads.map(({ sql, plan }) => ({ sql, step: plan.find((step) => step['table'] === 't') ?? {} }));
    const byKey = tableSteps.filter(({ step }) => step['key'] === 'PRIMARY');
    const byDueIndex = tableSteps.filter(({ step }) => step['key'] !== 'PRIMARY');
    expect(fromIndexAlone).toHaveLength(2);
    expect(byKey).toHaveLength(1);
    expect(byDueIndex).toHaveLength(12);
    for (const { sql, step } of byKey) expect(step['type'], sql).toBe('const');
    // Anything else, a scan included, must prove to be a range of the due index read from the index alone.
    for (const { sql, step } of byDueIndex) {
      expect(step['key'], sql).toBe('idx_outbox_due');
      expect(['ref', 'range'], sql).toContain(step['type']);
      expect(String(step['Extra']), sql).toContain('Using index');
    }
  });

  it('dead rows: list and count by filter, replay back to pending', async () => {
    const admin = new OutboxAdmin({ databases: [pool] });
    expect(await admin.countDead({})).toBe(3);
    expect((await admin.listDead({ cluster: 'cluster_a' }, 10)).map((row) => [row.key, row.lastError])).toEqual([
      ['d1', 'BROKER_UNAVAILABLE: down'], ['d2', 'MESSAGE_TOO_LARGE: big'],
    ]);
    const [d3] = await admin.listDead({ key: 'd3' }, 10);
    expect(await admin.replayDead({ ids: [d3?.id as number] })).toBe(1);
    expect(await admin.countDead({})).toBe(2);
    expect((await admin.backlog()).find((c) => c.cluster === 'cluster_b')).toMatchObject({ pending: 2, dead: 0 });
  });
});

describe('OutboxAdmin and `shardflow outbox` on real PostgreSQL', () => {
  let database: PgTestDatabase;
  let pool: pg.Pool;
  beforeAll(async () => {
    database = await createPgTestDatabase('ops_outbox');
    pool = new pg.Pool({ connectionString: database.url, max: 4 });
    await migratePgOutboxTable(pool);
    await pool.query(`INSERT INTO msg_send_record (account_no, state, topic_name, cluster_name, payload, partition_no)
      SELECT 'sent-' || i, 1, 't', 'cluster_a', 'x', i % 1024 FROM generate_series(1, 5000) AS i`);
    await pool.query(PENDING_AND_DEAD_ROWS);
    await pool.query('ANALYZE msg_send_record');
  });
  afterAll(async () => {
    await pool.end();
    await database.drop();
  });

  it('backlog per cluster and per relay item, with the cap', async () => {
    const admin = new OutboxAdmin({ databases: [pool] });
    const backlog = await admin.backlog();
    expect(backlog.map(({ oldestPendingAgeMs: _age, ...rest }) => rest)).toEqual(EXPECTED_BACKLOG);
    expect(backlog[0]?.oldestPendingAgeMs).toBeGreaterThan(3_500_000);
    const items = await admin.backlogByItem(TWO_ITEMS);
    expect(items.map(({ item, pending, retrying, dead }) => ({ item, pending, retrying, dead }))).toEqual(EXPECTED_ITEMS);
    expect((await new OutboxAdmin({ databases: [pool], countCap: 2 }).backlog())[0]).toMatchObject({ cluster: 'cluster_a', pending: 2, dead: 2, capped: true });
  });

  it('no backlog statement reads the table itself: every plan scans an index', async () => {
    const explained = await new OutboxAdmin({ databases: [pool] }).explainBacklog([{ item: 0, total: 2, jobParameter: '', shardingParameter: undefined }]);
    expect(explained.length).toBeGreaterThan(0);
    const seqScans = explained.filter(({ plan }) => plan.some((row) => String(row['QUERY PLAN']).includes('Seq Scan')));
    expect(seqScans.map(({ sql }) => sql)).toEqual([]);
  });

  it('the CLI reads the backlog and replays a dead row with a postgres:// URL', async () => {
    const backlog = await runShardflow(['outbox', 'backlog', '--db', database.url, '--json']);
    expect(backlog.code).toBe(0);
    expect((JSON.parse(backlog.stdout) as { clusters: unknown[] }).clusters).toEqual(expect.arrayContaining([expect.objectContaining({ cluster: 'cluster_b', pending: 1, dead: 1 })]));
    const replay = await runShardflow(['outbox', 'dead', 'replay', '--db', database.url, '--key', 'd3']);
    expect(replay.code).toBe(0);
    expect(await new OutboxAdmin({ databases: [pool] }).countDead({ cluster: 'cluster_b' })).toBe(0);
  });
});
