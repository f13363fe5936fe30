import mysql from 'mysql2/promise';
import { createOutbox } from '@shardflow/outbox-relay';

const pool = mysql.createPool({ uri: 'mysql://root@127.0.0.1:3306/shop' });
const outbox = createOutbox({
  databases: [pool],
  // Rows whose cluster_name is cluster_a go to Kafka, rocket_a to RocketMQ: one table, one relay.
  clusters: { cluster_a: { brokers: ['127.0.0.1:9092'] } },
  rocketmqClusters: { rocket_a: { endpoints: '127.0.0.1:8081', requestTimeoutMs: 3_000 } },
  // Also sends every RocketMQ message with its key as message group (the topics must be FIFO).
  relay: { perKeyOrdering: true },
});
const connection = await pool.getConnection();
await connection.beginTransaction();
// topic_name 'user_register_topic:registered': RocketMQ topic user_register_topic, tag registered.
await outbox.writer.addMany(connection, [
  { key: 'acct-1001', topic: 'user_register_topic:registered', cluster: 'rocket_a', payload: { accountNo: 'acct-1001' } },
  { key: 'acct-1001', topic: 'user-registered', cluster: 'cluster_a', payload: { accountNo: 'acct-1001' } },
]);
await connection.commit();
connection.release();
