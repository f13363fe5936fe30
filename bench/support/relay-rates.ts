import { createServer } from 'node:net';
import type { BenchDatabase } from './bench-database.js';

/** Rows per second from the first of the rows after `afterId` marked sent to the last. */
export async function drainRate(database: BenchDatabase, afterId: number): Promise<number> {
  const [span] = await database.query('SELECT COUNT(*) AS n, MIN(sent_time) AS first_sent, MAX(sent_time) AS last_sent FROM msg_send_record WHERE id > ?', [afterId]);
  const drainMs = (span?.['last_sent'] as Date).getTime() - (span?.['first_sent'] as Date).getTime();
  return Number(span?.['n']) / (drainMs / 1000);
}

/** A port nothing listens on right now, for one relay's metrics server. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}
