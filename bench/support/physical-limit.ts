import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { resolveKafkaToolsJars } from '@shardflow/testkit';
import type { BenchDatabase } from './bench-database.js';
import { seedOutbox } from './outbox-rows.js';

/** Rows a relay page holds, and so what one request carries across the topic's partitions. */
const PAGE = 500;

/**
 * Records/s Kafka's own Java producer (ProducerPerformance, from the tools of the broker's version)
 * gets into `topic` with the relay's settings: acks=all, idempotence, 1 KB records, one request in
 * flight (as both Node drivers send idempotently), a batch a page's share of each partition, 5 ms
 * linger. Default JIT and GC: this is the client at its best, the broker is what it measures.
 */
export async function brokerLimit(bootstrap: string, topic: string, partitions: number, records: number): Promise<number> {
  const toolsDir = await resolveKafkaToolsJars((line) => console.error(line));
  const { stdout } = await promisify(execFile)('java', [
    '-Xmx512m', '-cp', `${toolsDir}/*`, 'org.apache.kafka.tools.ProducerPerformance',
    '--topic', topic, '--num-records', String(records), '--record-size', '1024', '--throughput', '-1',
    '--producer-props', `bootstrap.servers=${bootstrap}`, 'acks=all', 'enable.idempotence=true', 'max.in.flight.requests.per.connection=1',
    `batch.size=${Math.ceil(PAGE / partitions) * 1024 + 4096}`, 'linger.ms=5',
  ], { timeout: 10 * 60_000, maxBuffer: 16 * 1024 * 1024 });
  // The last line sums the run: "100000 records sent, 41562.8 records/sec (40.59 MB/sec), ...".
  const summary = /(\d+) records sent, ([\d.]+) records\/sec/.exec(stdout.trim().split('\n').at(-1) ?? '');
  if (!summary || Number(summary[1]) !== records) throw new Error(`ProducerPerformance printed no summary of ${records} records:\n${stdout}`);
  return Number(summary[2]);
}

/**
 * Rows/s the database marks sent as the relay's store does (the same UPDATE: state, sent_time,
 * last_error, fence_epoch, by primary key, pending and fenced rows only), a page per statement,
 * over `rows` freshly seeded 1 KB rows. `concurrency` connections mark at once, each its own share
 * of the rows, as the relay's items do.
 */
export async function databaseLimit(database: BenchDatabase, topic: string, rows: number, concurrency: number): Promise<number> {
  await seedOutbox(database, rows, topic);
  const found = await database.query('SELECT id FROM msg_send_record ORDER BY id');
  const ids = found.map((row) => Number(row['id']));
  const shares = Array.from({ length: concurrency }, (_, share) => ids.filter((_id, index) => index % concurrency === share));
  const started = process.hrtime.bigint();
  await Promise.all(shares.map(async (share) => {
    for (let i = 0; i < share.length; i += PAGE) {
      const page = share.slice(i, i + PAGE);
      await database.query(
        `UPDATE msg_send_record SET state = 1, sent_time = CURRENT_TIMESTAMP(3), last_error = NULL, fence_epoch = ? WHERE id IN (${page.map(() => '?').join(', ')}) AND state = 0 AND (fence_epoch IS NULL OR fence_epoch <= ?)`,
        [1, ...page, 1]);
    }
  }));
  return rows / (Number(process.hrtime.bigint() - started) / 1e9);
}
