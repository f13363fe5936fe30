import mysql from 'mysql2/promise';
import { createOutbox } from '@shardflow/outbox-relay';

const pool = mysql.createPool({ uri: 'mysql://root@127.0.0.1:3306/shop' });
const outbox = createOutbox({
  databases: [pool],
  clusters: {
    cluster_a: { brokers: ['127.0.0.1:9092'], driver: 'platformatic' },
    cluster_b: { brokers: ['127.0.0.1:9093'] }, // kafkajs
  },
});
// snippet-end
await outbox.close();
await pool.end();
