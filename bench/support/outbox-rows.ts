import { setTimeout as sleep } from 'node:timers/promises';
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

/**
 * Seeds `warmUp` rows due at once and after them `measured` rows all due `measuredDueInS` seconds
 * from now, then lets the database settle: a relay started next warms up on the first (V8 optimises
 * the per-page code over tens of pages) and then drains the second, which it finds as business code
 * leaves rows, their due-index entries written and purged before any relay runs. Releasing parked
 * rows with an UPDATE once the relay is warm would rewrite every measured row's entry just before
 * the drain and leave the database purging the old ones during it.
 */
export async function seedWarmUpAndMeasured(database: BenchDatabase, topic: string, warmUp: number, measured: number, measuredDueInS: number): Promise<void> {
  await seedOutbox(database, warmUp + measured, topic);
  await database.query(`UPDATE msg_send_record SET next_select_time = CURRENT_TIMESTAMP(3) + INTERVAL '${measuredDueInS}' SECOND WHERE id > ?`, [warmUp]);
  await database.settle();
}

/**
 * Waits until no row with an id up to `upToId` is pending, by one dive into the due index every
 * 100 ms (a COUNT over the table would cost the database a scan each time, during the measurement).
 */
export async function waitUntilSent(database: BenchDatabase, upToId = Number.MAX_SAFE_INTEGER): Promise<void> {
  while ((await database.query('SELECT id FROM msg_send_record WHERE state = 0 AND id <= ? LIMIT 1', [upToId])).length > 0) await sleep(100);
}

/**
 * Once the warm-up rows (ids up to `warmUp`) are sent, waits until the measured rows after them are
 * due, and returns; fails when they were due before the warm-up ended, as the measurement would then
 * hold part of the warm-up.
 */
export async function waitForMeasuredRows(database: BenchDatabase, warmUp: number): Promise<void> {
  const secondsToDue = async (): Promise<number> => {
    // Both times read from the database's clock, in one statement.
    const [row] = await database.query('SELECT MIN(next_select_time) AS due, CURRENT_TIMESTAMP(3) AS now FROM msg_send_record WHERE id > ?', [warmUp]);
    return ((row?.['due'] as Date).getTime() - (row?.['now'] as Date).getTime()) / 1000;
  };
  await waitUntilSent(database, warmUp);
  const left = await secondsToDue();
  if (!(left > 0)) throw new Error("the relay's warm-up outlasted the wait before the measured rows were due: give them longer");
  await sleep(left * 1000);
}
