import pg from 'pg';
import { createOutbox, migratePgOutboxTable } from '@shardflow/outbox-relay';

const pool = new pg.Pool({ connectionString: 'postgres://postgres@127.0.0.1:5432/shop' });
await migratePgOutboxTable(pool); // msg_send_record with its partial due index, idempotent
const outbox = createOutbox({ databases: [pool], clusters: { cluster_a: { brokers: ['127.0.0.1:9092'] } }, fastPath: true });

const client = await pool.connect();
try {
  await client.query('BEGIN');
  await client.query('INSERT INTO user_account (account_no) VALUES ($1)', ['u-1001']);
  const id = await outbox.writer.add(client, { key: 'u-1001', topic: 'user-registered', cluster: 'cluster_a', payload: { accountNo: 'u-1001' } });
  await client.query('COMMIT'); // the outbox row exists if and only if the user does
  await outbox.writer.publishNow([id]);
} catch (error) {
  await client.query('ROLLBACK');
  throw error;
} finally {
  client.release();
}
// snippet-end
await outbox.close();
await pool.end();
