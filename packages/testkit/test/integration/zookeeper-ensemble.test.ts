import { randomUUID } from 'node:crypto';
import zookeeper from 'node-zookeeper-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ZooKeeperEnsemble } from '../../src/index.js';

function call<T>(fn: (done: (error: Error | zookeeper.Exception | null, result: T) => void) => void): Promise<T> {
  return new Promise((resolve, reject) => fn((error, result) => (error ? reject(error) : resolve(result))));
}

describe('a 3-server ZooKeeper ensemble', () => {
  let ensemble: ZooKeeperEnsemble;
  beforeAll(async () => {
    ensemble = await ZooKeeperEnsemble.start({ size: 3 });
  });
  afterAll(async () => {
    await ensemble?.stop();
  });

  it('keeps serving reads and writes with one server stopped', async () => {
    await ensemble.stopMember(0);
    const client = zookeeper.createClient(ensemble.connectString, { sessionTimeout: 6_000 });
    await new Promise<void>((resolve) => {
      client.once('connected', () => resolve());
      client.connect();
    });
    try {
      const path = `/ensemble-${randomUUID()}`;
      await call<string>((done) => client.create(path, Buffer.from('quorum'), done));
      const data = await call<Buffer>((done) => client.getData(path, done));
      expect(data.toString()).toBe('quorum');
    } finally {
      client.close();
    }
    await ensemble.startMember(0);
  });
});
