import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JobScheduler, ZookeeperRegistry, type TriggerSource } from '@shardflow/core';
import { createPgTestDatabase, testServices, uniqueNamespace, waitUntil, type PgTestDatabase } from '@shardflow/testkit';
import type { RowDataPacket } from 'mysql2/promise';
import {
  createClusterSink, createOutbox, DeliveryError, migrateOutboxTable, migratePgOutboxTable,
  type MessageSink, type MysqlTransaction, type Outbox, type OutboxConfig,
} from '../../src/index.js';
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

  describe('MariaDB: rows due again wake the relay, not the cron', () => {
    let db: TestDb;
    beforeAll(async () => {
      db = await openTestDb('wakeup_retry');
      await migrateOutboxTable(db.pool);
    });
    afterAll(async () => {
      await db.close();
    });

    /** The real Kafka sink behind a gate that answers the first `refusals` sends with `error` for every message. */
    function refusingSink(refusals: number, error: DeliveryError): MessageSink {
      const kafka = createClusterSink({ clusters: clusterMap() });
      let refused = 0;
      return {
        send: async (cluster, messages) => {
          if (refused >= refusals) return kafka.send(cluster, messages);
          refused += 1;
          return messages.map(() => ({ ok: false, error }));
        },
        close: () => kafka.close(),
      };
    }

    async function commitRows(outbox: Outbox<MysqlTransaction>, topic: string, count: number): Promise<number[]> {
      const connection = await db.pool.getConnection();
      try {
        await connection.beginTransaction();
        const ids: number[] = [];
        for (let i = 0; i < count; i++) ids.push(await outbox.writer.add(connection, { key: `user-${i}`, topic, cluster: 'cluster_a', payload: `row ${i}` }));
        await connection.commit();
        return ids;
      } finally {
        connection.release();
      }
    }

    it("a row whose send failed is retried when its backoff ends, by a wakeup, with a cron a year away", async () => {
      const outbox = createOutbox({
        databases: [db.pool],
        sink: refusingSink(1, new DeliveryError('DELIVERY_FAILED', 'refused once by the test')),
        relay: { backoff: { initialDelayMs: 500, jitter: 0 } },
        wakeup: { pollMinMs: 20, pollMaxMs: 200 },
      });
      const relay = await startRelay(outbox, 'wakeup-retry');
      try {
        const topic = await createdTopic('wakeup-retry');
        const [id] = await commitRows(outbox, topic, 1);
        const [message] = await consume(testServices().kafka['cluster_a'] as string, topic, 1);
        expect(Number(message?.headers?.['outbox-id']?.toString())).toBe(id);
        const [[row]] = await db.pool.query<RowDataPacket[]>('SELECT state, retry_count FROM msg_send_record WHERE id = ?', [id]);
        expect(row).toEqual({ state: 1, retry_count: 1 });
        await waitUntil(() => relay.runs.filter((run) => run.batches > 0).length >= 2, { what: 'the failed run and the retry completed' });
        expect(relay.runs.map((run) => run.trigger).every((trigger) => trigger === 'wakeup')).toBe(true);
      } finally {
        await relay.stop();
        await outbox.close();
      }
    });

    it("the rows an outage parked are sent once the probe finds the cluster back, though the release is written after the relay's run ended", async () => {
      // The same MariaDB pool, whose release statement (the one UPDATE that sets LEAST(next_select_time, NOW(3)))
      // waits until the test lets it go: a release written late, as one of a large backlog is.
      let letReleaseGo!: () => void;
      const releaseGate = new Promise<void>((resolve) => (letReleaseGo = resolve));
      const slowReleasePool = new Proxy(db.pool, {
        get(pool, property) {
          if (property !== 'query') return Reflect.get(pool, property, pool) as unknown;
          return async (sql: string, values: unknown[]) => {
            if (sql.startsWith('UPDATE') && sql.includes('LEAST(')) await releaseGate;
            return pool.query(sql, values);
          };
        },
      });
      const outbox = createOutbox({
        databases: [slowReleasePool],
        sink: refusingSink(1, new DeliveryError('BROKER_UNAVAILABLE', 'refused once by the test')),
        // Two rows a page: the first page fails and opens the circuit; of the other rows, one is the probe and two are parked for ten minutes.
        relay: { pageSize: 2, circuitBreaker: { failureThreshold: 1, coolDownMs: 300, maxCoolDownMs: 600_000, probeSize: 1 } },
        wakeup: { pollMinMs: 20, pollMaxMs: 200 },
      });
      const released: number[] = [];
      let runsWhenClosed: number | undefined;
      outbox.relayJob.on('released', ({ count }) => released.push(count));
      outbox.relayJob.on('circuitClosed', () => (runsWhenClosed = relay.runs.length));
      const relay = await startRelay(outbox, 'wakeup-released');
      try {
        const topic = await createdTopic('wakeup-released');
        const ids = await commitRows(outbox, topic, 5);
        await waitUntil(() => runsWhenClosed !== undefined && relay.runs.length > runsWhenClosed, { what: 'the probe succeeded and its run ended' });
        const [parked] = await db.pool.query<RowDataPacket[]>('SELECT id FROM msg_send_record WHERE id IN (?) AND next_select_time > NOW(3) + INTERVAL 5 MINUTE', [ids]);
        expect(parked).toHaveLength(2);
        expect(released).toEqual([]);
        letReleaseGo();

        const messages = await consume(testServices().kafka['cluster_a'] as string, topic, ids.length);
        expect(messages.map((message) => Number(message.headers?.['outbox-id']?.toString())).sort((a, b) => a - b)).toEqual(ids);
        expect(released.reduce((sum, count) => sum + count, 0)).toBeGreaterThanOrEqual(2);
        expect(relay.runs.map((run) => run.trigger).every((trigger) => trigger === 'wakeup')).toBe(true);
        const [rows] = await db.pool.query<RowDataPacket[]>('SELECT MAX(retry_count) AS charged FROM msg_send_record WHERE id IN (?)', [ids]);
        expect(rows[0]?.['charged']).toBe(0);
      } finally {
        letReleaseGo();
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
