import mysql from 'mysql2/promise';
import { createOutbox, migrateOutboxTable } from '@shardflow/outbox-relay';

const pool = mysql.createPool({ uri: 'mysql://root@127.0.0.1:3306/shop' });
await migrateOutboxTable(pool); // msg_send_record with its indexes, idempotent
const outbox = createOutbox({
  databases: [pool],
  clusters: { cluster_a: { brokers: ['127.0.0.1:9092'] }, cluster_b: { brokers: ['127.0.0.1:9093'] } },
  fastPath: true,
});

const connection = await pool.getConnection();
await connection.beginTransaction();
await connection.query('INSERT INTO user_account (account_no) VALUES (?)', ['u-1001']);
const id = await outbox.writer.add(connection, {
  key: 'u-1001', topic: 'user-registered', cluster: 'cluster_a', payload: { accountNo: 'u-1001' },
});
await connection.commit(); // the outbox row exists if and only if the user does
connection.release();
await outbox.writer.publishNow([id]); // fast path; on failure the relay sends it later
