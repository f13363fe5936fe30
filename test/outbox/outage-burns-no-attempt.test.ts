import type { ChildProcess } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import mysql, { type Pool, type RowDataPacket } from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOutbox, type Outbox } from '@shardflow/outbox-relay';
import { kafkaControl, testServices, waitUntil } from '@shardflow/testkit';
import { migrate } from '../../examples/user-register-relay/src/database.js';
import { databaseUrlOf, readEnvironment } from '../../examples/user-register-relay/src/environment.js';
import { countDelivered } from '../fixtures/count-delivered.js';
import { startRelayProcess, startRelayProcesses } from '../fixtures/relay-processes.js';

/**
 * Regression test for issue 9, point 3: a broker outage parked rows as dead, because every
 * restarted relay began with a fresh circuit breaker and charged its probes to the oldest rows.
 *
 * 3 relay processes of the example with `maxRetries: 3` and a 1 s backoff cap, so a row that were
 * charged for the outage would be dead after about 3 s of it. The broker is stopped for
 * SHARDFLOW_OUTAGE_SECONDS (default 60 s, 20 times maxRetries x the backoff cap; the 5
 * minutes is SHARDFLOW_OUTAGE_SECONDS=300) while rows keep being written and one relay after the
 * other is killed with SIGKILL and replaced, so that each relay process lives about 10 s.
 * Afterwards no row may be dead and every row must have reached Kafka.
 */
const OUTAGE_SECONDS = Number(process.env['SHARDFLOW_OUTAGE_SECONDS'] ?? 60);
const RELAYS = 3;
const RESTART_EVERY_MS = 10_000;
const ROWS_PER_WRITE = 20;

interface TableState {
  readonly pending: number;
  readonly sent: number;
  readonly dead: number;
  /** Pending rows that a relay tried and failed: the outage reached the relays. */
  readonly failedPending: number;
  readonly maxRetryCount: number;
}

async function tableState(pool: Pool): Promise<TableState> {
  const [[row]] = await pool.query<RowDataPacket[]>(
    `SELECT COALESCE(SUM(state = 0), 0) AS pending, COALESCE(SUM(state = 1), 0) AS sent, COALESCE(SUM(state = 2), 0) AS dead,
            COALESCE(SUM(state = 0 AND last_error IS NOT NULL), 0) AS failed, COALESCE(MAX(retry_count), 0) AS max_retry
     FROM msg_send_record`);
  return {
    pending: Number(row?.['pending']), sent: Number(row?.['sent']), dead: Number(row?.['dead']),
    failedPending: Number(row?.['failed']), maxRetryCount: Number(row?.['max_retry']),
  };
}

describe('an outage never burns attempts: broker down far longer than maxRetries x backoff cap, relays restarted throughout', () => {
  const env: Record<string, string> = {};
  let pool: Pool;
  let writerOutbox: Outbox;
  const relays: ChildProcess[] = [];

  beforeAll(async () => {
    const database = `outage_${Date.now().toString(36)}`;
    Object.assign(env, {
      SHARDFLOW_EXAMPLE_DB: database, SHARDFLOW_EXAMPLE_TOPIC: `outage-${database}`, SHARDFLOW_EXAMPLE_NAMESPACE: database,
      RELAY_SESSION_TIMEOUT_MS: '3000', RELAY_MAX_RETRIES: '3', RELAY_BACKOFF_CAP_MS: '1000',
    });
    const environment = readEnvironment({ ...process.env, ...env });
    await migrate(environment);
    pool = mysql.createPool({ uri: databaseUrlOf(environment), connectionLimit: 4 });
    writerOutbox = createOutbox({ databases: [pool], clusters: { cluster_a: { brokers: [testServices().kafka['cluster_a'] as string] } } });
  });
  afterAll(async () => {
    for (const relay of relays) relay.kill('SIGKILL');
    await kafkaControl.start('cluster_a');
    await writerOutbox.close();
    await pool.query(`DROP DATABASE \`${env['SHARDFLOW_EXAMPLE_DB']}\``);
    await pool.end();
  });

  it(`${OUTAGE_SECONDS} s outage, each relay SIGKILLed and replaced every ${RESTART_EVERY_MS / 1_000} s: 0 dead rows, every row delivered`, async () => {
    const topic = env['SHARDFLOW_EXAMPLE_TOPIC'] as string;
    let written = 0;
    const write = async (): Promise<void> => {
      await writerOutbox.writer.addMany(pool as never, Array.from({ length: ROWS_PER_WRITE }, (_, i) => ({ key: `user-${written + i}`, topic, cluster: 'cluster_a', payload: Buffer.alloc(256, i) })));
      written += ROWS_PER_WRITE;
    };

    relays.push(...(await startRelayProcesses(RELAYS, env)));
    for (let i = 0; i < 10; i++) await write();
    await waitUntil(async () => (await tableState(pool)).sent === written, { what: 'the rows written before the outage to be sent', timeoutMs: 60_000, intervalMs: 200 });

    await kafkaControl.stop('cluster_a');
    const outageEnds = Date.now() + OUTAGE_SECONDS * 1_000;
    let nextRestart = Date.now() + RESTART_EVERY_MS / RELAYS;
    let restarts = 0;
    let mostDeadDuringOutage = 0;
    let mostFailedPending = 0;
    while (Date.now() < outageEnds) {
      await write();
      if (Date.now() >= nextRestart) {
        const slot = restarts % RELAYS;
        relays[slot]?.kill('SIGKILL');
        restarts += 1;
        relays[slot] = await startRelayProcess(`relay-${slot + 1}-${restarts}`, env);
        nextRestart += RESTART_EVERY_MS / RELAYS;
      }
      const state = await tableState(pool);
      mostDeadDuringOutage = Math.max(mostDeadDuringOutage, state.dead);
      mostFailedPending = Math.max(mostFailedPending, state.failedPending);
      await sleep(1_000);
    }
    const atOutageEnd = await tableState(pool);
    await kafkaControl.start('cluster_a');
    for (let i = 0; i < 5; i++) await write();

    // Every row leaves the pending state: sent, or (the bug) dead.
    await waitUntil(async () => (await tableState(pool)).pending === 0, { what: 'no pending row left', timeoutMs: 300_000, intervalMs: 500 });
    const final = await tableState(pool);
    const [idRows] = await pool.query<RowDataPacket[]>('SELECT id FROM msg_send_record');
    const delivered = await countDelivered(testServices().kafka['cluster_a'] as string, topic, written);
    const missing = idRows.map((row) => Number(row['id'])).filter((id) => !delivered.has(id));
    console.log(`[outage] ${OUTAGE_SECONDS} s outage, rows ${written}, relay restarts ${restarts}, pending failed rows during the outage (max) ${mostFailedPending}, `
      + `max retry_count at outage end ${atOutageEnd.maxRetryCount} and after it ${final.maxRetryCount}, dead ${final.dead}, delivered distinct ${delivered.size}, missing ${missing.length}`);

    // The outage reached the relays: their sends failed and the rows recorded why.
    expect(mostFailedPending).toBeGreaterThan(0);
    expect(restarts).toBeGreaterThanOrEqual(Math.floor(OUTAGE_SECONDS * 1_000 / RESTART_EVERY_MS));
    expect(mostDeadDuringOutage).toBe(0);
    expect(final.dead).toBe(0);
    expect(final.sent).toBe(written);
    expect(missing).toEqual([]);
  }, (OUTAGE_SECONDS + 600) * 1_000);
});
