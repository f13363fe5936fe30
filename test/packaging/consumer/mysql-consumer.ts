// A MySQL user's code, compiled by published-packages.test.ts against the packed packages with the
// oldest mysql2 the peer range allows and without pg: the transaction types must be mysql2's.
import mysql from 'mysql2/promise';
import { createOutbox, migrateOutboxTable, type OutboxMessage } from '@shardflow/outbox-relay';

const pool = mysql.createPool({ uri: 'mysql://root@127.0.0.1:3306/shop' });
await migrateOutboxTable(pool);
const outbox = createOutbox({ databases: [pool], clusters: { cluster_a: { brokers: ['127.0.0.1:9092'] } }, fastPath: true });
const message: OutboxMessage = { key: 'u-1001', topic: 'user-registered', cluster: 'cluster_a', payload: { accountNo: 'u-1001' } };
const connection = await pool.getConnection();
await connection.beginTransaction();
const id = await outbox.writer.add(connection, message);
await outbox.writer.addMany(pool, [message]);
await connection.commit();
connection.release();
await outbox.writer.publishNow([id]);
console.log(await outbox.relayJob.stats(), await outbox.store.countDead({ cluster: 'cluster_a' }));
