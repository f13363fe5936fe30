/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
import { fileURLToPath } from 'node:url';
import mysql, { type Pool, type RowDataPacket } from 'mysql2/promise';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JobScheduler, ZookeeperRegistry } from '@shardflow/core';
import { createOutbox, migrateOutboxTable, type Outbox } from '@shardflow/outbox-relay';
import { createTestDatabase, testServices, uniqueNamespace, waitUntil, type TestDatabase } from '@shardflow/testkit';
import { JobAdmin, OutboxAdmin, startConsole, type RunningConsole } from '../../src/index.js';
import { startWorker, type WorkerProcess } from '../../../../test/fixtures/worker-process.js';
import { clusterMap, consume, uniqueTopic } from '../../../outbox-relay/test/integration/outbox-fixture.js';
import type { ConsoleWorkerSpec } from '../support/console-worker.js';
import { launchChromium } from '../support/chromium.js';
import { runShardflow } from '../support/run-shardflow.js';

const workerScript = fileURLToPath(new URL('../support/console-worker.ts', import.meta.url));
const JOB = 'settlement';
const RELAY_JOB = 'outbox-relay';
const SESSION_TIMEOUT_MS = 3_000;

describe('the web console in headless Chromium, with real ZooKeeper, Kafka and MariaDB', () => {
  const namespace = uniqueNamespace('console');
  const workers: WorkerProcess[] = [];
  const closers: Array<() => Promise<unknown>> = [];
  let registry: ZookeeperRegistry;
  let admin: JobAdmin;
  let database: TestDatabase;
  let pool: Pool;
  let outbox: Outbox;
  let running: RunningConsole;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    const spec = { connectString: testServices().zookeeper, namespace, jobName: JOB, shardingTotalCount: 6, sessionTimeoutMs: SESSION_TIMEOUT_MS };
    for (const instanceId of ['node-a', 'node-b', 'node-c']) workers.push(await startWorker<ConsoleWorkerSpec>({ ...spec, instanceId }, workerScript));

    registry = new ZookeeperRegistry({ connectString: testServices().zookeeper, namespace, sessionTimeoutMs: SESSION_TIMEOUT_MS });
    await registry.connect();
    closers.push(() => registry.close());
    admin = new JobAdmin(registry);

    // The outbox relay, in this process: every second, streaming, on the same namespace.
    database = await createTestDatabase('ops_console');
    pool = mysql.createPool({ ...database.config, connectionLimit: 4 });
    closers.push(async () => {
      await pool.end();
      await database.drop();
    });
    await migrateOutboxTable(pool);
    outbox = createOutbox({ databases: [pool], clusters: clusterMap() });
    closers.push(() => outbox.close());
    const relay = new JobScheduler(registry, outbox.relayJob, { jobName: RELAY_JOB, cron: '* * * * * ?', shardingTotalCount: 2, streamingProcess: true });
    relay.on('error', () => undefined);
    await relay.start();
    closers.push(() => relay.shutdown());

    running = await startConsole({ registry, jobs: admin, outbox: new OutboxAdmin({ databases: [pool] }), relayJob: RELAY_JOB, port: 0 });
    closers.push(() => running.close());
    browser = await launchChromium();
    closers.push(() => browser.close());
    page = await browser.newPage();
    // Every confirmation is accepted, as an operator clicking OK would.
    page.on('dialog', (dialog) => void dialog.accept());
    await waitUntil(async () => (await admin.describeJob(JOB)).shards.every((shard) => shard.owner !== undefined), { what: 'an assignment of every item' });
  });

  afterAll(async () => {
    await Promise.allSettled(workers.map((worker) => worker.kill()));
    for (const close of closers.reverse()) await close().catch(() => undefined);
  });

  async function shardOwners(): Promise<Record<string, string>> {
    return page.$$eval('#shard-map tbody tr', (rows) => Object.fromEntries(rows.map((row) => [row.getAttribute('data-item'), row.getAttribute('data-owner')])));
  }

  it('lists the jobs, following a change in ZooKeeper without a reload', async () => {
    await page.goto(running.url);
    await page.waitForSelector(`#jobs tr[data-job="${JOB}"] td.state-running`);
    expect(await page.$$eval('#jobs tbody tr', (rows) => rows.map((row) => row.getAttribute('data-job')))).toEqual([RELAY_JOB, JOB]);
    await page.evaluate(() => Object.assign(window, { sameDocument: true }));
    await admin.setJobEnabled(JOB, false);
    await page.waitForSelector(`#jobs tr[data-job="${JOB}"] td.state-disabled`);
    await admin.setJobEnabled(JOB, true);
    await page.waitForSelector(`#jobs tr[data-job="${JOB}"] td.state-running`);
    expect(await page.evaluate(() => (window as unknown as { sameDocument?: boolean }).sameDocument)).toBe(true);
  });

  it('shows the shard map of 3 running instances', async () => {
    await page.goto(running.url);
    await page.waitForSelector(`#jobs tr[data-job="${JOB}"]`);
    await page.click(`#jobs tr[data-job="${JOB}"] a`);
    await page.waitForSelector('#instance-map tbody tr[data-instance="node-c"]');
    expect(await page.$$eval('#instance-map tbody tr', (rows) => rows.map((row) => row.getAttribute('data-instance')))).toEqual(['node-a', 'node-b', 'node-c']);
    const owners = await shardOwners();
    const expected = Object.fromEntries((await admin.describeJob(JOB)).shards.map((shard) => [String(shard.item), shard.owner]));
    expect(owners).toEqual(expected);
    expect(new Set(Object.values(owners))).toEqual(new Set(['node-a', 'node-b', 'node-c']));
  });

  it('a trigger from the page makes a run of every item, which the page then shows', async () => {
    expect(await page.$$eval('#shard-map td.last-run', (cells) => cells.map((cell) => cell.textContent))).toEqual(Array(6).fill('-'));
    await page.click('#trigger');
    await page.waitForFunction(() => [...document.querySelectorAll('#shard-map td.last-run')].every((cell) => /^completed .*manual/.test(cell.textContent ?? '')), undefined, { timeout: 30_000 });
    expect(await page.textContent('#message')).toBe(`Triggered ${JOB}`);
  });

  it('disabling an item from the page marks it in the registry and on the map', async () => {
    await page.click('#shard-map tr[data-item="4"] button[data-action="toggle-item"]');
    await page.waitForSelector('#shard-map tr[data-item="4"] td.disabled:text("disabled")');
    expect((await admin.describeJob(JOB)).shards.map((shard) => shard.disabled)).toEqual([false, false, false, false, true, false]);
    await page.click('#shard-map tr[data-item="4"] button[data-action="toggle-item"]');
    await page.waitForSelector('#shard-map tr[data-item="4"] td.disabled:text-is("")');
  });

  it('a wrong cron in the edit form shows the field error and changes nothing', async () => {
    const before = (await admin.describeJob(JOB)).config;
    await page.fill('#field-cron', 'every full moon');
    await page.click('#save-config');
    await page.waitForSelector('#error-cron:not(:empty)');
    expect(await page.textContent('#error-cron')).toContain('is not a valid cron expression');
    expect(await page.textContent('#error-shardingTotalCount')).toBe('');
    expect((await admin.describeJob(JOB)).config).toEqual(before);
    await page.fill('#field-cron', before.cron);
  });

  it('an instance killed with SIGKILL: the page shows its items move, without a reload', async () => {
    await page.evaluate(() => Object.assign(window, { sameDocument: true }));
    const victim = workers[1] as WorkerProcess;
    const victimItems = Object.entries(await shardOwners()).filter(([, owner]) => owner === victim.instanceId).map(([item]) => item);
    expect(victimItems.length).toBeGreaterThan(0);
    await victim.kill();
    await page.waitForFunction((gone) => {
      const rows = [...document.querySelectorAll('#shard-map tbody tr')];
      return rows.length === 6 && rows.every((row) => row.getAttribute('data-owner') !== gone && row.getAttribute('data-owner') !== '')
        && !document.querySelector(`#instance-map tr[data-instance="${gone}"]`);
    }, victim.instanceId, { timeout: 60_000 });
    expect(await page.evaluate(() => (window as unknown as { sameDocument?: boolean }).sameDocument)).toBe(true);
    const owners = await shardOwners();
    for (const item of victimItems) expect(['node-a', 'node-c']).toContain(owners[item]);
  });

  it('a dead row replayed from the page is sent to Kafka', async () => {
    const topic = uniqueTopic('console-replay');
    await pool.query(`INSERT INTO msg_send_record (account_no, state, topic_name, cluster_name, payload, partition_no, retry_count, last_error) VALUES
      ('user-dead-1', 2, ?, 'cluster_a', '{"replayed":true}', 7, 5, 'BROKER_UNAVAILABLE: down'),
      ('user-dead-2', 2, ?, 'cluster_a', '{"replayed":false}', 8, 5, 'BROKER_UNAVAILABLE: down')`, [topic, topic]);
    await page.goto(`${running.url}#/outbox`);
    await page.waitForSelector('#backlog tr[data-row="cluster_a"]');
    expect(await page.textContent('#backlog tr[data-row="cluster_a"] td.dead')).toBe('2');
    await page.fill('#dead-filter input[name="topic"]', topic);
    await page.click('#apply-filter');
    await page.waitForFunction(() => document.querySelector('#dead-count')?.textContent?.startsWith('2 dead rows'));
    const [first] = await pool.query<RowDataPacket[]>('SELECT id FROM msg_send_record WHERE account_no = ?', ['user-dead-1']);
    await page.check(`#dead-rows input[data-id="${String(first[0]?.['id'])}"]`);
    await page.click('#replay-selected');
    await page.waitForFunction(() => document.querySelector('#message')?.textContent === 'Replayed 1 dead row');

    await waitUntil(async () => (await pool.query<RowDataPacket[]>('SELECT state FROM msg_send_record WHERE account_no = ?', ['user-dead-1']))[0][0]?.['state'] === 1,
      { what: 'the replayed row sent', timeoutMs: 60_000 });
    const messages = await consume(testServices().kafka['cluster_a'] as string, topic, 1, 60_000);
    expect(messages.map((message) => [message.key?.toString(), message.value?.toString()])).toEqual([['user-dead-1', '{"replayed":true}']]);
    const [rows] = await pool.query<RowDataPacket[]>('SELECT account_no, state FROM msg_send_record WHERE topic_name = ? ORDER BY id', [topic]);
    expect(rows.map((row) => [row['account_no'], row['state']])).toEqual([['user-dead-1', 1], ['user-dead-2', 2]]);
  });

  it('a console beyond loopback needs the token: 401 without it, the page with it; none at all refuses to start', async () => {
    await expect(startConsole({ registry, jobs: admin, host: '0.0.0.0', port: 0 })).rejects.toMatchObject({ code: 'CONSOLE_AUTH_REQUIRED' });
    const refused = await runShardflow(['console', '--host', '0.0.0.0', '--port', '0'], { SHARDFLOW_ZK: '127.0.0.1:1', SHARDFLOW_NAMESPACE: namespace });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('SHARDFLOW_CONSOLE_TOKEN');

    const guarded = await startConsole({ registry, jobs: admin, host: '0.0.0.0', port: 0, auth: { token: 's3cret-token' } });
    try {
      const url = guarded.url.replace('0.0.0.0', '127.0.0.1');
      const anonymous = await browser.newPage();
      // Headless Chromium has no login prompt: it ends the navigation with an auth error after the 401.
      const [answer] = await Promise.all([anonymous.waitForResponse(url), anonymous.goto(url).catch(() => undefined)]);
      expect(answer.status()).toBe(401);
      expect(answer.headers()['www-authenticate']).toContain('Basic');
      await anonymous.close();
      const context = await browser.newContext({ extraHTTPHeaders: { authorization: 'Bearer s3cret-token' } });
      const allowed = await context.newPage();
      expect((await allowed.goto(url))?.status()).toBe(200);
      await allowed.waitForSelector(`#jobs tr[data-job="${JOB}"]`);
      await context.close();
      expect((await fetch(`${url}api/jobs`, { headers: { authorization: 'Bearer wrong-token' } })).status).toBe(401);
    } finally {
      await guarded.close();
    }
  });

  it('changes need the page\'s CSRF token, and a read-only console refuses them', async () => {
    const trigger = `${running.url}api/jobs/${JOB}/trigger`;
    const forged = await fetch(trigger, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(forged.status).toBe(403);
    const html = await (await fetch(running.url)).text();
    const token = /name="csrf-token" content="([^"]+)"/.exec(html)?.[1] as string;
    const crossSite = await fetch(trigger, { method: 'POST', headers: { 'content-type': 'application/json', 'x-csrf-token': token, origin: 'http://evil.example' }, body: '{}' });
    expect(crossSite.status).toBe(403);
    const sameSite = await fetch(trigger, { method: 'POST', headers: { 'content-type': 'application/json', 'x-csrf-token': token }, body: '{}' });
    expect(sameSite.status).toBe(200);

    const readOnly = await startConsole({ registry, jobs: admin, port: 0, readOnly: true });
    try {
      const readOnlyHtml = await (await fetch(readOnly.url)).text();
      const readOnlyToken = /name="csrf-token" content="([^"]+)"/.exec(readOnlyHtml)?.[1] as string;
      const refused = await fetch(`${readOnly.url}api/jobs/${JOB}/disable`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-csrf-token': readOnlyToken }, body: '{}' });
      expect(refused.status).toBe(403);
      expect((await admin.describeJob(JOB)).state).toBe('running');
      const view = await browser.newPage();
      await view.goto(`${readOnly.url}#/job/${JOB}`);
      await view.waitForSelector('#trigger');
      expect(await view.isDisabled('#trigger')).toBe(true);
      await view.close();
    } finally {
      await readOnly.close();
    }
  });
});
