import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Kafka, logLevel } from 'kafkajs';
import mysql from 'mysql2/promise';
import zookeeper from 'node-zookeeper-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, FaultProxy, kafkaControl, roundTrip, testServices, type TestDatabase } from '../../src/index.js';

function connectZk(connectString: string, sessionTimeout = 4_000): Promise<zookeeper.Client> {
  const client = zookeeper.createClient(connectString, { sessionTimeout, retries: 0 });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ZooKeeper session at ${connectString}`)), 10_000);
    client.once('connected', () => {
      clearTimeout(timer);
      resolve(client);
    });
    client.connect();
  });
}

function zkCall<T>(call: (done: (error: Error | zookeeper.Exception | null, result: T) => void) => void): Promise<T> {
  return new Promise((resolve, reject) => call((error, result) => (error ? reject(error) : resolve(result))));
}

// Retries: a topic auto-created by the send has no leader for a moment, which kafkajs retries.
async function produce(bootstrap: string, topic: string): Promise<void> {
  const producer = new Kafka({ clientId: 'testkit-test', brokers: [bootstrap], logLevel: logLevel.NOTHING, retry: { retries: 5, initialRetryTime: 100, maxRetryTime: 1_000 }, connectionTimeout: 1_000, requestTimeout: 3_000 }).producer();
  try {
    await producer.connect();
    await producer.send({ topic, messages: [{ value: randomUUID() }], acks: -1, timeout: 3_000 });
  } finally {
    await producer.disconnect().catch(() => undefined);
  }
}

describe('the testkit provides real services', () => {
  it('Kafka: a message produced on each cluster is consumed back', async () => {
    const { kafka } = testServices();
    expect(await roundTrip(kafka['cluster_a'] as string)).toBe(true);
    expect(await roundTrip(kafka['cluster_b'] as string)).toBe(true);
  });

  it('ZooKeeper: an ephemeral node vanishes when its session closes', async () => {
    const { zookeeper: connectString } = testServices();
    const owner = await connectZk(connectString);
    const observer = await connectZk(connectString);
    const path = `/testkit-ephemeral-${randomUUID()}`;
    await zkCall<string>((done) => owner.create(path, Buffer.from('x'), zookeeper.CreateMode.EPHEMERAL, done));
    expect(await zkCall((done) => observer.exists(path, done))).toBeTruthy();
    owner.close();
    await sleep(1_000);
    expect(await zkCall((done) => observer.exists(path, done))).toBeNull();
    observer.close();
  });

  describe('MySQL', () => {
    let database: TestDatabase;
    let connection: mysql.Connection;
    beforeAll(async () => {
      database = await createTestDatabase('testkit');
      connection = await mysql.createConnection(database.config);
      await connection.query('CREATE TABLE t (id INT PRIMARY KEY) ENGINE=InnoDB');
    });
    afterAll(async () => {
      await connection.end();
      await database.drop();
    });

    it('a rolled-back transaction leaves no row, a committed one does', async () => {
      await connection.beginTransaction();
      await connection.query('INSERT INTO t VALUES (1)');
      await connection.rollback();
      await connection.beginTransaction();
      await connection.query('INSERT INTO t VALUES (2)');
      await connection.commit();
      const [rows] = await connection.query('SELECT id FROM t ORDER BY id');
      expect(rows).toEqual([{ id: 2 }]);
    });
  });

  it('Kafka: with cluster_a stopped its producer fails while cluster_b works; cluster_a works after restart', async () => {
    const { kafka } = testServices();
    await kafkaControl.stop('cluster_a');
    try {
      await expect(produce(kafka['cluster_a'] as string, 'testkit-down')).rejects.toThrow();
      await expect(produce(kafka['cluster_b'] as string, 'testkit-up')).resolves.toBeUndefined();
    } finally {
      await kafkaControl.start('cluster_a');
    }
    await expect(produce(kafka['cluster_a'] as string, 'testkit-down')).resolves.toBeUndefined();
  });

  it('fault proxy: blackholing cuts the proxied ZooKeeper client off while a direct client stays connected', async () => {
    const { zookeeper: connectString } = testServices();
    const proxy = await FaultProxy.start({ target: connectString.split(',')[0] as string });
    const proxied = await connectZk(proxy.address, 4_000);
    const direct = await connectZk(connectString, 4_000);
    const proxiedStates: string[] = [];
    const directStates: string[] = [];
    proxied.on('state', (state) => proxiedStates.push(String(state)));
    direct.on('state', (state) => directStates.push(String(state)));
    try {
      proxy.blackhole();
      await sleep(4_500);
      expect(proxiedStates.some((state) => state.startsWith('DISCONNECTED'))).toBe(true);
      expect(directStates).toEqual([]);
      expect(await zkCall((done) => direct.exists('/', done))).toBeTruthy();
    } finally {
      proxied.close();
      direct.close();
      await proxy.close();
    }
  });
});
