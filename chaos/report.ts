/**
 * The verdict of a chaos run and its printout. The run fails on any lost row (marked sent, never
 * seen in Kafka), any overlap, any send made after a freeze had cost the session (stale-sends.ts),
 * any row dead because of the outage, and a backlog that did not drain in time (then lost rows
 * cannot be judged). Duplicates are reported, never a failure: the
 * guarantee is at-least-once, with the bound docs/reliability.md gives.
 */
import { DELIVERY_ERROR_CODES, DeliveryError, type DeliveryErrorCode } from '@shardflow/outbox-relay';
import { percentile } from '../bench/support/bench-services.js';
import type { Failover } from './failover-times.js';
import type { DeadRow, OutboxAudit } from './outbox-audit.js';
import type { Overlap, Send } from './overlaps.js';
import type { UnexpectedExit } from './relay-fleet.js';
import type { StaleSends } from './stale-sends.js';

export interface ChaosFigures {
  readonly minutes: number;
  readonly revision: string;
  readonly faults: { readonly kills: number; readonly freezes: number; readonly outages: readonly string[]; readonly mysqlConnectionsKilled: number };
  readonly failedInserts: number;
  readonly audit: OutboxAudit;
  /** Outbox id -> times seen by the independent consumer. */
  readonly delivered: ReadonlyMap<number, number>;
  readonly drained: boolean;
  readonly overlaps: readonly Overlap[];
  readonly staleSends: readonly StaleSends[];
  readonly failovers: readonly Failover[];
  readonly unexpectedExits: readonly UnexpectedExit[];
  readonly logDir: string;
}

/** What the table says about rows the report names; filled in after the verdict. */
export interface ChaosDetails {
  readonly lostRows: readonly string[];
  /** Kept when the run failed, for a look at the rows. */
  readonly keptDatabase: string | undefined;
}

export interface ChaosVerdict {
  readonly lost: readonly number[];
  readonly duplicatedIds: number;
  readonly extraCopies: number;
  readonly outageDead: readonly DeadRow[];
  readonly failures: readonly string[];
}

/** A dead row's failure is the destination's (outage) unless its code is one of a row's own faults; an unknown code counts as the destination's. */
export function deadBecauseOfOutage(row: DeadRow): boolean {
  const code = row.lastError.split(':', 1)[0]?.trim() ?? '';
  if (!(DELIVERY_ERROR_CODES as readonly string[]).includes(code)) return true;
  return new DeliveryError(code as DeliveryErrorCode, '').retriable;
}

export function judge(figures: ChaosFigures): ChaosVerdict {
  const lost = figures.audit.sentIds.filter((id) => !figures.delivered.has(id));
  const copies = [...figures.delivered.values()];
  const outageDead = figures.audit.dead.filter(deadBecauseOfOutage);
  const failures: string[] = [];
  if (lost.length > 0) failures.push(`${lost.length} row(s) lost: marked sent, never seen in Kafka`);
  if (figures.overlaps.length > 0) failures.push(`${figures.overlaps.length} overlap(s): an item ran on two processes at once`);
  if (figures.staleSends.length > 0) failures.push(`${figures.staleSends.length} run(s) sent after a freeze had cost their session`);
  if (outageDead.length > 0) failures.push(`${outageDead.length} row(s) dead because of the outage`);
  if (!figures.drained) failures.push(`the backlog did not drain (${figures.audit.pendingIds.length} pending): lost rows cannot be judged`);
  return {
    lost,
    duplicatedIds: copies.filter((times) => times > 1).length,
    extraCopies: copies.reduce((sum, times) => sum + Math.max(0, times - 1), 0),
    outageDead,
    failures,
  };
}

export function printReport(figures: ChaosFigures, verdict: ChaosVerdict, details: ChaosDetails, print: (line: string) => void = console.log): void {
  const { audit, faults } = figures;
  const measured = figures.failovers.flatMap((failover) => (failover.ms === undefined ? [] : [failover.ms]));
  const seconds = (ms: number): string => (Number.isNaN(ms) ? 'n/a' : `${(ms / 1000).toFixed(2)} s`);
  const deadCodes = new Map<string, number>();
  for (const row of audit.dead) {
    const code = row.lastError.split(':', 1)[0] ?? '';
    deadCodes.set(code, (deadCodes.get(code) ?? 0) + 1);
  }
  print('');
  print(`chaos: ${figures.minutes} min at revision ${figures.revision}`);
  print(`  faults                 ${faults.kills} SIGKILL, ${faults.freezes} SIGSTOP past the session timeout, outage ${faults.outages.join('; ')}, ${faults.mysqlConnectionsKilled} MySQL connections KILLed`);
  print(`  rows inserted          ${audit.rows} (inserts that failed and were not committed: ${figures.failedInserts})`);
  print(`  delivered (distinct)   ${figures.delivered.size}`);
  print(`  lost                   ${verdict.lost.length}${verdict.lost.length > 0 ? ` (ids ${verdict.lost.slice(0, 20).join(', ')}${verdict.lost.length > 20 ? ', ...' : ''})` : ''}`);
  for (const row of details.lostRows.slice(0, 10)) print(`    ${row}`);
  print(`  duplicates             ${verdict.duplicatedIds} ids delivered more than once, ${verdict.extraCopies} extra copies`);
  print(`  dead                   ${audit.dead.length}${deadCodes.size > 0 ? ` (${[...deadCodes].map(([code, n]) => `${code} ${n}`).join(', ')})` : ''}; because of the outage ${verdict.outageDead.length}`);
  for (const row of verdict.outageDead.slice(0, 5)) print(`    dead id ${row.id}, retry_count ${row.retryCount}: ${row.lastError}`);
  print(`  charged an attempt     ${audit.retried} rows (the most: retry_count ${audit.maxRetryCount})`);
  print(`  pending                ${audit.pendingIds.length}${figures.drained ? '' : ' (the backlog did not drain in time)'}`);
  print(`  overlaps               ${figures.overlaps.length}`);
  for (const overlap of figures.overlaps.slice(0, 10)) {
    const { first, second } = overlap;
    const at = overlap.during[0] ? clock(overlap.during[0].from) : '?';
    print(`    item ${overlap.item}: ${first.process} (epoch ${first.epoch}, run from ${clock(first.start)}) and ${second.process} (epoch ${second.epoch}, run from ${clock(second.start)}) both active ${overlap.ms} ms, from ${at}`);
  }
  print(`  stale sends            ${figures.staleSends.length} runs began a batch and sent after a freeze longer than the session timeout`);
  for (const stale of figures.staleSends.slice(0, 10)) {
    print(`    item ${stale.run.item}: ${stale.run.process} (epoch ${stale.run.epoch}) frozen ${clock(stale.freeze.from)}-${clock(stale.freeze.to)}, then ${stale.sends.length} send(s) from ${clock((stale.sends[0] as Send).at)}`);
  }
  print(`  failover               ${measured.length} kills of relays owning items: p50 ${seconds(percentile(measured, 50))}, p90 ${seconds(percentile(measured, 90))}, max ${seconds(percentile(measured, 100))}; not recovered ${figures.failovers.length - measured.length}`);
  if (figures.unexpectedExits.length > 0) {
    print(`  relays that exited by themselves: ${figures.unexpectedExits.length}`);
    for (const exit of figures.unexpectedExits.slice(0, 3)) print(`    ${exit.process} ${exit.how}: ${exit.stderrTail.trim().split('\n').slice(-3).join(' | ')}`);
  }
  print(`  run logs               ${figures.logDir}`);
  if (details.keptDatabase) print(`  database kept          ${details.keptDatabase}`);
  print(verdict.failures.length === 0 ? 'PASSED: no lost row, no overlap, no stale send, no row dead because of the outage.' : `FAILED: ${verdict.failures.join('; ')}.`);
}

function clock(at: number): string {
  return new Date(at).toISOString().slice(11, 23);
}
