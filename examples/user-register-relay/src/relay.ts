/**
 * One relay instance: the outbox relay job with 4 items, streaming, failover on, coordinated with
 * the other instances through ZooKeeper. Start it 2-3 times; kill one and watch its items move.
 * Prints one JSON line per event of interest on stdout. Settings: RELAY_* variables (relay-settings.ts).
 * New rows wake the relay at once (RELAY_WAKEUP=off leaves them to the cron).
 * With RELAY_METRICS_PORT set (0: any free port) it serves Prometheus metrics on 127.0.0.1 at the
 * URL its `metrics` line gives. Warnings and errors (the Kafka client's among them) go to stderr, as
 * JSON lines with RELAY_LOG_FORMAT=json. RELAY_HISTORY=on records every item run in the
 * database's execution history.
 */
import { createStderrLogger, JobScheduler, logRegistryStates, ZookeeperRegistry } from '@shardflow/core';
import { JobHistory } from '@shardflow/history';
import { createClusterSink } from '@shardflow/outbox-relay';
import { recordLastRuns } from '@shardflow/ops';
import { ShardflowMetrics, startMetricsServer, type MetricsServer } from '@shardflow/metrics';
import { OutboxMetrics } from '@shardflow/metrics/outbox';
import { openDatabase } from './database.js';
import { JOB_NAME, readEnvironment } from './environment.js';
import { readRelaySettings } from './relay-settings.js';
import { RunLog } from './run-log.js';

const environment = readEnvironment();
const settings = readRelaySettings();
const runLog = settings.runLog ? new RunLog(settings.runLog) : undefined;
const logger = createStderrLogger({ json: process.env['RELAY_LOG_FORMAT'] === 'json' });
const database = await openDatabase(environment);
const clusters = Object.fromEntries(Object.entries(environment.kafka).map(([name, brokers]) => [name, { brokers: brokers.split(','), driver: settings.kafkaDriver }]));
const kafka = createClusterSink({ clusters, logger });
const outbox = database.createOutbox({
  sink: runLog?.sink(kafka) ?? kafka,
  logger,
  relay: { pageSize: 500, maxRetries: settings.maxRetries, backoff: { initialDelayMs: Math.min(500, settings.backoffCapMs), maxDelayMs: settings.backoffCapMs } },
  wakeup: settings.wakeup,
});
await outbox.verifyTables();
const registry = new ZookeeperRegistry({ connectString: environment.zookeeper, namespace: environment.namespace, sessionTimeoutMs: settings.sessionTimeoutMs });
logRegistryStates(registry, logger);
await registry.connect();
const scheduler = new JobScheduler(registry, runLog?.job(outbox.relayJob) ?? outbox.relayJob, {
  jobName: JOB_NAME,
  cron: settings.cron,
  shardingTotalCount: 4,
  streamingProcess: true,
  failover: true,
  misfire: true,
  overwrite: true,
}, { logger, ...(settings.instanceId ? { instanceId: settings.instanceId } : {}) });
recordLastRuns(scheduler, registry); // each item's last run, for the console's shard map
const history = settings.history ? new JobHistory({ database: database.history, logger }).observe(scheduler) : undefined;

const say = (event: Record<string, unknown>): void => {
  process.stdout.write(`${JSON.stringify({ instance: scheduler.instanceId, at: Date.now(), ...event })}\n`);
};
runLog?.watch(scheduler);
scheduler.on('itemsAssigned', ({ items }) => say({ event: 'items', items }));
scheduler.on('failoverTaken', ({ item }) => say({ event: 'failover', item }));
scheduler.on('leadership', ({ isLeader }) => say({ event: 'leader', isLeader }));
scheduler.on('error', (error) => say({ event: 'error', message: error.message }));
outbox.relayJob.on('sent', ({ count }) => say({ event: 'sent', count }));
outbox.relayJob.on('dead', ({ ids, code }) => say({ event: 'dead', ids, code }));
outbox.relayJob.on('retrying', ({ count, code, message }) => say({ event: 'retrying', count, code, message }));
outbox.relayJob.on('circuitWriteFailed', ({ clusters, error }) => say({ event: 'circuitWriteFailed', clusters, message: error.message }));
outbox.wakeup?.on('error', (error) => say({ event: 'wakeupError', message: error.message }));
const metricsServer = await serveMetrics(process.env['RELAY_METRICS_PORT']);
await scheduler.start();
// A scheduler that has not started drops wakeups.
outbox.wakeup?.start(scheduler);
say({ event: 'ready', wakeup: outbox.wakeup?.options.mode ?? 'off' });

process.once('SIGTERM', () => {
  void (async () => {
    // No new run while the running ones finish.
    outbox.wakeup?.stop();
    await scheduler.shutdown();
    // After the shutdown: the runs it let finish are recorded too.
    await history?.close();
    await metricsServer?.close();
    await registry.close();
    await outbox.close();
    await database.end();
    runLog?.close();
    process.exit(0);
  })();
});

async function serveMetrics(port: string | undefined): Promise<MetricsServer | undefined> {
  if (port === undefined || port === '') return undefined;
  const metrics = new ShardflowMetrics().observeRegistry(registry).observeScheduler(scheduler);
  if (history) metrics.observeHistory(history);
  new OutboxMetrics({ backlogCacheMs: Number(process.env['RELAY_METRICS_BACKLOG_CACHE_MS'] ?? 5_000) }).observe(outbox);
  const server = await startMetricsServer({ port: Number(port) });
  say({ event: 'metrics', url: server.url });
  return server;
}
