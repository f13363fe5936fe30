import type { ClusterDeferral } from './outbox-store.js';
import { rowPredicateSql } from '../partition/row-predicate.js';
import type { TableScope } from '../partition/partitioning.js';
import type { OutboxColumns } from '../schema/outbox-table.js';
import type { RecordFilter } from './outbox-record.js';
import type { SqlParams } from './sql-params.js';
import { setTimeout as delay } from 'node:timers/promises';

/** Predicates both SQL stores write the same way, over columns quoted in the store's dialect. */

/**
 * Rows one statement of a circuit's deferral or release changes at most: a cluster's backlog is
 * rewritten in short statements, so that the writer's inserts never wait long on their locks.
 */
export const CIRCUIT_CHUNK = 2_000;

/** How a store defers one scope's due rows of a cluster. */
export interface DeferralSteps {
  /** Ids of up to `limit` due, pending, unfenced rows of the cluster: the first in fetch order when `inOrder`, any otherwise. */
  dueIds(limit: number, inOrder: boolean): Promise<number[]>;
  /** Sets `until` as the due time of those of `ids` still due, pending and unfenced; returns how many changed. */
  defer(ids: readonly number[], until: Date): Promise<number>;
}

/** Rows a circuit's deferral or release reads at once, before changing them CIRCUIT_CHUNK at a time. */
const CIRCUIT_READ = 10 * CIRCUIT_CHUNK;

/**
 * After each statement that parks rows, the database gets this many times the statement's time to
 * the other clusters' rows. While 100 000 rows of a down cluster were parked on PostgreSQL, the
 * other cluster held 0.83-0.92 of its pace alone with 1 (three runs) and 0.88-1.07 with 3 (five
 * runs; bench/head-of-line.ts); the parking takes longer, which only another instance taking an item
 * over meanwhile notices (it finds rows still due and probes).
 */
const PARKING_IDLE_FACTOR = 3;

/**
 * An open circuit written into a scope's due rows: the `probeRows` first due get the probe time,
 * the rest are parked. See changeByKey for why the rows are read before they are changed (with
 * 100 000 rows of a broken cluster, statements that picked their own chunk spent half a minute on
 * MariaDB, and sorted the whole backlog when they picked in order).
 */
export async function deferDueRows(steps: DeferralSteps, deferral: ClusterDeferral): Promise<number> {
  const probed = await steps.defer(await steps.dueIds(deferral.probeRows, true), deferral.probeAt);
  return probed + await changeByKey((limit) => steps.dueIds(limit, false), async (ids) => {
    // Parking is no one's critical path (the instance's own circuit already keeps the cluster out
    // of its pages), while the other clusters' rows are.
    const started = performance.now();
    const parked = await steps.defer(ids, deferral.parkUntil);
    await delay(PARKING_IDLE_FACTOR * (performance.now() - started));
    return parked;
  }, deferral.signal);
}

/**
 * Changes every row `read` finds: reads up to CIRCUIT_READ ids (by an index, without locks), then
 * changes them by primary key, CIRCUIT_CHUNK a statement, and again until a read comes back short.
 * A statement that picked its chunk itself would rescan, each time from the start, the rows it
 * skips (other items' rows, rows already changed); reading first rescans them once per read. Ends
 * too when a whole read changed nothing (those rows changed under it: sent, fenced; reading them
 * again would change nothing more), and before the next read or statement once `signal` is
 * aborted. Returns the rows changed.
 */
export async function changeByKey(read: (limit: number) => Promise<number[]>, change: (ids: readonly number[]) => Promise<number>, signal?: AbortSignal): Promise<number> {
  let total = 0;
  while (!signal?.aborted) {
    const ids = await read(CIRCUIT_READ);
    let changed = 0;
    for (let start = 0; start < ids.length && !signal?.aborted; start += CIRCUIT_CHUNK) changed += await change(ids.slice(start, start + CIRCUIT_CHUNK));
    total += changed;
    if (ids.length < CIRCUIT_READ || changed === 0) break;
  }
  return total;
}

/**
 * Which rows an outcome written under `epoch` may touch: rows no relay item wrote yet or that an
 * item of the same or an older epoch wrote, so a zombie never overwrites a newer owner's outcome.
 * Without an epoch (the writer's fast path), only rows no relay item has written.
 */
export function fenceSql(fenceEpoch: string, epoch: number | undefined, p: SqlParams): string {
  return epoch === undefined ? `${fenceEpoch} IS NULL` : `(${fenceEpoch} IS NULL OR ${fenceEpoch} <= ${p.bind(epoch)})`;
}

/** The scope's rows of its table; `alias` prefixes the columns when the statement names the table. */
export function scopeSql(scope: TableScope, c: Readonly<OutboxColumns>, p: SqlParams, alias = ''): string {
  return rowPredicateSql(scope.rows, { id: `${alias}${c.id}`, partition: `${alias}${c.partition}` }, p.bind);
}

/** The dead-row filter: every given field must match. */
export function filterSql(c: Readonly<OutboxColumns>, filter: RecordFilter, p: SqlParams): string {
  const parts: string[] = [];
  if (filter.ids) {
    if (filter.ids.length === 0) return 'FALSE';
    parts.push(p.inList(c.id, filter.ids));
  }
  if (filter.key !== undefined) parts.push(`${c.key} = ${p.bind(filter.key)}`);
  if (filter.topic !== undefined) parts.push(`${c.topic} = ${p.bind(filter.topic)}`);
  if (filter.cluster !== undefined) parts.push(`${c.cluster} = ${p.bind(filter.cluster)}`);
  if (filter.createdFrom) parts.push(`${c.createTime} >= ${p.bind(filter.createdFrom)}`);
  if (filter.createdTo) parts.push(`${c.createTime} < ${p.bind(filter.createdTo)}`);
  return parts.length === 0 ? 'TRUE' : parts.join(' AND ');
}
