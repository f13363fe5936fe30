import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mysql, { type Pool, type RowDataPacket } from 'mysql2/promise';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { JobScheduler, ZookeeperRegistry } from '@shardflow/core';
import { migrateOutboxTable } from '@shardflow/outbox-relay';
import { createTestDatabase, testServices, uniqueNamespace, waitUntil, type TestDatabase } from '@shardflow/testkit';
import { JobAdmin, recordLastRuns } from '../../src/index.js';
import { runShardflow, spawnShardflow } from '../support/run-shardflow.js';

describe('the shardflow binary against real ZooKeeper', () => {
  const cleanups: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  async function startJob(namespace: string, instanceIds: readonly string[]): Promise<JobAdmin> {
    for (const instanceId of instanceIds) {
      const registry = new ZookeeperRegistry({ connectString: testServices().zookeeper, namespace, sessionTimeoutMs: 4_000 });
      await registry.connect();
      cleanups.push(() => registry.close());
      const scheduler = new JobScheduler(registry, { execute: async () => undefined }, { jobName: 'billing', cron: '0 0 2 * * ?', shardingTotalCount: 4 }, { instanceId });
      recordLastRuns(scheduler, registry);
      await scheduler.start();
      cleanups.push(() => scheduler.shutdown());
    }
    const registry = new ZookeeperRegistry({ connectString: testServices().zookeeper, namespace });
    await registry.connect();
    cleanups.push(() => registry.close());
    const admin = new JobAdmin(registry);
    await waitUntil(async () => (await admin.describeJob('billing')).shards.every((shard) => shard.owner !== undefined), { what: 'an assignment' });
    return admin;
  }

  it('lists, describes, triggers, disables and reconfigures a job; connection from SHARDFLOW_* variables', async () => {
    const namespace = uniqueNamespace('cli');
    const admin = await startJob(namespace, ['node-a', 'node-b']);
    const env = { SHARDFLOW_ZK: testServices().zookeeper, SHARDFLOW_NAMESPACE: namespace };

    const jobs = await runShardflow(['jobs'], env);
    expect(jobs.code).toBe(0);
    expect(jobs.stdout).toMatch(/^JOB\s+STATE\s+CRON\s+ITEMS\s+INSTANCES\s+LEADER/);
    expect(jobs.stdout).toMatch(/\nbilling\s+running\s+0 0 2 \* \* \?\s+4\s+2\s+node-a/);
    const listed = JSON.parse((await runShardflow(['jobs', '--json'], env)).stdout) as Array<{ name: string; instances: number }>;
    expect(listed.map((job) => [job.name, job.instances])).toEqual([['billing', 2]]);

    const described = JSON.parse((await runShardflow(['job', 'billing', '--json'], env)).stdout) as { leader: string; shards: Array<{ owner: string }> };
    expect(described.leader).toBe('node-a');
    expect(described.shards.map((shard) => shard.owner)).toEqual(['node-a', 'node-a', 'node-b', 'node-b']);
    expect((await runShardflow(['job', 'billing'], env)).stdout).toMatch(/\n3\s+node-b\s+\d+\s+-/);

    expect((await runShardflow(['trigger', 'billing'], env)).stdout).toBe('triggered billing\n');
    await waitUntil(async () => (await admin.describeJob('billing')).shards.every((shard) => shard.lastRun?.result === 'completed'), { what: 'a run of every item' });

    expect((await runShardflow(['disable', 'billing', '--item', '2'], env)).code).toBe(0);
    expect((await admin.describeJob('billing')).shards.map((shard) => shard.disabled)).toEqual([false, false, true, false]);
    expect((await runShardflow(['disable', 'billing', '--instance', 'node-b'], env)).code).toBe(0);
    await waitUntil(async () => (await admin.describeJob('billing')).shards.every((shard) => shard.owner === 'node-a'), { what: 'node-b losing its items' });
    expect((await runShardflow(['enable', 'billing', '--instance', 'node-b'], env)).code).toBe(0);
    expect((await runShardflow(['disable', 'billing'], env)).code).toBe(0);
    expect((await admin.describeJob('billing')).state).toBe('disabled');
    expect((await runShardflow(['enable', 'billing'], env)).code).toBe(0);

    const wrong = await runShardflow(['config', 'set', 'billing', 'cron=every day'], env);
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toContain('cron is not a valid cron expression');
    const badCount = await runShardflow(['config', 'set', 'billing', 'shardingTotalCount=lots'], env);
    expect(badCount.code).toBe(2);
    expect(badCount.stderr).toContain('shardingTotalCount must be an integer');
    expect((await admin.describeJob('billing')).config).toMatchObject({ cron: '0 0 2 * * ?', shardingTotalCount: 4 });
    const set = await runShardflow(['config', 'set', 'billing', 'cron=0 30 2 * * ?', 'shardingTotalCount=6'], env);
    expect(set.code).toBe(0);
    expect((await admin.describeJob('billing')).config).toMatchObject({ cron: '0 30 2 * * ?', shardingTotalCount: 6 });

    const refused = await runShardflow(['remove', 'billing'], env);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('still has 2 running instance(s)');
    const missing = await runShardflow(['job', 'nothing-here'], env);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain("No job named 'nothing-here'");
  });

  it('takes the connection from flags or a config file; flags win over the environment', async () => {
    const namespace = uniqueNamespace('cli-flags');
    await startJob(namespace, ['node-a']);
    const file = join(mkdtempSync(join(tmpdir(), 'shardflow-cli-')), 'shardflow.json');
    writeFileSync(file, JSON.stringify({ zk: testServices().zookeeper, namespace }));
    const fromFile = await runShardflow(['jobs', '--json', '--config', file]);
    expect((JSON.parse(fromFile.stdout) as Array<{ name: string }>).map((job) => job.name)).toEqual(['billing']);
    const fromFlags = await runShardflow(['jobs', '--json', '--zk', testServices().zookeeper, '--namespace', namespace], { SHARDFLOW_NAMESPACE: 'elsewhere' });
    expect((JSON.parse(fromFlags.stdout) as Array<{ name: string }>).map((job) => job.name)).toEqual(['billing']);
  });

  it('console: serves the jobs of the namespace until SIGTERM, then exits 0', async () => {
    const namespace = uniqueNamespace('cli-console');
    await startJob(namespace, ['node-a']);
    const child = spawnShardflow(['console', '--port', '0', '--read-only'], { SHARDFLOW_ZK: testServices().zookeeper, SHARDFLOW_NAMESPACE: namespace });
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    const url = await new Promise<string>((resolve, reject) => {
      let stdout = '';
      child.stdout.on('data', (chunk: Buffer) => {
        stdout += chunk.toString();
        const match = /shardflow console: (http:\/\/127\.0\.0\.1:\d+\/) \(read-only\)/.exec(stdout);
        if (match) resolve(match[1] as string);
      });
      void exited.then((code) => reject(new Error(`console exited with ${code}`)));
    });
    const jobs = (await (await fetch(`${url}api/jobs`)).json()) as Array<{ name: string; instances: number }>;
    expect(jobs.map((job) => [job.name, job.instances])).toEqual([['billing', 1]]);
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });

  it.each([
    [['jobs', '--item', '1'], '--item'],
    [['disable', 'billing', '--item', 'two'], '--item'],
    [['disable', 'billing', '--item', '1', '--instance', 'a'], '--item'],
    [['enable'], '<job>'],
    [['config', 'set', 'billing', 'cron'], 'config'],
    [['config', 'set', 'billing', 'jobName=other'], 'jobName'],
    [['jobs', '--zk', 'no port'], '--zk'],
    [['outbox', 'dead', 'replay'], '--all'],
    [['outbox', 'dead', 'list', '--limit', '0'], '--limit'],
    [['outbox', 'dead', 'count', '--from', 'yesterday'], '--from'],
    [['outbox', 'backlog', '--column', 'colour=red'], '--column'],
    [['jobs', '--bogus'], '--bogus'],
  ])('usage error %j names %s, exit 2, before any connection', async (args, flag) => {
    // Unreachable services: a connection attempt would fail with exit 1, not 2.
    const result = await runShardflow(args, { SHARDFLOW_ZK: '127.0.0.1:1', SHARDFLOW_NAMESPACE: 'x', SHARDFLOW_DB: 'mysql://nobody@127.0.0.1:1/x' });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(flag);
  });

  const commands = [[], ['jobs'], ['job', 'x'], ['trigger', 'x'], ['enable', 'x'], ['disable', 'x'], ['config', 'set'], ['remove', 'x'], ['outbox', 'backlog'], ['outbox', 'dead', 'list'], ['console']];
  it.each(commands.map((command) => [command.join(' ') || '(no command)', command] as const))(
    '--help and --version of %s, without any connection', async (_name, command) => {
      const help = await runShardflow([...command, '--help']);
      expect(help.code).toBe(0);
      expect(help.stdout).toMatch(/^Usage: shardflow/);
      const version = await runShardflow([...command, '--version']);
      expect(version.code).toBe(0);
      expect(version.stdout.trim()).toBe('0.1.0');
    });
});

describe('shardflow outbox against real MariaDB, password from the environment or a file', () => {
  let database: TestDatabase;
  let pool: Pool;
  let user: string;
  const password = randomBytes(9).toString('base64url');
  beforeAll(async () => {
    database = await createTestDatabase('ops_cli');
    pool = mysql.createPool({ ...database.config, connectionLimit: 2 });
    await migrateOutboxTable(pool);
    await pool.query(`INSERT INTO msg_send_record (id, account_no, state, topic_name, cluster_name, payload, retry_count, last_error) VALUES
      (1, 'u1', 2, 'register', 'cluster_a', 'x', 5, 'BROKER_UNAVAILABLE: down'),
      (2, 'u2', 2, 'register', 'cluster_b', 'x', 0, 'MESSAGE_TOO_LARGE: big'),
      (3, 'u3', 0, 'register', 'cluster_a', 'x', 0, NULL),
      (4, 'u4', 1, 'register', 'cluster_a', 'x', 0, NULL)`);
    user = `ops_${randomBytes(4).toString('hex')}`;
    await pool.query(`CREATE USER '${user}'@'127.0.0.1' IDENTIFIED BY '${password}'`);
    await pool.query(`CREATE USER '${user}'@'localhost' IDENTIFIED BY '${password}'`);
    await pool.query(`GRANT ALL ON \`${database.name}\`.* TO '${user}'@'127.0.0.1', '${user}'@'localhost'`);
  });
  afterAll(async () => {
    await pool.query(`DROP USER IF EXISTS '${user}'@'127.0.0.1', '${user}'@'localhost'`);
    await pool.end();
    await database.drop();
  });

  const url = (): string => `mysql://${user}@127.0.0.1:3306/${database.name}`;

  it('backlog and dead rows list/count/replay with the password in SHARDFLOW_DB_PASSWORD', async () => {
    const env = { SHARDFLOW_DB: url(), SHARDFLOW_DB_PASSWORD: password };
    const backlog = await runShardflow(['outbox', 'backlog'], env);
    expect(backlog.code, backlog.stderr).toBe(0);
    expect(backlog.stdout.split('\n').slice(0, 3).map((line) => line.split(/\s{2,}/).slice(0, 4))).toEqual([
      ['CLUSTER', 'PENDING', 'RETRYING', 'DEAD'], ['cluster_a', '1', '0', '1'], ['cluster_b', '0', '0', '1'],
    ]);
    expect((await runShardflow(['outbox', 'dead', 'count'], env)).stdout).toBe('2\n');
    const listed = JSON.parse((await runShardflow(['outbox', 'dead', 'list', '--cluster', 'cluster_b', '--json'], env)).stdout) as Array<{ id: number; lastError: string }>;
    expect(listed.map((row) => [row.id, row.lastError])).toEqual([[2, 'MESSAGE_TOO_LARGE: big']]);
    const table = await runShardflow(['outbox', 'dead', 'list'], env);
    expect(table.stdout).toMatch(/^ID\s+DB\s+TABLE\s+CLUSTER\s+TOPIC\s+KEY\s+RETRIES\s+CREATED\s+LAST ERROR\n1\s+0\s+msg_send_record\s+cluster_a/);
    expect(table.stdout).toContain('2 dead rows');
    expect((await runShardflow(['outbox', 'dead', 'replay', '--id', '1'], env)).stdout).toBe('replayed 1 dead row\n');
    const [rows] = await pool.query<RowDataPacket[]>('SELECT id, state, retry_count FROM msg_send_record ORDER BY id');
    expect(rows.map((row) => [row['id'], row['state'], row['retry_count']])).toEqual([[1, 0, 0], [2, 2, 0], [3, 0, 0], [4, 1, 0]]);
  });

  it('backlog per relay item, the relay job read from ZooKeeper', async () => {
    const namespace = uniqueNamespace('cli-backlog');
    const registry = new ZookeeperRegistry({ connectString: testServices().zookeeper, namespace });
    await registry.connect();
    const relay = new JobScheduler(registry, { execute: async () => undefined }, { jobName: 'relay', cron: '0 0 * * * ?', shardingTotalCount: 2 });
    await relay.start();
    await relay.shutdown();
    await registry.close();
    const env = { SHARDFLOW_DB: url(), SHARDFLOW_DB_PASSWORD: password, SHARDFLOW_ZK: testServices().zookeeper, SHARDFLOW_NAMESPACE: namespace, SHARDFLOW_RELAY_JOB: 'relay' };
    const result = await runShardflow(['outbox', 'backlog', '--by-item', '--json'], env);
    expect(result.code, result.stderr).toBe(0);
    const backlog = JSON.parse(result.stdout) as { items: Array<{ item: number; pending: number; dead: number }> };
    // Every row has partition 0, so item 0 of 2 holds them all.
    expect(backlog.items.map(({ item, pending, dead }) => [item, pending, dead])).toEqual([[0, 2, 1], [1, 0, 0]]);
    const missingJob = await runShardflow(['outbox', 'backlog', '--by-item'], { ...env, SHARDFLOW_RELAY_JOB: 'no-such-relay' });
    expect(missingJob.code).toBe(1);
  });

  it('takes the password from --db-password-file; a wrong one fails with exit 1', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'shardflow-pw-')), 'password');
    writeFileSync(file, `${password}\n`);
    const counted = await runShardflow(['outbox', 'dead', 'count', '--db', url(), '--db-password-file', file, '--json']);
    expect(counted.code, counted.stderr).toBe(0);
    expect(JSON.parse(counted.stdout)).toEqual({ dead: 1 });
    const wrong = await runShardflow(['outbox', 'dead', 'count', '--db', url()], { SHARDFLOW_DB_PASSWORD: 'not-it' });
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toContain('Access denied');
    expect(wrong.stderr).not.toContain('not-it');
  });
});
