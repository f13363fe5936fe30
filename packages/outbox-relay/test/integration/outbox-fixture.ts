import { randomUUID } from 'node:crypto';
import { Kafka, logLevel, type KafkaMessage } from 'kafkajs';
import mysql, { type Pool, type RowDataPacket } from 'mysql2/promise';
import pg from 'pg';
import type { DataflowJob, ShardingContext } from '@shardflow/core';
import { drainItems, testContext } from '@shardflow/core/testing';
import { afterAll, beforeAll } from 'vitest';
import { createKafkaTopic, createPgTestDatabase, createTestDatabase, testServices, type TestDatabase } from '@shardflow/testkit';
import { createOutbox, migrateOutboxTable, migratePgOutboxTable, type Outbox, type OutboxConfig, type OutboxTableOptions } from '../../src/index.js';

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
 * A fresh database on either server, for tests that run the same on MariaDB and PostgreSQL. Its
 * statements are written once for both (unquoted names, no placeholders).
 */
export interface AnyTestDb {
  /** The database's URL, as the command line takes it. */
  readonly url: string;
  migrate(options?: OutboxTableOptions, table?: string): Promise<void>;
  /** An outbox on this database; its writer also takes the pool itself, outside a transaction. */
  createOutbox(config: Omit<OutboxConfig, 'databases'>): Outbox<unknown>;
  /** The pool, as the writer's transaction of a single statement. */
  readonly pool: unknown;
  query(sql: string): Promise<Array<Record<string, unknown>>>;
  close(): Promise<void>;
}

async function openMysqlAnyDb(prefix: string): Promise<AnyTestDb> {
  const { database, pool, close } = await openTestDb(prefix);
  return {
    url: database.url,
    pool,
    migrate: (options, table) => migrateOutboxTable(pool, options, table),
    createOutbox: (config) => createOutbox({ ...config, databases: [pool] }),
    query: async (sql) => (await pool.query<RowDataPacket[]>(sql))[0],
    close,
  };
}

async function openPgAnyDb(prefix: string): Promise<AnyTestDb> {
  const database = await createPgTestDatabase(prefix);
  const pool = new pg.Pool({ connectionString: database.url, max: 8 });
  // Dropping the database ends the sessions of clients still closing; that is expected here.
  pool.on('error', () => undefined);
  return {
    url: database.url,
    pool,
    migrate: (options, table) => migratePgOutboxTable(pool, options, table),
    createOutbox: (config) => createOutbox({ ...config, databases: [pool] }),
    query: async (sql) => (await pool.query(sql)).rows as Array<Record<string, unknown>>,
    close: async () => {
      await pool.end();
      await database.drop();
    },
  };
}

/** The two servers, for `describe.each`. */
export const TEST_DATABASES = [
  { name: 'MariaDB', open: openMysqlAnyDb },
  { name: 'PostgreSQL', open: openPgAnyDb },
] as const;

/** Rows per `cluster:state`, on either server. */
export function stateCountsOf(db: AnyTestDb, table = 'msg_send_record'): Promise<Record<string, number>> {
  return countStates((sql) => db.query(sql), table);
}

async function countStates(query: AnyTestDb['query'], table: string): Promise<Record<string, number>> {
  const rows = await query(`SELECT cluster_name AS cluster, state, COUNT(*) AS n FROM ${table} GROUP BY cluster_name, state`);
  const counts: Record<string, number> = {};
  for (const row of rows) counts[`${String(row['cluster'])}:${String(row['state'])}`] = Number(row['n']);
  return counts;
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

/**
 * A new topic (on cluster_a unless told) whose partitions have leaders already: for a test that sends once and
 * must not meet the "no leader yet" answer a first send to an auto-created topic can get.
 */
export async function createdTopic(prefix: string, { partitions = 1, bootstrap = testServices().kafka['cluster_a'] as string } = {}): Promise<string> {
  return createKafkaTopic(bootstrap, uniqueTopic(prefix), partitions);
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

export function stateCounts(pool: Pool, table = 'msg_send_record'): Promise<Record<string, number>> {
  return countStates(async (sql) => (await pool.query<RowDataPacket[]>(sql))[0], table);
}
