/**
 * Takes the screenshots of docs/console.md with the same headless Chromium the browser tests use:
 * real ZooKeeper and Kafka (started here unless SHARDFLOW_* name them), a scratch MySQL database,
 * a job on three instances, the outbox relay, and the console. Run: `npm run docs:screenshots`.
 */
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import mysql from 'mysql2/promise';
import { chromium } from 'playwright-core';
import { JobScheduler, ZookeeperRegistry, type Registry } from '@shardflow/core';
import { createOutbox, migrateOutboxTable } from '@shardflow/outbox-relay';
import { JobHistory, migrateHistoryTables, mysqlHistoryDatabase } from '@shardflow/history';
import { HistoryAdmin, JobAdmin, OutboxAdmin, publishVersion, recordLastRuns, startConsole } from '@shardflow/ops';
import { chromiumPath, createTestDatabase, ensureChromium, startServices, uniqueNamespace, waitUntil } from '@shardflow/testkit';

const images = (name: string): string => fileURLToPath(new URL(`../images/${name}`, import.meta.url));
const services = await startServices({ kafkaClusters: ['cluster_a'], log: (line) => console.log(line) });
ensureChromium();
const database = await createTestDatabase('console_screenshots');
const pool = mysql.createPool({ ...database.config, connectionLimit: 4 });
const namespace = uniqueNamespace('screenshots');
const registries: Registry[] = [];
const stops: Array<() => Promise<unknown>> = [];
const historyDatabase = mysqlHistoryDatabase(pool);
const histories: JobHistory[] = [];

async function openRegistry(): Promise<ZookeeperRegistry> {
  const registry = new ZookeeperRegistry({ connectString: services.addresses.zookeeper, namespace });
  await registry.connect();
  registries.push(registry);
  return registry;
}

try {
  await migrateHistoryTables(historyDatabase);
  for (const instanceId of ['app-1@4101@1', 'app-2@4102@1', 'app-3@4103@1']) {
    const registry = await openRegistry();
    const scheduler = new JobScheduler(registry, {
      execute: async (ctx) => {
        await sleep(40 + ctx.shardingItem * 15);
        if (ctx.shardingItem === 5) throw new Error('settlement file for region 5 is missing');
      },
    }, { jobName: 'daily-settlement', cron: '0 30 2 * * ?', timeZone: 'Europe/Berlin', shardingTotalCount: 8, shardingItemParameters: '0=north,1=south,2=east,3=west' }, { instanceId, onItemError: () => undefined });
    recordLastRuns(scheduler, registry);
    const history = new JobHistory({ database: historyDatabase }).observe(scheduler);
    histories.push(history);
    stops.push(() => history.close());
    await scheduler.start();
    // A rolling deploy half done: the last instance already runs the next version.
    await publishVersion(scheduler, registry, instanceId.startsWith('app-3') ? '2.5.0' : '2.4.1');
    stops.push(() => scheduler.shutdown());
  }

  await migrateOutboxTable(pool);
  const outbox = createOutbox({ databases: [pool], clusters: { cluster_a: { brokers: [services.addresses.kafka['cluster_a'] as string] }, cluster_down: { brokers: ['127.0.0.1:1'] } } });
  stops.push(() => outbox.close());
  const relayRegistry = await openRegistry();
  const relay = new JobScheduler(relayRegistry, outbox.relayJob, { jobName: 'outbox-relay', cron: '0/5 * * * * ?', shardingTotalCount: 4, streamingProcess: true }, { instanceId: 'relay-1@4201@1' });
  relay.on('error', () => undefined);
  await relay.start();
  stops.push(() => relay.shutdown());
  await pool.query(`INSERT INTO msg_send_record (account_no, state, topic_name, cluster_name, payload, partition_no, retry_count, next_select_time, create_time, last_error)
    WITH RECURSIVE n (i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < 39)
    SELECT CONCAT('user-', i), IF(i < 6, 2, 0), IF(i % 2 = 0, 'user-registered', 'points-granted'), IF(i < 6, 'cluster_a', 'cluster_down'), '{}', (i * 97) % 1024,
           IF(i < 6, 5, 2), NOW(3) + INTERVAL 10 MINUTE, NOW(3) - INTERVAL (40 - i) MINUTE, IF(i < 6, 'TOPIC_AUTHORIZATION_FAILED: not allowed', 'BROKER_UNAVAILABLE: connect ECONNREFUSED')
    FROM n`);

  const admin = new JobAdmin(await openRegistry());
  await waitUntil(async () => (await admin.describeJob('daily-settlement')).shards.every((shard) => shard.owner !== undefined), { what: 'an assignment' });
  await admin.setItemEnabled('daily-settlement', 7, false);
  await admin.trigger('daily-settlement');
  await waitUntil(async () => (await admin.describeJob('daily-settlement')).shards.filter((shard) => shard.lastRun).length === 7, { what: 'recorded runs', timeoutMs: 20_000 });
  await Promise.all(histories.map((history) => history.flush()));

  const running = await startConsole({ registry: registries[0] as Registry, jobs: admin, outbox: new OutboxAdmin({ databases: [pool] }), history: new HistoryAdmin(historyDatabase), relayJob: 'outbox-relay', port: 0 });
  stops.push(() => running.close());
  const browser = await chromium.launch({
    executablePath: chromiumPath(), headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  stops.push(() => browser.close());
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  page.on('dialog', (dialog) => void dialog.accept());

  await page.goto(running.url);
  await page.waitForSelector('#jobs tr[data-job="daily-settlement"]');
  await page.screenshot({ path: images('console-jobs.png') });

  await page.goto(`${running.url}#/job/daily-settlement`);
  await page.waitForSelector('#shard-map tr[data-item="7"] td.disabled:text("disabled")');
  await page.waitForSelector('#history-table tbody tr');
  await page.screenshot({ path: images('console-job.png'), fullPage: true });

  await page.click('#history-table tr:has(td.result-failed) button.show-states');
  await page.waitForSelector('#history-table tr.status-trace tbody tr');
  await page.locator('#history').screenshot({ path: images('console-history.png') });

  await page.fill('#field-cron', '0 30 25 * * ?');
  await page.click('#save-config');
  await page.waitForSelector('#error-cron:not(:empty)');
  await page.locator('#config-form').screenshot({ path: images('console-config-error.png') });

  await page.goto(`${running.url}#/outbox`);
  await page.waitForSelector('#dead-rows tbody tr');
  await page.screenshot({ path: images('console-outbox.png'), fullPage: true });
  console.log(`screenshots written to ${images('')}`);
} finally {
  for (const stop of stops.reverse()) await stop().catch(() => undefined);
  for (const registry of registries) await registry.close().catch(() => undefined);
  await pool.end();
  await database.drop();
  await services.stopAll();
}
