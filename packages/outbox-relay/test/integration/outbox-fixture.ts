import { randomUUID } from 'node:crypto';
import { Kafka, logLevel, type KafkaMessage } from 'kafkajs';
import mysql, { type Pool, type RowDataPacket } from 'mysql2/promise';
import type { DataflowJob, ShardingContext } from '@shardflow/core';
import { drainItems, testContext } from '@shardflow/core/testing';
import { afterAll, beforeAll } from 'vitest';
import { createTestDatabase, testServices, type TestDatabase } from '@shardflow/testkit';
import { migrateOutboxTable } from '../../src/index.js';

export interface TestDb {
  readonly database: TestDatabase;
  readonly pool: Pool;
  close(): Promise<void>;
}

export async function openTestDb(prefix = 'outbox'): Promise<TestDb> {
  const database = await createTestDatabase(prefix);
  const pool = mysql.createPool({ ...database.config, connectionLimit: 8, dateStrings: false });
  return {
    database,
    pool,
    close: async () => {
      await pool.end();
      await database.drop();
    },
  };
}

/**
 * The calling describe block's database with the outbox table: created before its tests, dropped
 * after them, after `beforeDrop` (which brings back a service the tests stopped).
 */
export function suiteOutboxDb(prefix: string, beforeDrop?: () => Promise<unknown>): TestDb {
  let db: TestDb | undefined;
  beforeAll(async () => {
    db = await openTestDb(prefix);
    await migrateOutboxTable(db.pool);
  });
  afterAll(async () => {
    await beforeDrop?.();
    await db?.close();
  });
  const opened = (): TestDb => {
    if (!db) throw new Error(`the ${prefix} database opens before the block's tests, not when the block is declared`);
    return db;
  };
  return { get database() { return opened().database; }, get pool() { return opened().pool; }, close: () => opened().close() };
}

/** A context as the scheduler would give it, for calling the relay directly. */
export function itemContext(item: number, total: number, epoch: number, options: { jobParameter?: string; owner?: () => boolean } = {}): ShardingContext {
  return testContext({ item, total, epoch, jobParameter: options.jobParameter, isOwner: options.owner });
}

/** Runs every item's fetch/process loop until nothing is due, like one streaming trigger per item; returns the batches. */
export async function drain<T>(job: DataflowJob<T>, total: number, epoch = 1, options: { jobParameter?: string; maxBatches?: number } = {}): Promise<number> {
  return (await drainItems(job, total, { epoch, ...options })).batches;
}

export function clusterMap(): Record<string, { brokers: string[] }> {
  const { kafka } = testServices();
  return {
    cluster_a: { brokers: [kafka['cluster_a'] as string] },
    cluster_b: { brokers: [kafka['cluster_b'] as string] },
    // Nothing listens on port 1: a cluster that is always down.
    cluster_down: { brokers: ['127.0.0.1:1'] },
  };
}

export function uniqueTopic(prefix: string): string {
  return `${prefix}-${randomUUID().slice(0, 8)}`;
}

/** Reads `topic` from the beginning until `count` messages arrived or `timeoutMs` passed. */
export async function consume(bootstrap: string, topic: string, count: number, timeoutMs = 30_000): Promise<KafkaMessage[]> {
  const kafka = new Kafka({ clientId: 'outbox-test-consumer', brokers: [bootstrap], logLevel: logLevel.NOTHING });
  const consumer = kafka.consumer({ groupId: `test-${randomUUID()}` });
  const messages: KafkaMessage[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, timeoutMs);
      void consumer.run({
        eachMessage: async ({ message }) => {
          messages.push(message);
          if (messages.length >= count) {
            clearTimeout(timer);
            resolve();
          }
        },
      });
    });
  } finally {
    await consumer.disconnect();
  }
  return messages;
}

export async function stateCounts(pool: Pool, table = 'msg_send_record'): Promise<Record<string, number>> {
  const [rows] = await pool.query<RowDataPacket[]>(`SELECT cluster_name AS cluster, state, COUNT(*) AS n FROM \`${table}\` GROUP BY cluster_name, state`);
  const counts: Record<string, number> = {};
  for (const row of rows) counts[`${String(row['cluster'])}:${String(row['state'])}`] = Number(row['n']);
  return counts;
}
