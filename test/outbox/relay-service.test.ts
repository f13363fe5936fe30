import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import mysql, { type Pool, type RowDataPacket } from 'mysql2/promise';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postgresHistoryDatabase, type ExecutionRow } from '@shardflow/history';
import { HistoryAdmin, type JobExecutions } from '@shardflow/ops';
import { createOutbox, migrateOutboxTable, migratePgOutboxTable, type Outbox, type PgTransaction } from '@shardflow/outbox-relay';
import { createKafkaTopic, createPgTestDatabase, createTestDatabase, testServices, uniqueNamespace, waitUntil, type PgTestDatabase, type TestDatabase } from '@shardflow/testkit';
import { countDelivered } from '../fixtures/count-delivered.js';
import { RELAY_SERVICE_ARGS, startRelayServiceProcesses, type ReadyProcess } from '../fixtures/relay-processes.js';

const ROWS = 1_500;
const ITEMS = 6;

interface ConfigFileOptions {
  readonly table?: string;
  /** Top-level sections added as they are. */
  readonly extra?: string;
  readonly dialect?: 'mysql' | 'postgres';
  /** Default the service's own (every second). */
  readonly cron?: string;
}

/** What an operator would write: one file for every instance, connection details and secrets from the environment. */
function configFile(database: string, namespace: string, { table = 'msg_send_record', extra = '', dialect = 'mysql', cron }: ConfigFileOptions = {}): string {
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
${cron === undefined ? '' : `  cron: "${cron}"\n`}http:
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

/** Hourly, half an hour from now: while a test runs, no run of the relay can come from its cron. */
function cronHalfAnHourAway(): string {
  return `0 ${(new Date().getMinutes() + 30) % 60} * * * ?`;
}

/** Rows of one outbox table for `topic`. */
function outboxRows(topic: string, keyPrefix: string, count: number): Array<{ key: string; topic: string; cluster: string; payload: Buffer }> {
  return Array.from({ length: count }, (_, i) => ({ key: `${keyPrefix}-${i}`, topic, cluster: 'cluster_a', payload: Buffer.from(`${keyPrefix}-${i}`) }));
}

interface WakeupCase {
  /** What the `ready` line reports for the dialect's default mode. */
  readonly mode: 'notify' | 'poll';
  /** Starts one service instance whose file has `wakeup: true` and this cron. */
  start(cron: string): Promise<ReadyProcess>;
  /** Commits rows for `topic` in one transaction; returns their ids. */
  write(topic: string, keyPrefix: string, count: number): Promise<number[]>;
  /** Rows of the table not yet marked sent. */
  unsent(): Promise<number>;
}

/** Far less than the half hour until the cron's fire, far more than a wakeup takes. */
const WAKEUP_WAIT_MS = 20_000;

/**
 * Rows committed before the service starts (run when it receives its items) and rows committed
 * once it has sent those (run when the poll or the writer's notification announces them) all reach
 * Kafka while the cron cannot fire: without the wakeup none would be sent within the wait. Then
 * SIGTERM: the wakeup stops with the rest, the process exits 0.
 */
async function expectRelayedByWakeupsAlone({ mode, start, write, unsent }: WakeupCase): Promise<void> {
  // Created with its leader elected: what this checks is the wakeup, not a first send racing the
  // topic's creation, which fails and then waits for the next trigger (here the cron, half an hour away).
  const topic = await createKafkaTopic(testServices().kafka['cluster_a'] as string, `relay-service-wakeup-${mode}-${Date.now().toString(36)}`, 1);
  const allSent = async (what: string): Promise<number> => {
    let left = -1;
    await waitUntil(async () => (left = await unsent()) === 0, { timeoutMs: WAKEUP_WAIT_MS, intervalMs: 200, what }).catch(() => undefined);
    return left;
  };
  const ids = await write(topic, 'before-start', 20);
  const instance = await start(cronHalfAnHourAway());
  expect(instance.ready['wakeup']).toBe(mode);
  expect(await allSent('the rows committed before start marked sent')).toBe(0);
  for (let round = 0; round < 3; round++) ids.push(...(await write(topic, `after-ready-${round}`, 10)));
  expect(await allSent('the rows committed after ready marked sent')).toBe(0);

  const delivered = await countDelivered(testServices().kafka['cluster_a'] as string, topic, ids.length);
  expect(ids).toHaveLength(50);
  expect(ids.filter((id) => !delivered.has(id))).toEqual([]);
  const metrics = (await get(instance, '/metrics')).body;
  expect(metrics).toMatch(/\nshardflow_relay_item_runs_total\{trigger="wakeup"\} [1-9]/);
  expect(metrics).not.toContain('shardflow_relay_item_runs_total{trigger="cron"}');

  instance.child.kill('SIGTERM');
  expect(await exited(instance)).toBe(0);
  expect(instance.events.map((event) => event['event'])).toContain('stopped');
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
    writeFileSync(file, configFile(database.name, uniqueNamespace('relay-service'), { table: 'msg_send_recrod' }));
    const { code, stderr } = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
      const child = execFile(process.execPath, [...RELAY_SERVICE_ARGS, '--config', file], { env: { ...process.env, ...sharedEnv(), RELAY_INSTANCE: 'svc-x' } }, (_error, _stdout, stderr) => resolve({ code: child.exitCode, stderr }));
    });
    expect(code).toBe(1);
    expect(stderr).toContain('cannot start');
    expect(stderr).toContain('msg_send_recrod');
  });

  it('on a table of the DYNAMIC row format, prints a tableAdvice line with the ALTER TABLE before ready', async () => {
    await migrateOutboxTable(pool, {}, 'dynamic_outbox');
    await pool.query('ALTER TABLE dynamic_outbox ROW_FORMAT=DYNAMIC');
    const file = join(dir, 'dynamic.yaml');
    writeFileSync(file, configFile(database.name, uniqueNamespace('relay-service'), { table: 'dynamic_outbox' }));
    const [instance] = await startRelayServiceProcesses(file, [{ ...sharedEnv(), RELAY_INSTANCE: 'svc-dynamic' }]);
    if (!instance) throw new Error('no relay service started');
    try {
      const names = instance.events.map((event) => event['event']);
      expect(names).toContain('tableAdvice');
      expect(names).toContain('ready');
      expect(names.indexOf('tableAdvice')).toBeLessThan(names.indexOf('ready'));
      expect(instance.events.find((event) => event['event'] === 'tableAdvice')).toMatchObject({
        table: 'dynamic_outbox', database: 0, rowFormat: 'Dynamic', message: expect.stringContaining('ALTER TABLE `dynamic_outbox` ROW_FORMAT=REDUNDANT'),
      });
      instance.child.kill('SIGTERM');
      expect(await exited(instance)).toBe(0);
    } finally {
      if (instance.child.exitCode === null && instance.child.signalCode === null) instance.child.kill('SIGKILL');
    }
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
        await writer.writer.addMany(pool as never, outboxRows(topic, `user-${batch}`, 100));
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
    writeFileSync(file, configFile(database.name, uniqueNamespace('relay-cleanup'), { table, extra: 'cleanup: { cron: "* * * * * ?", retentionMs: 0 }' }));
    const [instance] = await startRelayServiceProcesses(file, [{ ...sharedEnv(), RELAY_INSTANCE: 'svc-cleanup' }]);
    instances.push(instance as ReadyProcess);
    const writer = createOutbox({ databases: [pool], clusters: { cluster_a: { brokers: [testServices().kafka['cluster_a'] as string] } }, table });
    let ids: number[];
    try {
      ids = await writer.writer.addMany(pool as never, outboxRows(topic, 'cleanup', 50));
    } finally {
      await writer.close();
    }
    expect(ids).toHaveLength(50);
    const remaining = async (): Promise<number> => Number((await pool.query<RowDataPacket[]>(`SELECT COUNT(*) AS n FROM ${table}`))[0][0]?.['n']);
    // Only sent rows are deleted: an empty table means every row was sent, then cleaned up.
    await waitUntil(async () => (await remaining()) === 0, { timeoutMs: 60_000, intervalMs: 500, what: 'the cleanup job emptied the table' });
    expect(await remaining()).toBe(0);
  });

  /** Commits `count` rows into `table` and waits until the service marked them sent; resolves to the rows left unsent. */
  async function relayRows(table: string, keyPrefix: string, count: number): Promise<number> {
    const writer = createOutbox({ databases: [pool], clusters: { cluster_a: { brokers: [testServices().kafka['cluster_a'] as string] } }, table });
    try {
      expect(await writer.writer.addMany(pool as never, outboxRows(topic, keyPrefix, count))).toHaveLength(count);
    } finally {
      await writer.close();
    }
    let unsent = count;
    await waitUntil(async () => {
      unsent = Number((await pool.query<RowDataPacket[]>(`SELECT COUNT(*) AS n FROM ${table} WHERE state <> 1`))[0][0]?.['n']);
      return unsent === 0;
    }, { timeoutMs: 30_000, intervalMs: 300, what: 'every row marked sent' }).catch(() => undefined);
    return unsent;
  }

  it('with a history section, records every item run in ElasticJob\'s tables on a PostgreSQL database of its own, flushed on SIGTERM', async () => {
    const historyDatabase = await createPgTestDatabase('relay_history');
    const historyPool = new pg.Pool({ connectionString: historyDatabase.url, max: 2 });
    const table = 'history_outbox';
    await migrateOutboxTable(pool, {}, table);
    try {
      const server = new URL(historyDatabase.url);
      const port = server.port === '' ? '5432' : server.port;
      const file = join(dir, 'history.yaml');
      const history = `history:
  database:
    dialect: postgres
    host: \${HISTORY_HOST}
    port: \${HISTORY_PORT}
    user: \${HISTORY_USER}
    password: \${HISTORY_PASSWORD}
    database: ${historyDatabase.name}
  retentionMs: 3600000
  batchSize: 50`;
      writeFileSync(file, configFile(database.name, uniqueNamespace('relay-history'), { table, extra: history }));
      const [instance] = (await startRelayServiceProcesses(file, [{
        ...sharedEnv(), RELAY_INSTANCE: 'svc-history',
        HISTORY_HOST: server.hostname, HISTORY_PORT: port, HISTORY_USER: decodeURIComponent(server.username), HISTORY_PASSWORD: decodeURIComponent(server.password),
      }])) as [ReadyProcess];
      instances.push(instance);
      expect(instance.ready['history']).toBe(`postgres://${server.hostname}:${port}/${historyDatabase.name}`);

      expect(await relayRows(table, 'history', 50)).toBe(0);
      await waitUntil(async () => /\nshardflow_history_rows_written_total [1-9]/.test((await get(instance, '/metrics')).body), { timeoutMs: 20_000, intervalMs: 300, what: 'history rows written' });
      expect((await get(instance, '/metrics')).body).toContain('\nshardflow_history_rows_dropped_total 0\n');
      instance.child.kill('SIGTERM');
      expect(await exited(instance)).toBe(0);

      const admin = new HistoryAdmin(postgresHistoryDatabase(historyPool));
      const executions = executionsOf(await admin.recentExecutions('relay-service-test', 10_000));
      // Every run the service started was completed in the table: the history was written after
      // the scheduler let its runs finish, before the process exited.
      expect(executions.filter((row) => row.complete_time === null).map((row) => row.task_id)).toEqual([]);
      expect(executions.filter((row) => !row.is_success).map((row) => row.failure_cause)).toEqual([]);
      expect([...new Set(executions.map((row) => row.sharding_item))].sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5]);
      expect(new Set(executions.map((row) => row.execution_source))).toEqual(new Set(['NORMAL_TRIGGER']));
      const newest = executions[0] as ExecutionRow;
      const trace = await admin.statusTrace('relay-service-test', newest.task_id);
      expect(trace.enabled && trace.states.map((row) => [row.state, row.slave_id, row.sharding_item])).toEqual([
        ['TASK_RUNNING', 'svc-history', String(newest.sharding_item)], ['TASK_FINISHED', 'svc-history', String(newest.sharding_item)],
      ]);
    } finally {
      await historyPool.end();
      await historyDatabase.drop();
    }
  });

  it('with a history database that does not answer, starts, relays every row, logs it and counts the failed writes; SIGTERM still exits 0', async () => {
    const table = 'history_down_outbox';
    await migrateOutboxTable(pool, {}, table);
    const file = join(dir, 'history-down.yaml');
    // Nothing listens on port 1: every connection is refused.
    const history = 'history:\n  database: { host: 127.0.0.1, port: 1, user: nobody, database: jobs }';
    writeFileSync(file, configFile(database.name, uniqueNamespace('relay-history-down'), { table, extra: history }));
    const [instance] = (await startRelayServiceProcesses(file, [{ ...sharedEnv(), RELAY_INSTANCE: 'svc-history-down' }])) as [ReadyProcess];
    instances.push(instance);
    expect(await relayRows(table, 'history-down', 30)).toBe(0);
    await waitUntil(async () => /\nshardflow_history_write_failures_total [1-9]/.test((await get(instance, '/metrics')).body), { timeoutMs: 20_000, intervalMs: 300, what: 'a failed history write counted' });
    expect((await get(instance, '/metrics')).body).toMatch(/\nshardflow_history_rows_queued [1-9]/);
    expect(instance.events.filter((event) => event['event'] === 'history').map((event) => event['level'])).toContain('warn');

    // The queued rows cannot be written: stopping gives up on them after its few seconds, not never.
    instance.child.kill('SIGTERM');
    expect(await exited(instance)).toBe(0);
    expect(instance.events.map((event) => event['event'])).toContain('stopped');
  });

  it('with wakeup: true and a cron half an hour away, the new-row poll relays the rows at once', async () => {
    const table = 'wakeup_outbox';
    await migrateOutboxTable(pool, {}, table);
    const file = join(dir, 'wakeup.yaml');
    const writer = createOutbox({ databases: [pool], clusters: { cluster_a: { brokers: [testServices().kafka['cluster_a'] as string] } }, table });
    try {
      await expectRelayedByWakeupsAlone({
        mode: 'poll',
        start: async (cron) => {
          writeFileSync(file, configFile(database.name, uniqueNamespace('relay-wakeup'), { table, cron, extra: 'wakeup: true' }));
          const [instance] = (await startRelayServiceProcesses(file, [{ ...sharedEnv(), RELAY_INSTANCE: 'svc-wakeup' }])) as [ReadyProcess];
          instances.push(instance);
          return instance;
        },
        // Autocommit: each batch is one INSERT, committed by itself.
        write: (topic, keyPrefix, count) => writer.writer.addMany(pool as never, outboxRows(topic, keyPrefix, count)),
        unsent: async () => Number((await pool.query<RowDataPacket[]>(`SELECT COUNT(*) AS n FROM ${table} WHERE state <> 1`))[0][0]?.['n']),
      });
    } finally {
      await writer.close();
    }
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

  /** Commits `rows` in one transaction, as an application on PostgreSQL does. */
  const commitRows = async (writer: Outbox<PgTransaction>, rows: ReturnType<typeof outboxRows>): Promise<number[]> => {
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      const ids = await writer.writer.addMany(client, rows);
      await client.query('COMMIT');
      return ids;
    } finally {
      client.release();
    }
  };

  /** What the file's references read. */
  const pgEnv = (): Record<string, string> => {
    const url = new URL(database.url);
    return {
      DB_HOST: url.hostname, DB_PORT: url.port || '5432', DB_USER: decodeURIComponent(url.username), DB_PASSWORD: decodeURIComponent(url.password),
      KAFKA_BROKERS: testServices().kafka['cluster_a'] as string, ZK: testServices().zookeeper,
    };
  };

  it('two instances from one file, one killed with SIGKILL: every row the pg writer committed is delivered and marked sent', async () => {
    const bootstrap = testServices().kafka['cluster_a'] as string;
    const env = pgEnv();
    const file = join(dir, 'relay.yaml');
    writeFileSync(file, configFile(database.name, uniqueNamespace('relay-service-pg'), { dialect: 'postgres' }));
    instances.push(...(await startRelayServiceProcesses(file, [1, 2].map((n) => ({ ...env, RELAY_INSTANCE: `pg-svc-${n}` })))));
    const [killed] = instances as [ReadyProcess, ReadyProcess];

    const rows = 600;
    const writer = createOutbox({ databases: [pool], clusters: { cluster_a: { brokers: [bootstrap] } } });
    try {
      for (let batch = 0; batch < rows / 100; batch++) {
        await commitRows(writer, outboxRows(topic, `pg-user-${batch}`, 100));
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

  it('with wakeup: true and a cron half an hour away, the writer\'s notification relays the rows at once', async () => {
    const table = 'wakeup_outbox';
    await migratePgOutboxTable(pool, {}, table);
    const file = join(dir, 'wakeup.yaml');
    // The writer notifies on commit only when its own outbox has the wakeup.
    const writer = createOutbox({ databases: [pool], clusters: { cluster_a: { brokers: [testServices().kafka['cluster_a'] as string] } }, table, wakeup: true });
    try {
      await expectRelayedByWakeupsAlone({
        mode: 'notify',
        start: async (cron) => {
          writeFileSync(file, configFile(database.name, uniqueNamespace('relay-wakeup-pg'), { table, cron, extra: 'wakeup: true', dialect: 'postgres' }));
          const [instance] = (await startRelayServiceProcesses(file, [{ ...pgEnv(), RELAY_INSTANCE: 'pg-svc-wakeup' }])) as [ReadyProcess];
          instances.push(instance);
          return instance;
        },
        write: (topic, keyPrefix, count) => commitRows(writer, outboxRows(topic, keyPrefix, count)),
        unsent: async () => Number((await pool.query<{ n: string }>(`SELECT COUNT(*) AS n FROM ${table} WHERE state <> 1`)).rows[0]?.n),
      });
    } finally {
      await writer.close();
    }
  });
});

function executionsOf(result: JobExecutions): readonly ExecutionRow[] {
  if (!result.enabled) throw new Error('the history tables are missing');
  return result.executions;
}
