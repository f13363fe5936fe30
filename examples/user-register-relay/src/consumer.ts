/**
 * A consumer service: `CONSUMER=coupon` or `CONSUMER=points`. Each is its own Kafka consumer group
 * and applies a registration once: the grant row is keyed by the outbox id, so a redelivered
 * message inserts nothing and is recorded as an ignored duplicate. The offset is committed only
 * after the grant's transaction commits: a crash in between leads to a redelivery, never a loss.
 */
import { Kafka, logLevel } from 'kafkajs';
import { openDatabase } from './database.js';
import { CLUSTER, readEnvironment } from './environment.js';

const consumerName = process.env['CONSUMER'];
if (consumerName !== 'coupon' && consumerName !== 'points') throw new Error("CONSUMER must be 'coupon' or 'points'");
const environment = readEnvironment();
const database = await openDatabase(environment);
const kafka = new Kafka({ clientId: `${consumerName}-service`, brokers: (environment.kafka[CLUSTER] as string).split(','), logLevel: logLevel.NOTHING });
const admin = kafka.admin();
await admin.connect();
// Subscribing to a topic that does not exist yet fails in kafkajs; the account service may not have written yet.
await admin.createTopics({ topics: [{ topic: environment.topic, numPartitions: 4 }], waitForLeaders: true });
await admin.disconnect();
const consumer = kafka.consumer({ groupId: `${consumerName}-service-${environment.database}` });
await consumer.connect();
await consumer.subscribe({ topic: environment.topic, fromBeginning: true });
await consumer.run({
  eachMessage: async ({ message }) => {
    const outboxId = Number(message.headers?.['outbox-id']?.toString());
    const accountNo = parseAccountNo(message.value);
    if (!Number.isSafeInteger(outboxId) || accountNo === undefined) {
      // A message we cannot read is skipped and reported, never retried forever in front of the others.
      process.stderr.write(`${consumerName}: skipping unreadable message at offset ${message.offset}\n`);
      return;
    }
    await database.transaction(async (tx) => {
      const granted = await tx.insertUnlessExists(`${consumerName}_grant`, { outbox_id: outboxId, account_no: accountNo });
      if (!granted) await tx.query('INSERT INTO ignored_duplicate (consumer, outbox_id) VALUES (?, ?)', [consumerName, outboxId]);
    });
  },
});
process.stdout.write(`ready ${consumerName}\n`);

function parseAccountNo(value: Buffer | null): string | undefined {
  try {
    const parsed = JSON.parse(value?.toString() ?? '') as { accountNo?: unknown };
    return typeof parsed.accountNo === 'string' ? parsed.accountNo : undefined;
  } catch {
    return undefined;
  }
}
process.once('SIGTERM', () => {
  void consumer.disconnect().then(() => database.end()).then(() => process.exit(0));
});
