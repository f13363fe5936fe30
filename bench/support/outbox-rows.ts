import type { Pool } from 'mysql2/promise';
import { createOutbox, migrateOutboxTable } from '@shardflow/outbox-relay';

/** Empties the outbox table and writes `count` pending rows with 1 KB payloads, spread over keys. */
export async function seedOutbox(pool: Pool, count: number, topic: string, cluster: (index: number) => string = () => 'cluster_a'): Promise<void> {
  await migrateOutboxTable(pool);
  await pool.query('TRUNCATE TABLE msg_send_record');
  const { writer } = createOutbox({ databases: [pool], sink: { send: async () => [], close: async () => undefined } });
  const payload = Buffer.alloc(1024, 7);
  for (let offset = 0; offset < count; offset += 1000) {
    const size = Math.min(1000, count - offset);
    await writer.addMany(pool as never, Array.from({ length: size }, (_, i) => ({ key: `user-${offset + i}`, topic, cluster: cluster(offset + i), payload })));
  }
}

export async function unsentCount(pool: Pool): Promise<number> {
  const [rows] = await pool.query('SELECT COUNT(*) AS n FROM msg_send_record WHERE state <> 1');
  return Number((rows as Array<{ n: number }>)[0]?.n);
}
