import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import mysql, { type Pool } from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOutbox, MysqlOutboxStore, VirtualPartitioning, resolveOutboxTable } from '@shardflow/outbox-relay';
import { createTestDatabase, kafkaControl, testServices, uniqueNamespace, waitUntil, formatKafkaClusterMap, type TestDatabase } from '@shardflow/testkit';
import { migrate } from '../src/database.js';
import { CLUSTER, JOB_NAME, readEnvironment } from '../src/environment.js';

const relaySource = fileURLToPath(new URL('../src/relay.ts', import.meta.url));

/** The value of one sample of a Prometheus text exposition, or undefined when the series is absent. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const found = Object.fromEntries([...(match[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((pair) => [pair[1], pair[2]]));
    if (Object.entries(labels).every(([key, value]) => found[key] === value)) return Number(match[3]);
  }
  return undefined;
}

describe('the example relay serves Prometheus metrics that follow real rows and a real broker outage', () => {
  let database: TestDatabase;
  let pool: Pool;
  let relay: ChildProcess;
  let url = '';
  let output = '';
  const topic = `metrics-${Date.now().toString(36)}`;

  beforeAll(async () => {
    database = await createTestDatabase('metrics');
    const services = testServices();
    const env = {
      SHARDFLOW_ZK: services.zookeeper,
      SHARDFLOW_KAFKA: formatKafkaClusterMap(services.kafka),
      SHARDFLOW_MYSQL_URL: services.mysqlUrl,
      SHARDFLOW_EXAMPLE_DB: database.name,
      SHARDFLOW_EXAMPLE_NAMESPACE: uniqueNamespace('metrics'),
    };
    await migrate(readEnvironment({ ...process.env, ...env }));
    pool = mysql.createPool({ ...database.config, connectionLimit: 4 });
    relay = spawn(process.execPath, ['--conditions=@shardflow/source', '--import', 'tsx', relaySource], {
      env: { ...process.env, ...env, RELAY_INSTANCE_ID: 'metrics-relay', RELAY_METRICS_PORT: '0', RELAY_METRICS_BACKLOG_CACHE_MS: '200' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    relay.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    relay.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    await waitUntil(() => output.includes('"event":"ready"'), { what: 'the relay to start', timeoutMs: 60_000, intervalMs: 100, detail: () => output });
    url = String(JSON.parse(output.split('\n').find((line) => line.includes('"event":"metrics"')) as string).url);
  });

  afterAll(async () => {
    if (relay && relay.exitCode === null) {
      const exited = new Promise((resolve) => relay.once('exit', resolve));
      relay.kill('SIGTERM');
      await exited;
    }
    await pool?.end();
    await database?.drop();
  });

  const scrape = async (): Promise<string> => {
    const response = await fetch(url);
    expect(response.status).toBe(200);
    return response.text();
  };
  const write = async (count: number, parkedMs = 0): Promise<void> => {
    const { writer } = createOutbox({ databases: [pool], sink: { send: async () => [], close: async () => undefined } });
    const connection = await pool.getConnection();
    try {
      await writer.addMany(connection, Array.from({ length: count }, (_, i) => ({ key: `user-${i}`, topic, cluster: CLUSTER, payload: { i } })));
      if (parkedMs > 0) await connection.query('UPDATE msg_send_record SET next_select_time = NOW(3) + INTERVAL ? MICROSECOND WHERE state = 0', [parkedMs * 1000]);
    } finally {
      connection.release();
    }
  };
  const until = (what: string, check: (text: string) => boolean, timeoutMs = 60_000): Promise<void> =>
    waitUntil(async () => check(await scrape()), { what, timeoutMs, intervalMs: 250, detail: () => output.slice(-2_000) });

  it('reports leadership, owned items and a connected session once the relay is up', async () => {
    await until('the relay to own its items', (text) => sample(text, 'shardflow_job_owned_items', { job: JOB_NAME }) === 4);
    const text = await scrape();
    expect(sample(text, 'shardflow_job_is_leader', { job: JOB_NAME })).toBe(1);
    expect(sample(text, 'shardflow_registry_session_state', { state: 'connected' })).toBe(1);
    expect(sample(text, 'shardflow_registry_session_state', { state: 'lost' })).toBe(0);
    expect(sample(text, 'shardflow_registry_request_duration_seconds_count', { result: 'ok' })).toBeGreaterThan(0);
  });

  it('counts parked rows as pending with their age, then as sent once they are due', async () => {
    await write(30, 60_000);
    await until('30 pending rows', (text) => sample(text, 'shardflow_outbox_pending_rows', { cluster: CLUSTER }) === 30);
    await new Promise((resolve) => setTimeout(resolve, 1_200));
    await until('the oldest pending row to age', (text) => (sample(text, 'shardflow_outbox_oldest_pending_age_seconds', { cluster: CLUSTER }) ?? 0) >= 1);
    const before = await scrape();
    expect(sample(before, 'shardflow_outbox_rows_sent_total', { cluster: CLUSTER, source: 'relay' }) ?? 0).toBe(0);

    await pool.query('UPDATE msg_send_record SET next_select_time = NOW(3) WHERE state = 0');
    await until('30 rows sent', (text) => sample(text, 'shardflow_outbox_rows_sent_total', { cluster: CLUSTER, source: 'relay' }) === 30);
    await until('the backlog to empty', (text) => sample(text, 'shardflow_outbox_pending_rows', { cluster: CLUSTER }) === 0);
    const after = await scrape();
    expect(sample(after, 'shardflow_outbox_send_duration_seconds_count', { cluster: CLUSTER, result: 'ok' })).toBeGreaterThan(0);
    expect(sample(after, 'shardflow_job_item_runs_total', { job: JOB_NAME, result: 'completed' })).toBeGreaterThan(0);
    expect(sample(after, 'shardflow_job_triggers_total', { job: JOB_NAME, source: 'cron' })).toBeGreaterThan(0);
    // The wakeup is on by default: the new rows' ids woke the relay before any was due.
    expect(sample(after, 'shardflow_job_triggers_total', { job: JOB_NAME, source: 'wakeup' })).toBeGreaterThan(0);
    expect(sample(after, 'shardflow_job_item_run_duration_seconds_count', { job: JOB_NAME, result: 'completed' })).toBeGreaterThan(0);
  });

  it('counts retries, opens the circuit and keeps the backlog while the broker is down, and drains after', async () => {
    await kafkaControl.stop(CLUSTER);
    try {
      await write(20);
      await until('retries and an open circuit', (text) =>
        (sample(text, 'shardflow_outbox_rows_retried_total', { cluster: CLUSTER }) ?? 0) > 0 && sample(text, 'shardflow_outbox_circuit_open', { cluster: CLUSTER }) === 1, 90_000);
      const down = await scrape();
      expect(sample(down, 'shardflow_outbox_pending_rows', { cluster: CLUSTER })).toBe(20);
      expect(sample(down, 'shardflow_outbox_rows_sent_total', { cluster: CLUSTER, source: 'relay' })).toBe(30);
      expect(sample(down, 'shardflow_outbox_send_duration_seconds_count', { cluster: CLUSTER, result: 'failed' })).toBeGreaterThan(0);
    } finally {
      await kafkaControl.start(CLUSTER);
    }
    await until('the 20 rows sent after the broker is back', (text) => sample(text, 'shardflow_outbox_rows_sent_total', { cluster: CLUSTER, source: 'relay' }) === 50, 120_000);
    await until('the circuit to close and the backlog to empty', (text) =>
      sample(text, 'shardflow_outbox_circuit_open', { cluster: CLUSTER }) === 0 && sample(text, 'shardflow_outbox_pending_rows', { cluster: CLUSTER }) === 0);
  }, 300_000);

  it('reads the backlog from the due index only, bounded by the cap (EXPLAIN)', async () => {
    const table = resolveOutboxTable({});
    const store = new MysqlOutboxStore([pool], new VirtualPartitioning(table));
    const plan = await store.explainBacklog({ database: 0, table }, CLUSTER, 1_000);
    const reads = plan.filter((step) => step['table'] === table.name);
    expect(reads).toHaveLength(2);
    for (const step of reads) {
      expect(step['key']).toBe('idx_outbox_due');
      expect(['ref', 'range']).toContain(step['type']);
      expect(String(step['Extra'])).not.toMatch(/filesort/i);
    }
  });
});
