import type { ClusterDeferral } from './outbox-store.js';
import { rowPredicateSql } from '../partition/row-predicate.js';
import type { TableScope } from '../partition/partitioning.js';
import type { OutboxColumns } from '../schema/outbox-table.js';
import type { RecordFilter } from './outbox-record.js';
import type { SqlParams } from './sql-params.js';

/** Predicates both SQL stores write the same way, over columns quoted in the store's dialect. */

/**
 * Rows one statement of a circuit's deferral or release changes at most: a cluster's backlog is
 * rewritten in short statements, so that the writer's inserts never wait long on their locks.
 */
export const CIRCUIT_CHUNK = 2_000;

/**
 * An open circuit written into a scope's due rows: the `probeRows` first due get the probe time,
 * the rest are parked in chunks. `defer(until, limit)` rewrites up to `limit` due rows of the cluster.
 */
export async function deferDueRows(defer: (until: Date, limit: number) => Promise<number>, deferral: ClusterDeferral): Promise<number> {
  return (await defer(deferral.probeAt, deferral.probeRows)) + (await inChunks(() => defer(deferral.parkUntil, CIRCUIT_CHUNK)));
}

/** Runs a statement that changes at most CIRCUIT_CHUNK rows again until one changes fewer; returns the total changed. */
export async function inChunks(changeSome: () => Promise<number>): Promise<number> {
  let total = 0;
  for (;;) {
    const changed = await changeSome();
    total += changed;
    if (changed < CIRCUIT_CHUNK) return total;
  }
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
