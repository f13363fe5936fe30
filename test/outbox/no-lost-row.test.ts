import type { ChildProcess } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Outbox } from '@shardflow/outbox-relay';
import { kafkaControl, mysqlUrl, pgUrl, testServices, waitUntil } from '@shardflow/testkit';
import { dropDatabase, migrate, openDatabase, type ExampleDatabase } from '../../examples/user-register-relay/src/database.js';
import { readEnvironment, type ExampleEnvironment } from '../../examples/user-register-relay/src/environment.js';
import { countDelivered } from '../fixtures/count-delivered.js';
import { startRelayProcesses } from '../fixtures/relay-processes.js';

const ROWS = 3_000;

describe.each([
  ['MariaDB', mysqlUrl],
  ['PostgreSQL', pgUrl],
] as const)('no lost row on %s: relay instances killed with SIGKILL mid-batch, Kafka restarted under them', (_name, serverUrl) => {
  const env: Record<string, string> = {};
  let environment: ExampleEnvironment;
  let database: ExampleDatabase;
  const relays: ChildProcess[] = [];

  const count = async (sql: string): Promise<number> => Number((await database.query(sql))[0]?.['n']);

  beforeAll(async () => {
    const name = `no_lost_row_${Date.now().toString(36)}`;
    Object.assign(env, { SHARDFLOW_DATABASE_URL: serverUrl(), SHARDFLOW_EXAMPLE_DB: name, SHARDFLOW_EXAMPLE_TOPIC: `no-lost-row-${name}`, SHARDFLOW_EXAMPLE_NAMESPACE: name });
    environment = readEnvironment({ ...process.env, ...env });
    await migrate(environment);
    database = await openDatabase(environment);
  });
  afterAll(async () => {
    for (const relay of relays) relay.kill('SIGKILL');
    await kafkaControl.start('cluster_a');
    await database.end();
    await dropDatabase(environment);
  });

  it('every committed row reaches Kafka at least once; duplicates are counted, never a loss', async () => {
    relays.push(...(await startRelayProcesses(3, { ...env, RELAY_SESSION_TIMEOUT_MS: '3000' })));
    const bootstrap = testServices().kafka['cluster_a'] as string;
    const writerOutbox: Outbox<unknown> = database.createOutbox({ clusters: { cluster_a: { brokers: [bootstrap] } } });
    try {
      for (let batch = 0; batch < ROWS / 100; batch++) {
        await database.transaction((tx) => writerOutbox.writer.addMany(tx.client, Array.from({ length: 100 }, (_, i) => ({ key: `user-${batch}-${i}`, topic: environment.topic, cluster: 'cluster_a', payload: Buffer.alloc(512, i) }))));
        if (batch === 8) relays[0]?.kill('SIGKILL');
        // The broker goes away while batches are on their way to it and comes back some rows later.
        if (batch === 12) await kafkaControl.stop('cluster_a');
        if (batch === 15) {
          // Not before the outage reached the relays: their sends failed and the rows say why.
          await waitUntil(async () => (await count('SELECT COUNT(*) AS n FROM msg_send_record WHERE state = 0 AND last_error IS NOT NULL')) > 0,
            { what: 'a relay send to fail during the broker outage', timeoutMs: 60_000, intervalMs: 100 });
          await kafkaControl.start('cluster_a');
        }
        if (batch === 18) relays[1]?.kill('SIGKILL');
        await sleep(60);
      }
      const deadline = Date.now() + 90_000;
      let unsent = ROWS;
      while (Date.now() < deadline && unsent > 0) {
        await sleep(500);
        unsent = await count('SELECT COUNT(*) AS n FROM msg_send_record WHERE state <> 1');
      }
      expect(unsent).toBe(0);
      // An outage is not an attempt: the rows it held back were not charged a retry.
      const retried = await count('SELECT COUNT(*) AS n FROM msg_send_record WHERE retry_count > 0');
      const idRows = await database.query('SELECT id FROM msg_send_record');
      const delivered = await countDelivered(bootstrap, environment.topic, ROWS);
      const missing = idRows.map((row) => Number(row['id'])).filter((id) => !delivered.has(id));
      const duplicates = [...delivered.values()].filter((times) => times > 1).length;
      console.log(`[no-lost-row ${environment.databaseKind}] rows ${ROWS}, charged a retry ${retried}, delivered distinct ${delivered.size}, duplicated ${duplicates}, missing ${missing.length}`);
      expect(missing).toEqual([]);
      expect(idRows).toHaveLength(ROWS);
      expect(delivered.size).toBe(ROWS);
    } finally {
      await writerOutbox.close();
    }
    // Its own wait for the last rows is 90 s, after three relays started and 30 batches written.
  }, 240_000);
});
