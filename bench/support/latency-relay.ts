/**
 * One relay instance for bench/latency.ts, on MariaDB or PostgreSQL: 4 items, streaming, pages of
 * 500, cron LATENCY_CRON, the wakeup on when LATENCY_WAKEUP=1. Prints `ready` once it owns its
 * items and, on SIGTERM, how many item runs each trigger started and how many sent rows.
 * Env: LATENCY_DB_URL (mysql://... or postgres://...), LATENCY_KAFKA (bootstrap), SHARDFLOW_ZK, LATENCY_NAMESPACE.
 */
import mysql from 'mysql2/promise';
import pg from 'pg';
import { JobScheduler, ZookeeperRegistry, type TriggerSource } from '@shardflow/core';
import { createOutbox, type OutboxPool } from '@shardflow/outbox-relay';

const env = (name: string): string => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
};
const url = env('LATENCY_DB_URL');
const pool: OutboxPool = url.startsWith('postgres') ? new pg.Pool({ connectionString: url, max: 8 }) : mysql.createPool({ uri: url, connectionLimit: 8 });
const outbox = createOutbox({
  databases: [pool],
  clusters: { cluster_a: { brokers: [env('LATENCY_KAFKA')] } },
  relay: { pageSize: 500 },
  wakeup: process.env['LATENCY_WAKEUP'] === '1',
});
const registry = new ZookeeperRegistry({ connectString: env('SHARDFLOW_ZK'), namespace: env('LATENCY_NAMESPACE'), sessionTimeoutMs: 4_000 });
await registry.connect();
const scheduler = new JobScheduler(registry, outbox.relayJob, {
  jobName: 'latency-relay', cron: env('LATENCY_CRON'), shardingTotalCount: 4, streamingProcess: true, overwrite: true,
});
const runs: Partial<Record<TriggerSource, number>> = {};
scheduler.on('itemStarted', ({ trigger }) => (runs[trigger] = (runs[trigger] ?? 0) + 1));
let sent = 0;
outbox.relayJob.on('sent', ({ count }) => (sent += count));
await scheduler.start();
while (scheduler.items.length < 4) await new Promise((resolve) => setTimeout(resolve, 50));
outbox.wakeup?.start(scheduler);
process.stdout.write(`${JSON.stringify({ event: 'ready' })}\n`);

process.once('SIGTERM', () => {
  void (async () => {
    process.stdout.write(`${JSON.stringify({ event: 'runs', runs, sent })}\n`);
    await scheduler.shutdown();
    await registry.close();
    await outbox.close();
    await pool.end();
    process.exit(0);
  })();
});
