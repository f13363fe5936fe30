import { faultOf } from '../errors/delivery-error.js';
import type { ClusterBacklog, ClusterCounts, DeadRecord, OutboxRecord, RecordLocation } from './outbox-record.js';

/** A fetched row as both SQL stores select it (the column aliases of their SELECTs). */
export interface FetchedRow {
  readonly id: number | string;
  readonly k: string;
  readonly topic: string;
  readonly cluster: string;
  readonly payload: Buffer | string;
  readonly headers: string | null;
  readonly retry_count: number;
  readonly create_time: Date;
  readonly last_code: string | null;
}

export function toRecord(row: FetchedRow, location: RecordLocation): OutboxRecord {
  return {
    id: Number(row.id),
    key: row.k,
    topic: row.topic,
    cluster: row.cluster,
    payload: Buffer.isBuffer(row.payload) ? row.payload : Buffer.from(String(row.payload)),
    ...parseHeaders(row.headers),
    retryCount: Number(row.retry_count),
    createTime: row.create_time,
    location,
    lastFault: row.last_code === null ? undefined : faultOf(row.last_code),
  };
}

/** Headers are stored as a JSON object of strings; anything else makes the row unsendable, not the fetch. */
export function parseHeaders(json: string | null): { headers: Record<string, string>; problem?: string } {
  if (json === null || json === '') return { headers: {} };
  try {
    const parsed = JSON.parse(json) as unknown;
    if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) && Object.values(parsed).every((value) => typeof value === 'string')) {
      return { headers: parsed as Record<string, string> };
    }
    return { headers: {}, problem: 'headers column is not a JSON object of strings' };
  } catch (error) {
    return { headers: {}, problem: `headers column is not JSON: ${(error as Error).message}` };
  }
}

/** A dead row as both SQL stores select it. */
export function toDeadRecord(row: Readonly<Record<string, unknown>>, { database, table }: RecordLocation): DeadRecord {
  return {
    id: Number(row['id']), key: String(row['k']), topic: String(row['topic']), cluster: String(row['cluster']),
    retryCount: Number(row['retry_count']), lastError: (row['last_error'] as string | null) ?? null, createTime: row['create_time'] as Date,
    database, table: table.name,
  };
}

/** Entries grouped by the table they live in, one group per database and table. */
export function groupByLocation<T>(entries: readonly T[], locationOf: (entry: T) => RecordLocation): Map<RecordLocation, T[]> {
  const groups = new Map<string, { location: RecordLocation; items: T[] }>();
  for (const entry of entries) {
    const location = locationOf(entry);
    const key = `${location.database}/${location.table.name}`;
    const group = groups.get(key) ?? { location, items: [] };
    group.items.push(entry);
    groups.set(key, group);
  }
  return new Map([...groups.values()].map((group) => [group.location, group.items]));
}

/** Per-cluster counts of one table (or scope), as summed up across tables. */
export interface CountRow {
  readonly cluster: string;
  readonly pending: number;
  readonly retrying: number;
  readonly dead: number;
  /** Creation time of the oldest pending row, ms since the epoch. */
  readonly oldest: number | undefined;
}

/** One table's backlog of one cluster: pending rows counted up to a cap, the create time of its first due row. */
export interface BacklogRow {
  readonly cluster: string;
  readonly pending: number;
  readonly oldest: number | undefined;
}

/** Per-table backlogs summed per cluster, sorted by cluster; `capped` where a table reached `cap`. */
export function sumBacklogs(rows: readonly BacklogRow[], cap: number, now: number): ClusterBacklog[] {
  const totals = new Map<string, { pending: number; capped: boolean; oldest: number | undefined }>();
  for (const row of rows) {
    const total = totals.get(row.cluster) ?? { pending: 0, capped: false, oldest: undefined };
    total.pending += row.pending;
    total.capped ||= row.pending >= cap;
    if (row.oldest !== undefined && (total.oldest === undefined || row.oldest < total.oldest)) total.oldest = row.oldest;
    totals.set(row.cluster, total);
  }
  return [...totals].map(([cluster, total]) => ({
    cluster, pending: total.pending, capped: total.capped,
    oldestPendingAgeMs: total.oldest === undefined ? 0 : Math.max(0, now - total.oldest),
  })).sort((a, b) => (a.cluster < b.cluster ? -1 : a.cluster > b.cluster ? 1 : 0));
}

/** Per-table counts summed per cluster, sorted by cluster; ages measured at `now`. */
export function sumCounts(rows: readonly CountRow[], now: number): ClusterCounts[] {
  const totals = new Map<string, { pending: number; retrying: number; dead: number; oldest: number | undefined }>();
  for (const row of rows) {
    const total = totals.get(row.cluster) ?? { pending: 0, retrying: 0, dead: 0, oldest: undefined };
    total.pending += row.pending;
    total.retrying += row.retrying;
    total.dead += row.dead;
    if (row.oldest !== undefined && (total.oldest === undefined || row.oldest < total.oldest)) total.oldest = row.oldest;
    totals.set(row.cluster, total);
  }
  return [...totals].map(([cluster, total]) => ({
    cluster, pending: total.pending, retrying: total.retrying, dead: total.dead,
    oldestPendingAgeMs: total.oldest === undefined ? 0 : Math.max(0, now - total.oldest),
  })).sort((a, b) => (a.cluster < b.cluster ? -1 : a.cluster > b.cluster ? 1 : 0));
}
