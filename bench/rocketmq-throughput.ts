/**
 * RocketMQ relay throughput with 1 KB payloads, measured side by side in one run:
 * - raw limit: the RocketMQ Node client's own sends of every row alone (it has no batch send: one
 *   message per request, as many in flight as the sink allows), plus batched UPDATEs alone;
 * - physical limit: the smaller of the broker's (RocketMQ's own Java client: 1 KB messages with keys,
 *   64 sent at once as the sink's maxInFlight, into a topic of the same 8 queues, see
 *   bench/java/RocketMqProducerLimit.java) and the database's (the relay's mark of as many rows, at
 *   least 50 000, on 4 connections); every rate is also printed as a ratio to it;
 * - shardflow: the relay job (4 items driven in this process, page 500) through the RocketMQ sink.
 * All run against one RocketMQ cluster started by the testkit (or SHARDFLOW_ROCKETMQ). The broker's
 * limit needs a JDK (its program runs from source), the testkit's services need Java anyway.
 * Usage: node --conditions=@shardflow/source --import tsx bench/rocketmq-throughput.ts [--rows 20000]
 */
import mysql, { type RowDataPacket } from 'mysql2/promise';
import { Producer, type ILogger } from 'rocketmq-client-nodejs';
import { createOutbox } from '@shardflow/outbox-relay';
import { createTestDatabase, startTestRocketMq } from '@shardflow/testkit';
import { report } from './support/bench-services.js';
import { openBenchDatabase } from './support/bench-database.js';
import { drainItems } from '@shardflow/core/testing';
import { seedOutbox, unsentCount } from './support/outbox-rows.js';
import { measurePhysicalLimit, physicalLimitFields, rocketMqBrokerLimit } from './support/physical-limit.js';

const rowsArg = process.argv.indexOf('--rows');
const ROWS = rowsArg > 0 ? Number(process.argv[rowsArg + 1]) : 20_000;
const IN_FLIGHT = 64;
const QUEUES = 8;
const ITEMS = 4;
const SILENT: ILogger = { info: () => undefined, warn: () => undefined, error: () => undefined };

const rocket = await startTestRocketMq('rocket_a');
const database = await createTestDatabase('bench');
const pool = mysql.createPool({ ...database.config, connectionLimit: 16 });
const outboxDatabase = await openBenchDatabase('mysql', { pool, name: database.name });
const topic = `bench-rocketmq-${Date.now()}`;
await rocket.createTopic(topic, { queues: QUEUES });

async function rawLimit(): Promise<number> {
  await seedOutbox(outboxDatabase, ROWS, topic, () => 'rocket_a');
  const [rows] = await pool.query<RowDataPacket[]>('SELECT id, account_no, payload FROM msg_send_record ORDER BY id');
  const producer = new Producer({ endpoints: rocket.address.endpoints, namespace: '', sslEnabled: false, maxAttempts: 1, logger: SILENT });
  await producer.startup();
  // Warm the route and the connection, as the relay's producer is warm after its first page.
  await producer.send({ topic, body: Buffer.from('warm-up') });
  const sendStarted = Date.now();
  let next = 0;
  await Promise.all(Array.from({ length: IN_FLIGHT }, async () => {
    while (next < rows.length) {
      const row = rows[next++] as RowDataPacket;
      await producer.send({ topic, keys: [String(row['account_no'])], body: row['payload'] as Buffer });
    }
  }));
  const sendSeconds = (Date.now() - sendStarted) / 1000;
  await producer.shutdown();
  const updateStarted = Date.now();
  for (let i = 0; i < rows.length; i += 500) {
    await pool.query('UPDATE msg_send_record SET state = 1, sent_time = NOW(3) WHERE id IN (?)', [rows.slice(i, i + 500).map((row) => row['id'])]);
  }
  return ROWS / (sendSeconds + (Date.now() - updateStarted) / 1000);
}

async function shardflow(): Promise<number> {
  await seedOutbox(outboxDatabase, ROWS, topic, () => 'rocket_a');
  const outbox = createOutbox({ databases: [pool], rocketmqClusters: { rocket_a: { endpoints: rocket.address.endpoints } }, relay: { pageSize: 500 } });
  try {
    await outbox.sink.send('rocket_a', [{ id: 0, key: 'warm-up', topic, value: Buffer.from('warm-up'), headers: {} }]);
    const started = Date.now();
    await drainItems(outbox.relayJob, ITEMS, { concurrently: true });
    const seconds = (Date.now() - started) / 1000;
    const unsent = await unsentCount(outboxDatabase);
    if (unsent > 0) throw new Error(`${unsent} rows left unsent`);
    return ROWS / seconds;
  } finally {
    await outbox.close();
  }
}

try {
  const raw = await rawLimit();
  const limit = await measurePhysicalLimit((messages) => rocketMqBrokerLimit(rocket.address, QUEUES, messages, IN_FLIGHT), { database: outboxDatabase, topic, rows: ROWS, concurrency: ITEMS });
  const relayed = await shardflow();
  report('rocketmq-throughput', {
    rows: ROWS, in_flight: String(IN_FLIGHT), raw_limit_rows_per_s: raw, shardflow_rows_per_s: relayed, shardflow_vs_raw: relayed / raw,
    ...physicalLimitFields(limit, { raw_limit: raw, shardflow: relayed }),
  });
} finally {
  await pool.end();
  await database.drop();
  await rocket.close();
}
