import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JobScheduler, ZookeeperRegistry, type TriggerSource } from '@shardflow/core';
import { createPgTestDatabase, testServices, uniqueNamespace, waitUntil, type PgTestDatabase } from '@shardflow/testkit';
import { createOutbox, migrateOutboxTable, migratePgOutboxTable, type Outbox, type OutboxConfig } from '../../src/index.js';
import { clusterMap, consume, createdTopic, openTestDb, uniqueTopic, type TestDb } from './outbox-fixture.js';

/** Once a year: within a test, no run can come from the cron. */
const YEARLY = '0 0 0 1 1 ?';

/** A relay scheduler on real ZooKeeper with the outbox's wakeup started, recording how each run was triggered. */
async function startRelay(outbox: Pick<Outbox<unknown>, 'relayJob' | 'wakeup'>, jobName: string) {
  const registry = new ZookeeperRegistry({ connectString: testServices().zookeeper, namespace: uniqueNamespace(jobName), sessionTimeoutMs: 4_000 });
  await registry.connect();
  const scheduler = new JobScheduler(registry, outbox.relayJob, { jobName, cron: YEARLY, shardingTotalCount: 2, streamingProcess: true, overwrite: true });
  const runs: Array<{ trigger: TriggerSource; batches: number }> = [];
  scheduler.on('itemCompleted', ({ trigger, batches }) => runs.push({ trigger, batches }));
  await scheduler.start();
  await waitUntil(() => scheduler.items.length === 2, { what: 'the instance owns both items' });
  outbox.wakeup?.start(scheduler);
  return {
    runs,
    stop: async () => {
      outbox.wakeup?.stop();
      await scheduler.shutdown();
      await registry.close();
    },
  };
}

/** Commits one row, then waits for it on Kafka: with a yearly cron only a wakeup can have sent it. */
async function deliveredByWakeup(
  runs: ReadonlyArray<{ trigger: TriggerSource; batches: number }>,
  commitRow: (topic: string) => Promise<number>,
): Promise<void> {
  // The consumer subscribes after the commit: the topic must exist before the relay's first send.
  const topic = await createdTopic('wakeup');
  const runsBefore = runs.length;
  const id = await commitRow(topic);
  const [message] = await consume(testServices().kafka['cluster_a'] as string, topic, 1);
  expect(Number(message?.headers?.['outbox-id']?.toString())).toBe(id);
  await waitUntil(() => runs.slice(runsBefore).some((run) => run.batches > 0), { what: 'the run that sent the row completed' });
  expect(runs.slice(runsBefore).filter((run) => run.batches > 0).map((run) => run.trigger)).toEqual(['wakeup']);
  expect(runs.every((run) => run.trigger === 'wakeup')).toBe(true);
}

describe('the relay wakes up when rows arrive, on real ZooKeeper and Kafka', () => {
  describe('MariaDB: adaptive poll of the newest id', () => {
    let db: TestDb;
    beforeAll(async () => {
      db = await openTestDb('wakeup');
      await migrateOutboxTable(db.pool);
    });
    afterAll(async () => {
      await db.close();
    });

    it('a committed row is sent by a wakeup run, long before the next cron fire', async () => {
      const outbox = createOutbox({ databases: [db.pool], clusters: clusterMap(), wakeup: { pollMinMs: 20, pollMaxMs: 200 } });
      const relay = await startRelay(outbox, 'wakeup-mysql');
      try {
        expect(outbox.wakeup?.options.mode).toBe('poll');
        for (let round = 0; round < 2; round++) {
          await deliveredByWakeup(relay.runs, async (topic) => {
            const connection = await db.pool.getConnection();
            try {
              await connection.beginTransaction();
              const id = await outbox.writer.add(connection, { key: `user-${round}`, topic, cluster: 'cluster_a', payload: 'hello' });
              await connection.commit();
              return id;
            } finally {
              connection.release();
            }
          });
        }
      } finally {
        await relay.stop();
        await outbox.close();
      }
    });
  });

  describe('PostgreSQL: LISTEN/NOTIFY from the writer', () => {
    let database: PgTestDatabase;
    let pool: pg.Pool;
    beforeAll(async () => {
      database = await createPgTestDatabase('wakeup');
      pool = new pg.Pool({ connectionString: database.url, max: 4 });
      pool.on('error', () => undefined);
      await migratePgOutboxTable(pool);
    });
    afterAll(async () => {
      await pool.end();
      await database.drop();
    });

    const config = (): OutboxConfig<pg.Pool> => ({ databases: [pool], clusters: clusterMap(), wakeup: { channel: 'outbox_wakeup_test' } });
    const commitRow = (outbox: Outbox<pg.PoolClient>, key: string) => async (topic: string): Promise<number> => {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        const id = await outbox.writer.add(client, { key, topic, cluster: 'cluster_a', payload: 'hello' });
        await client.query('COMMIT');
        return id;
      } finally {
        client.release();
      }
    };

    it('a committed row is sent by a wakeup run; after the listening connection is killed it listens again', async () => {
      const outbox = createOutbox(config());
      const errors: Error[] = [];
      outbox.wakeup?.on('error', (error) => errors.push(error));
      const relay = await startRelay(outbox, 'wakeup-pg');
      const listeners = async (): Promise<number[]> =>
        (await pool.query<{ pid: number }>("SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND query LIKE 'LISTEN%'")).rows.map((row) => row.pid);
      try {
        expect(outbox.wakeup?.options.mode).toBe('notify');
        await waitUntil(async () => (await listeners()).length === 1, { what: 'the relay listens' });
        await deliveredByWakeup(relay.runs, commitRow(outbox, 'user-1'));

        const [killed] = await listeners();
        await pool.query('SELECT pg_terminate_backend($1)', [killed]);
        await waitUntil(() => errors.length > 0, { what: 'the lost connection is reported' });
        await waitUntil(async () => {
          const pids = await listeners();
          return pids.length === 1 && pids[0] !== killed;
        }, { what: 'the relay listens on a new connection' });
        await deliveredByWakeup(relay.runs, commitRow(outbox, 'user-2'));
      } finally {
        await relay.stop();
        await outbox.close();
      }
    });

    it('a rolled-back row announces nothing: no run follows it', async () => {
      const outbox = createOutbox(config());
      const relay = await startRelay(outbox, 'wakeup-pg-rollback');
      try {
        // The listener's first connection wakes the relay once (rows may have come while nobody listened).
        await waitUntil(() => relay.runs.length === 2, { what: 'the wakeup of the first connection ran both items' });
        const client = await pool.connect();
        try {
          await client.query('BEGIN');
          await outbox.writer.add(client, { key: 'rolled-back', topic: uniqueTopic('wakeup'), cluster: 'cluster_a', payload: 'never' });
          await client.query('ROLLBACK');
        } finally {
          client.release();
        }
        await deliveredByWakeup(relay.runs, commitRow(outbox, 'user-3'));
        // The committed row's notification woke both items once; the rolled-back row's would have
        // woken them once more.
        await waitUntil(() => relay.runs.length >= 4, { what: 'both items ran for the committed row' });
        await sleep(300);
        expect(relay.runs.length).toBe(4);
      } finally {
        await relay.stop();
        await outbox.close();
      }
    });
  });
});
