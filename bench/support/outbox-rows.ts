import { createOutbox } from '@shardflow/outbox-relay';
import type { BenchDatabase } from './bench-database.js';

/** Empties the outbox table and writes `count` pending rows with 1 KB payloads, spread over keys. */
export async function seedOutbox(database: BenchDatabase, count: number, topic: string, cluster: (index: number) => string = () => 'cluster_a'): Promise<void> {
  await database.resetOutbox();
  const { writer } = createOutbox({ databases: [database.pool], sink: { send: async () => [], close: async () => undefined } });
  const payload = Buffer.alloc(1024, 7);
  for (let offset = 0; offset < count; offset += 1000) {
    const size = Math.min(1000, count - offset);
    // The pool itself is the transaction of each single INSERT.
    await writer.addMany(database.pool as never, Array.from({ length: size }, (_, i) => ({ key: `user-${offset + i}`, topic, cluster: cluster(offset + i), payload })));
  }
}

export async function unsentCount(database: BenchDatabase): Promise<number> {
  const [row] = await database.query('SELECT COUNT(*) AS n FROM msg_send_record WHERE state <> 1');
  return Number(row?.['n']);
}
