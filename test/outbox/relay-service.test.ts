import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import mysql, { type Pool, type RowDataPacket } from 'mysql2/promise';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOutbox, migrateOutboxTable, migratePgOutboxTable } from '@shardflow/outbox-relay';
import { createPgTestDatabase, createTestDatabase, testServices, uniqueNamespace, waitUntil, type PgTestDatabase, type TestDatabase } from '@shardflow/testkit';
import { countDelivered } from '../fixtures/count-delivered.js';
import { RELAY_SERVICE_ARGS, startRelayServiceProcesses, type ReadyProcess } from '../fixtures/relay-processes.js';

const ROWS = 1_500;
const ITEMS = 6;

/** What an operator would write: one file for every instance, connection details and secrets from the environment. */
function configFile(database: string, namespace: string, table = 'msg_send_record', extra = '', dialect: 'mysql' | 'postgres' = 'mysql'): string {
  return `${extra}
table: ${table}
instanceId: \${RELAY_INSTANCE}
databases:
  - dialect: ${dialect}
    host: \${DB_HOST}
    port: \${DB_PORT}
    user: \${DB_USER}
    password: \${DB_PASSWORD}
    database: ${database}
clusters:
  cluster_a:
    brokers: \${KAFKA_BROKERS}
relay:
  pageSize: 100
  backoff: { initialDelayMs: 200, maxDelayMs: 2000 }
zookeeper:
  connectString: \${ZK}
  namespace: ${namespace}
  sessionTimeoutMs: 3000
job:
  jobName: relay-service-test
  shardingTotalCount: ${ITEMS}
  shutdownTimeoutMs: 15000
http:
  port: 0
`;
}

async function get(instance: ReadyProcess, path: string): Promise<{ status: number; body: string }> {
  const response = await fetch(`http://127.0.0.1:${String(instance.ready['httpPort'])}${path}`);
  return { status: response.status, body: await response.text() };
}

function exited(instance: ReadyProcess): Promise<number | null> {
  return new Promise((resolve) => {
    if (instance.child.exitCode !== null) resolve(instance.child.exitCode);
    else instance.child.once('exit', (code) => resolve(code));
  });
}

describe('relay service processes started from one config file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'relay-service-'));
  const topic = `relay-service-${Date.now().toString(36)}`;
  let database: TestDatabase;
  let pool: Pool;
  const instances: ReadyProcess[] = [];

  /** What the file's references read, the same for every instance. */
  const sharedEnv = (): Record<string, string> => ({
    DB_HOST: String(database.config.host), DB_PORT: String(database.config.port), DB_USER: String(database.config.user),
    DB_PASSWORD: String(database.config.password ?? ''), KAFKA_BROKERS: testServices().kafka['cluster_a'] as string, ZK: testServices().zookeeper,
  });

  beforeAll(async () => {
    database = await createTestDatabase('relay_service');
    pool = mysql.createPool({ ...database.config, connectionLimit: 4 });
    await migrateOutboxTable(pool);
  });
  afterAll(async () => {
    for (const instance of instances) instance.child.kill('SIGKILL');
    await pool?.end();
    await database?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('stops at start with exit 1 naming a table that does not exist', async () => {
    const file = join(dir, 'wrong-table.yaml');
    writeFileSync(file, configFile(database.name, uniqueNamespace('relay-service'), 'msg_send_recrod'));
    const { code, stderr } = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
      const child = execFile(process.execPath, [...RELAY_SERVICE_ARGS, '--config', file], { env: { ...process.env, ...sharedEnv(), RELAY_INSTANCE: 'svc-x' } }, (_error, _stdout, stderr) => resolve({ code: child.exitCode, stderr }));
    });
    expect(code).toBe(1);
    expect(stderr).toContain('cannot start');
    expect(stderr).toContain('msg_send_recrod');
  });

  it('three of them: one killed with SIGKILL, one stopped with SIGTERM; every row delivered, items handed over, readiness reported', async () => {
    const bootstrap = testServices().kafka['cluster_a'] as string;
    const file = join(dir, 'relay.yaml');
    writeFileSync(file, configFile(database.name, uniqueNamespace('relay-service')));
    instances.push(...(await startRelayServiceProcesses(file, [1, 2, 3].map((n) => ({ ...sharedEnv(), RELAY_INSTANCE: `svc-${n}` })))));
    const [killed, stopped, survivor] = instances as [ReadyProcess, ReadyProcess, ReadyProcess];
    for (const instance of instances) expect(await get(instance, '/readyz')).toEqual({ status: 200, body: 'ready\n' });
    expect((await get(survivor, '/healthz')).status).toBe(200);

    const writer = createOutbox({ databases: [pool], clusters: { cluster_a: { brokers: [bootstrap] } } });
    try {
      for (let batch = 0; batch < ROWS / 100; batch++) {
        await writer.writer.addMany(pool as never, Array.from({ length: 100 }, (_, i) => ({ key: `user-${batch}-${i}`, topic, cluster: 'cluster_a', payload: Buffer.from(`${batch}-${i}`) })));
        if (batch === 4) killed.child.kill('SIGKILL');
        if (batch === 8) stopped.child.kill('SIGTERM');
        await sleep(100);
      }
    } finally {
      await writer.close();
    }

    // The hand-over: exit 0 after the scheduler left the job and everything closed.
    expect(await exited(stopped)).toBe(0);
    expect(stopped.events.map((event) => event['event'])).toEqual(expect.arrayContaining(['signal', 'stopping', 'stopped']));

    let unsent = ROWS;
    await waitUntil(async () => {
      unsent = Number((await pool.query<RowDataPacket[]>('SELECT COUNT(*) AS n FROM msg_send_record WHERE state <> 1'))[0][0]?.['n']);
      return unsent === 0;
    }, { timeoutMs: 90_000, intervalMs: 500, what: 'every row marked sent' }).catch(() => undefined);
    expect(unsent).toBe(0);

    // The survivor owns every item once the killed instance's session expired.
    await waitUntil(async () => (await get(survivor, '/metrics')).body.includes(`shardflow_relay_items_owned ${ITEMS}\n`), { timeoutMs: 30_000, intervalMs: 300, what: 'the survivor owns every item' });
    const metrics = (await get(survivor, '/metrics')).body;
    expect(metrics).toContain('shardflow_relay_ready 1\n');
    expect(metrics).toMatch(/shardflow_outbox_sent_total\{cluster="cluster_a"\} [1-9]/);

    const [idRows] = await pool.query<RowDataPacket[]>('SELECT id FROM msg_send_record');
    const delivered = await countDelivered(bootstrap, topic, ROWS);
    const missing = idRows.map((row) => Number(row['id'])).filter((id) => !delivered.has(id));
    const duplicates = [...delivered.values()].filter((times) => times > 1).length;
    const handOverMs = stopped.events.find((event) => event['event'] === 'stopped')?.['handOverMs'];
    console.log(`[relay-service] rows ${ROWS}, delivered distinct ${delivered.size}, duplicated ${duplicates}, missing ${missing.length}; SIGTERM hand-over ${String(handOverMs)} ms`);
    expect(idRows).toHaveLength(ROWS);
    expect(missing).toEqual([]);
  });

  it('with a cleanup section, deletes the rows it sent once past their retention', async () => {
    const table = 'cleanup_outbox';
    await migrateOutboxTable(pool, {}, table);
    const file = join(dir, 'cleanup.yaml');
    writeFileSync(file, configFile(database.name, uniqueNamespace('relay-cleanup'), table, 'cleanup: { cron: "* * * * * ?", retentionMs: 0 }'));
    const [instance] = await startRelayServiceProcesses(file, [{ ...sharedEnv(), RELAY_INSTANCE: 'svc-cleanup' }]);
    instances.push(instance as ReadyProcess);
    const writer = createOutbox({ databases: [pool], clusters: { cluster_a: { brokers: [testServices().kafka['cluster_a'] as string] } }, table });
    let ids: number[];
    try {
      ids = await writer.writer.addMany(pool as never, Array.from({ length: 50 }, (_, i) => ({ key: `cleanup-${i}`, topic, cluster: 'cluster_a', payload: Buffer.from(String(i)) })));
    } finally {
      await writer.close();
    }
    expect(ids).toHaveLength(50);
    const remaining = async (): Promise<number> => Number((await pool.query<RowDataPacket[]>(`SELECT COUNT(*) AS n FROM ${table}`))[0][0]?.['n']);
    // Only sent rows are deleted: an empty table means every row was sent, then cleaned up.
    await waitUntil(async () => (await remaining()) === 0, { timeoutMs: 60_000, intervalMs: 500, what: 'the cleanup job emptied the table' });
    expect(await remaining()).toBe(0);
  });
});

describe('a relay service on PostgreSQL (dialect: postgres)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'relay-service-pg-'));
  const topic = `relay-service-pg-${Date.now().toString(36)}`;
  let database: PgTestDatabase;
  let pool: pg.Pool;
  const instances: ReadyProcess[] = [];

  beforeAll(async () => {
    database = await createPgTestDatabase('relay_service');
    pool = new pg.Pool({ connectionString: database.url, max: 4 });
    await migratePgOutboxTable(pool);
  });
  afterAll(async () => {
    for (const instance of instances) instance.child.kill('SIGKILL');
    await pool?.end();
    await database?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('two instances from one file, one killed with SIGKILL: every row the pg writer committed is delivered and marked sent', async () => {
    const bootstrap = testServices().kafka['cluster_a'] as string;
    const url = new URL(database.url);
    const env = {
      DB_HOST: url.hostname, DB_PORT: url.port || '5432', DB_USER: decodeURIComponent(url.username), DB_PASSWORD: decodeURIComponent(url.password),
      KAFKA_BROKERS: bootstrap, ZK: testServices().zookeeper,
    };
    const file = join(dir, 'relay.yaml');
    writeFileSync(file, configFile(database.name, uniqueNamespace('relay-service-pg'), 'msg_send_record', '', 'postgres'));
    instances.push(...(await startRelayServiceProcesses(file, [1, 2].map((n) => ({ ...env, RELAY_INSTANCE: `pg-svc-${n}` })))));
    const [killed] = instances as [ReadyProcess, ReadyProcess];

    const rows = 600;
    const writer = createOutbox({ databases: [pool], clusters: { cluster_a: { brokers: [bootstrap] } } });
    try {
      for (let batch = 0; batch < rows / 100; batch++) {
        const client = await pool.connect();
        try {
          await client.query('BEGIN');
          await writer.writer.addMany(client, Array.from({ length: 100 }, (_, i) => ({ key: `pg-user-${batch}-${i}`, topic, cluster: 'cluster_a', payload: Buffer.from(`${batch}-${i}`) })));
          await client.query('COMMIT');
        } finally {
          client.release();
        }
        if (batch === 2) killed.child.kill('SIGKILL');
        await sleep(100);
      }
    } finally {
      await writer.close();
    }

    let unsent = rows;
    await waitUntil(async () => {
      unsent = Number((await pool.query<{ n: string }>('SELECT COUNT(*) AS n FROM msg_send_record WHERE state <> 1')).rows[0]?.n);
      return unsent === 0;
    }, { timeoutMs: 90_000, intervalMs: 500, what: 'every row marked sent' }).catch(() => undefined);
    expect(unsent).toBe(0);
    const { rows: idRows } = await pool.query<{ id: string }>('SELECT id FROM msg_send_record');
    const delivered = await countDelivered(bootstrap, topic, rows);
    expect(idRows).toHaveLength(rows);
    expect(idRows.map((row) => Number(row.id)).filter((id) => !delivered.has(id))).toEqual([]);
  });
});
