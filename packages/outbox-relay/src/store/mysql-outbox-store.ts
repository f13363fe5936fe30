import type { Pool, RowDataPacket, ResultSetHeader } from 'mysql2/promise';
import type { TableScope } from '../partition/partitioning.js';
import type { Partitioning } from '../partition/partitioning.js';
import { OUTBOX_COLUMN_LIMITS, type OutboxTable } from '../schema/outbox-table.js';
import type { ClusterDeferral, FetchOptions, OutboxStore } from './outbox-store.js';
import type { ClusterBacklog, ClusterCounts, DeadRecord, OutboxRecord, RecordFailure, RecordFilter, RecordLocation } from './outbox-record.js';
import { retryOnLockConflict } from './mysql-retry.js';
import { schemaErrorOf, verifyOutboxTable } from './mysql-schema-check.js';
import { countBy } from '../util/group-by.js';
import { DESTINATION_FAULT_CODES, faultOf } from '../errors/delivery-error.js';

/**
 * Rows one statement of a circuit's deferral or release changes at most: a cluster's backlog is
 * rewritten in short statements, so that the writer's inserts never wait long on their locks.
 */
const CIRCUIT_CHUNK = 2_000;

interface RowShape extends RowDataPacket {
  id: number;
  k: string;
  topic: string;
  cluster: string;
  payload: Buffer;
  headers: string | null;
  retry_count: number;
  create_time: Date;
  last_code: string | null;
}

/**
 * The OutboxStore on MySQL/MariaDB (mysql2). One pool per database; `partitioning` says which
 * tables exist. The fetch is plain indexed reads (no transaction, no row lock); the only writes
 * are the outcomes, one UPDATE per outcome and table, each fenced by the writer's epoch and
 * stamping it. A row is thus written once on its way to Kafka, and nothing is locked while a
 * message travels.
 */
export class MysqlOutboxStore implements OutboxStore {
  constructor(
    private readonly databases: readonly Pool[],
    private readonly partitioning: Partitioning,
  ) {}

  async fetchDue(scopes: readonly TableScope[], options: FetchOptions): Promise<OutboxRecord[]> {
    const records: OutboxRecord[] = [];
    for (const scope of scopes) {
      const remaining = options.limit - records.length;
      if (remaining <= 0) break;
      records.push(...(await this.fetchScope(scope, { ...options, limit: remaining })));
    }
    return records;
  }

  async findUnfenced(location: RecordLocation, ids: readonly number[]): Promise<OutboxRecord[]> {
    if (ids.length === 0) return [];
    const { table } = location;
    const { c, states } = table;
    const rows = await this.query<RowShape[]>(location,
      `${selectColumns(table)} WHERE t.${c.id} IN (?) AND t.${c.state} = ? AND t.${c.fenceEpoch} IS NULL ORDER BY t.${c.id}`,
      [ids, states.pending]);
    return rows.map((row) => toRecord(row, location));
  }

  /**
   * MySQL's plan for the fetch of one scope, as `EXPLAIN` rows (one per cluster's range): check
   * that an existing table's indexes serve the relay (a `range` on the due index, no filesort)
   * before pointing it there. Empty when the scope has no pending rows.
   */
  async explainFetch(scope: TableScope, options: FetchOptions): Promise<Array<Readonly<Record<string, unknown>>>> {
    const query = await this.fetchQuery(scope, options);
    if (!query) return [];
    const plan = await this.query<RowDataPacket[]>(scope, `EXPLAIN ${query.sql}`, query.params);
    return plan.map((step) => ({ ...step }));
  }

  /**
   * The page split fairly among the admitted clusters, then, when some cluster had fewer due rows
   * than its share (its other pending rows wait for a retry), the room it left is shared among the
   * clusters that filled theirs: a second statement, only in that case. So a cluster in backoff
   * neither takes page slots nor halves the pages of the clusters that can go.
   */
  private async fetchScope(scope: TableScope, options: FetchOptions): Promise<OutboxRecord[]> {
    const location: RecordLocation = { database: scope.database, table: scope.table };
    const records: OutboxRecord[] = [];
    const read = new Map<string, number[]>();
    let candidates = await this.pendingClusters(scope);
    for (let pass = 0; pass < 2 && records.length < options.limit; pass++) {
      const shares = clusterShares(candidates, options.limit - records.length, read, options.admits);
      if (shares.length === 0) break;
      const query = clusterRangesQuery(scope, options, shares, read);
      const rows = await this.query<RowShape[]>(scope, query.sql, query.params);
      for (const row of rows) {
        records.push(toRecord(row, location));
        const ids = read.get(row.cluster) ?? [];
        ids.push(Number(row.id));
        read.set(row.cluster, ids);
      }
      const readNow = countBy(rows, (row) => row.cluster);
      candidates = shares.filter(([cluster, share]) => readNow.get(cluster) === share).map(([cluster]) => cluster);
    }
    return records;
  }

  /**
   * One range of the due index per admitted cluster, in one statement: an open circuit's cluster
   * is not read at all, however many of its rows wait, and no cluster's backlog stands in
   * another's way. Undefined when there is nothing to read.
   */
  private async fetchQuery(scope: TableScope, options: FetchOptions): Promise<{ sql: string; params: unknown[] } | undefined> {
    const shares = clusterShares(await this.pendingClusters(scope), options.limit, new Map(), options.admits);
    return shares.length === 0 ? undefined : clusterRangesQuery(scope, options, shares, new Map());
  }

  /**
   * Clusters with pending rows in the scope's table, found by skipping from one cluster to the next
   * in the due index: one index dive each, whatever the backlog (a GROUP BY would read every
   * pending entry, as MySQL and MariaDB have no loose index scan for it).
   */
  private async pendingClusters(scope: TableScope): Promise<readonly string[]> {
    const { c, states, quotedName } = scope.table;
    const clusters: string[] = [];
    for (;;) {
      const after = clusters.at(-1);
      const rows = await this.query<RowDataPacket[]>(scope,
        `SELECT MIN(${c.cluster}) AS cluster FROM ${quotedName} WHERE ${c.state} = ?${after === undefined ? '' : ` AND ${c.cluster} > ?`}`,
        after === undefined ? [states.pending] : [states.pending, after]);
      const next = rows[0]?.['cluster'] as string | null | undefined;
      if (next === null || next === undefined) break;
      clusters.push(next);
    }
    return clusters;
  }

  async markSent(records: readonly OutboxRecord[], epoch: number | undefined): Promise<number> {
    let changed = 0;
    for (const [location, group] of groupByLocation(records, (record) => record.location)) {
      const { c, states } = location.table;
      const [fence, fenceParams] = fenceClause(location.table, epoch);
      const result = await retryOnLockConflict(() => this.query<ResultSetHeader>(location,
        `UPDATE ${location.table.quotedName} SET ${c.state} = ?, ${c.sentTime} = NOW(3), ${c.lastError} = NULL, ${c.fenceEpoch} = ?
         WHERE ${c.id} IN (?) AND ${c.state} = ? AND ${fence}`,
        [states.sent, epoch ?? null, group.map((record) => record.id), states.pending, ...fenceParams]));
      changed += result.affectedRows;
    }
    return changed;
  }

  async markFailed(failures: readonly RecordFailure[], epoch: number): Promise<number> {
    let changed = 0;
    for (const [location, group] of groupByLocation(failures, (failure) => failure.record.location)) {
      const { c, states } = location.table;
      const perRow = group.map(() => 'WHEN ? THEN ?').join(' ');
      const [fence, fenceParams] = fenceClause(location.table, epoch);
      const params: unknown[] = [
        ...group.flatMap((failure) => [failure.record.id, failure.dead ? states.dead : states.pending]),
        ...group.flatMap((failure) => [failure.record.id, failure.nextAttemptAt]),
        ...group.flatMap((failure) => [failure.record.id, `${failure.code}: ${failure.message}`.slice(0, OUTBOX_COLUMN_LIMITS.lastError.max)]),
        ...group.flatMap((failure) => [failure.record.id, failure.charged ? 1 : 0]),
        epoch,
        group.map((failure) => failure.record.id),
        states.pending,
        ...fenceParams,
      ];
      const result = await retryOnLockConflict(() => this.query<ResultSetHeader>(location,
        `UPDATE ${location.table.quotedName}
         SET ${c.state} = CASE ${c.id} ${perRow} END,
             ${c.nextSelectTime} = CASE ${c.id} ${perRow} END,
             ${c.lastError} = CASE ${c.id} ${perRow} END,
             ${c.retryCount} = ${c.retryCount} + CASE ${c.id} ${perRow} END,
             ${c.fenceEpoch} = ?
         WHERE ${c.id} IN (?) AND ${c.state} = ? AND ${fence}`, params));
      changed += result.affectedRows;
    }
    return changed;
  }

  async deferCluster(scopes: readonly TableScope[], epoch: number, cluster: string, deferral: ClusterDeferral): Promise<number> {
    let changed = 0;
    for (const scope of scopes) {
      const { c, states } = scope.table;
      const [fence, fenceParams] = fenceClause(scope.table, epoch);
      const defer = async (until: Date, limit: number): Promise<number> => {
        const [result] = await retryOnLockConflict(() => this.pool(scope.database).query<ResultSetHeader>(
          `UPDATE ${scope.table.quotedName} SET ${c.nextSelectTime} = ?, ${c.lastError} = ?
           WHERE ${c.state} = ? AND ${c.cluster} = ? AND (${c.nextSelectTime} IS NULL OR ${c.nextSelectTime} <= NOW(3)) AND (${scope.where}) AND ${fence}
           ORDER BY ${c.nextSelectTime}, ${c.id} LIMIT ?`,
          [until, deferral.reason.slice(0, 1024), states.pending, cluster, ...scope.params, ...fenceParams, limit]));
        return result.affectedRows;
      };
      changed += await defer(deferral.probeAt, deferral.probeRows);
      let parked: number;
      do {
        parked = await defer(deferral.parkUntil, CIRCUIT_CHUNK);
        changed += parked;
      } while (parked === CIRCUIT_CHUNK);
    }
    return changed;
  }

  async releaseCluster(scopes: readonly TableScope[], epoch: number, cluster: string): Promise<number> {
    let changed = 0;
    for (const scope of scopes) {
      const { c, states } = scope.table;
      const [fence, fenceParams] = fenceClause(scope.table, epoch);
      let released: number;
      do {
        const [result] = await retryOnLockConflict(() => this.pool(scope.database).query<ResultSetHeader>(
          `UPDATE ${scope.table.quotedName} SET ${c.nextSelectTime} = LEAST(${c.nextSelectTime}, NOW(3)), ${c.lastError} = NULL
           WHERE ${c.state} = ? AND ${c.cluster} = ? AND SUBSTRING_INDEX(${c.lastError}, ':', 1) IN (?) AND (${scope.where}) AND ${fence}
           LIMIT ?`,
          [states.pending, cluster, DESTINATION_FAULT_CODES, ...scope.params, ...fenceParams, CIRCUIT_CHUNK]));
        released = result.affectedRows;
        changed += released;
      } while (released === CIRCUIT_CHUNK);
    }
    return changed;
  }

  async listDead(filter: RecordFilter, limit: number): Promise<DeadRecord[]> {
    const dead: DeadRecord[] = [];
    for (const { database, table } of this.partitioning.allTables()) {
      const { c, states } = table;
      const [where, params] = filterClause(table, filter);
      const rows = await this.query<RowDataPacket[]>({ database, table },
        `SELECT ${c.id} AS id, ${c.key} AS k, ${c.topic} AS topic, ${c.cluster} AS cluster, ${c.retryCount} AS retry_count,
                ${c.lastError} AS last_error, ${c.createTime} AS create_time
         FROM ${table.quotedName} WHERE ${c.state} = ? AND ${where} ORDER BY ${c.id} LIMIT ?`, [states.dead, ...params, limit - dead.length]);
      for (const row of rows) {
        dead.push({
          id: Number(row['id']), key: String(row['k']), topic: String(row['topic']), cluster: String(row['cluster']),
          retryCount: Number(row['retry_count']), lastError: (row['last_error'] as string | null) ?? null, createTime: row['create_time'] as Date,
          database, table: table.name,
        });
      }
      if (dead.length >= limit) break;
    }
    return dead;
  }

  async countDead(filter: RecordFilter): Promise<number> {
    let count = 0;
    for (const { database, table } of this.partitioning.allTables()) {
      const [where, params] = filterClause(table, filter);
      const rows = await this.query<RowDataPacket[]>({ database, table },
        `SELECT COUNT(*) AS n FROM ${table.quotedName} WHERE ${table.c.state} = ? AND ${where}`, [table.states.dead, ...params]);
      count += Number(rows[0]?.['n'] ?? 0);
    }
    return count;
  }

  async replayDead(filter: RecordFilter): Promise<number> {
    let changed = 0;
    for (const { database, table } of this.partitioning.allTables()) {
      const { c, states } = table;
      const [where, params] = filterClause(table, filter);
      const result = await retryOnLockConflict(() => this.query<ResultSetHeader>({ database, table },
        `UPDATE ${table.quotedName} SET ${c.state} = ?, ${c.retryCount} = 0, ${c.nextSelectTime} = NOW(3), ${c.lastError} = NULL, ${c.fenceEpoch} = NULL
         WHERE ${c.state} = ? AND ${where}`, [states.pending, states.dead, ...params]));
      changed += result.affectedRows;
    }
    return changed;
  }

  async counts(scopes?: readonly TableScope[]): Promise<ClusterCounts[]> {
    const totals = new Map<string, { pending: number; retrying: number; dead: number; oldest: number | undefined }>();
    const targets = scopes ?? this.partitioning.allTables().map(({ database, table }) => ({ database, table, where: 'TRUE', params: [] }));
    for (const { database, table, where, params } of targets) {
      const { c, states } = table;
      const rows = await this.query<RowDataPacket[]>({ database, table },
        `SELECT ${c.cluster} AS cluster,
                SUM(${c.state} = ?) AS pending,
                SUM(${c.state} = ? AND ${c.lastError} IS NOT NULL) AS retrying,
                SUM(${c.state} = ?) AS dead,
                MIN(CASE WHEN ${c.state} = ? THEN ${c.createTime} END) AS oldest
         FROM ${table.quotedName} WHERE ${c.state} IN (?, ?) AND (${where}) GROUP BY ${c.cluster}`,
        [states.pending, states.pending, states.dead, states.pending, states.pending, states.dead, ...params]);
      for (const row of rows) {
        const cluster = String(row['cluster']);
        const total = totals.get(cluster) ?? { pending: 0, retrying: 0, dead: 0, oldest: undefined };
        total.pending += Number(row['pending']);
        total.retrying += Number(row['retrying']);
        total.dead += Number(row['dead']);
        const oldest = row['oldest'] ? (row['oldest'] as Date).getTime() : undefined;
        if (oldest !== undefined && (total.oldest === undefined || oldest < total.oldest)) total.oldest = oldest;
        totals.set(cluster, total);
      }
    }
    const now = Date.now();
    return [...totals].map(([cluster, total]) => ({
      cluster, pending: total.pending, retrying: total.retrying, dead: total.dead,
      oldestPendingAgeMs: total.oldest === undefined ? 0 : Math.max(0, now - total.oldest),
    })).sort((a, b) => a.cluster.localeCompare(b.cluster));
  }

  /**
   * Each cluster's backlog over every table, from the due index only: one dive per cluster to find
   * the clusters, a count that stops at `cap` index entries, and one dive for the first due row,
   * so the cost does not grow with the backlog (unlike `counts`, which reads every pending row).
   */
  async backlog(cap: number): Promise<ClusterBacklog[]> {
    const totals = new Map<string, { pending: number; capped: boolean; oldest: number | undefined }>();
    for (const { database, table } of this.partitioning.allTables()) {
      const scope: TableScope = { database, table, where: 'TRUE', params: [] };
      for (const cluster of await this.pendingClusters(scope)) {
        const [row] = await this.query<RowDataPacket[]>(scope, backlogQuery(table), [table.states.pending, cluster, cap, table.states.pending, cluster]);
        const pending = Number(row?.['pending'] ?? 0);
        const oldest = row?.['oldest'] instanceof Date ? row['oldest'].getTime() : undefined;
        const total = totals.get(cluster) ?? { pending: 0, capped: false, oldest: undefined };
        total.pending += pending;
        total.capped ||= pending >= cap;
        if (oldest !== undefined && (total.oldest === undefined || oldest < total.oldest)) total.oldest = oldest;
        totals.set(cluster, total);
      }
    }
    const now = Date.now();
    return [...totals].map(([cluster, total]) => ({
      cluster, pending: total.pending, capped: total.capped,
      oldestPendingAgeMs: total.oldest === undefined ? 0 : Math.max(0, now - total.oldest),
    })).sort((a, b) => a.cluster.localeCompare(b.cluster));
  }

  /** The plan of one cluster's backlog statement, as `EXPLAIN` rows: check it reads only the due index, bounded. */
  async explainBacklog(location: RecordLocation, cluster: string, cap: number): Promise<Array<Readonly<Record<string, unknown>>>> {
    const { table } = location;
    const plan = await this.query<RowDataPacket[]>(location, `EXPLAIN ${backlogQuery(table)}`, [table.states.pending, cluster, cap, table.states.pending, cluster]);
    return plan.map((step) => ({ ...step }));
  }

  async deleteSent(scope: TableScope, olderThanMs: number, limit: number): Promise<number> {
    const { table } = scope;
    const { c, states } = table;
    const result = await retryOnLockConflict(() => this.query<ResultSetHeader>(scope,
      `DELETE FROM ${table.quotedName} WHERE ${c.state} = ? AND ${c.sentTime} < NOW(3) - INTERVAL ? MICROSECOND AND (${scope.where})
       ORDER BY ${c.id} LIMIT ?`, [states.sent, olderThanMs * 1000, ...scope.params, limit]));
    return result.affectedRows;
  }

  /**
   * Checks that every table the partitioning names exists in its database with every column the
   * relay uses; call it at start, before the relay's scheduler, to fail there naming the table.
   */
  async verifyTables(): Promise<void> {
    for (const location of this.partitioning.allTables()) await verifyOutboxTable(this.pool(location.database), location);
  }

  /** One statement on the location's table; MySQL's "no such table/column" becomes an OutboxSchemaError naming it. */
  private async query<T extends RowDataPacket[] | ResultSetHeader>(location: RecordLocation, sql: string, params: unknown[]): Promise<T> {
    try {
      const [result] = await this.pool(location.database).query<T>(sql, params);
      return result;
    } catch (error) {
      throw schemaErrorOf(error, location) ?? error;
    }
  }

  private pool(database: number): Pool {
    const pool = this.databases[database];
    if (!pool) throw new RangeError(`no database pool at index ${database}`);
    return pool;
  }
}

/**
 * A cluster's capped pending count and the create time of its first due row, both on the due
 * index (state, cluster, next_select_time, id, ...): the count reads at most `cap` entries.
 */
function backlogQuery(table: OutboxTable): string {
  const { c, quotedName } = table;
  return `SELECT
      (SELECT COUNT(*) FROM (SELECT 1 FROM ${quotedName} WHERE ${c.state} = ? AND ${c.cluster} = ? LIMIT ?) AS capped) AS pending,
      (SELECT ${c.createTime} FROM ${quotedName} WHERE ${c.state} = ? AND ${c.cluster} = ? ORDER BY ${c.nextSelectTime}, ${c.id} LIMIT 1) AS oldest`;
}

/**
 * `room` rows split evenly among the clusters the breaker admits more of, given what each already
 * has in this page (`read`): a half-open cluster gets no more than its probe in all; clusters it
 * admits nothing more of, or whose share rounds to nothing, are left out.
 */
function clusterShares(clusters: readonly string[], room: number, read: ReadonlyMap<string, readonly number[]>, admits: FetchOptions['admits']): Array<[string, number]> {
  const already = (cluster: string): number => read.get(cluster)?.length ?? 0;
  const admitted = clusters.filter((cluster) => admits(cluster, already(cluster) + room) > already(cluster));
  const base = Math.floor(room / Math.max(1, admitted.length));
  const extra = room % Math.max(1, admitted.length);
  return admitted
    .map((cluster, index): [string, number] => [cluster, admits(cluster, already(cluster) + base + (index < extra ? 1 : 0)) - already(cluster)])
    .filter(([, share]) => share > 0);
}

/**
 * Each cluster's due pending rows in the scope, oldest first, each off its own range of the due
 * index, skipping the rows of it this page already holds.
 */
function clusterRangesQuery(
  scope: TableScope, options: FetchOptions, shares: ReadonlyArray<[string, number]>, read: ReadonlyMap<string, readonly number[]>,
): { sql: string; params: unknown[] } {
  const { table } = scope;
  const { c, states } = table;
  const params: unknown[] = [];
  const parts = shares.map(([cluster, rows]) => {
    params.push(states.pending, cluster, ...scope.params, options.epoch);
    let sql = `${selectColumns(table)}
      WHERE t.${c.state} = ? AND t.${c.cluster} = ?
        AND (t.${c.nextSelectTime} IS NULL OR t.${c.nextSelectTime} <= NOW(3)) AND (${scope.where})
        AND (t.${c.fenceEpoch} IS NULL OR t.${c.fenceEpoch} <= ?)`;
    const skip = read.get(cluster) ?? [];
    if (skip.length > 0) {
      sql += ` AND t.${c.id} NOT IN (?)`;
      params.push(skip);
    }
    if (options.perKeyOrdering) {
      sql += ` AND NOT EXISTS (SELECT 1 FROM ${table.quotedName} o WHERE o.${c.key} = t.${c.key} AND o.${c.state} = ?
        AND o.${c.id} < t.${c.id} AND o.${c.nextSelectTime} > NOW(3))`;
      params.push(states.pending);
    }
    params.push(rows);
    return `(${sql} ORDER BY t.${c.nextSelectTime}, t.${c.id} LIMIT ?)`;
  });
  return { sql: parts.join(' UNION ALL '), params };
}

function selectColumns(table: OutboxTable): string {
  const { c } = table;
  return `SELECT t.${c.id} AS id, t.${c.key} AS k, t.${c.topic} AS topic, t.${c.cluster} AS cluster, t.${c.payload} AS payload,
      t.${c.headers} AS headers, t.${c.retryCount} AS retry_count, t.${c.createTime} AS create_time,
      SUBSTRING_INDEX(t.${c.lastError}, ':', 1) AS last_code
      FROM ${table.quotedName} t`;
}

function toRecord(row: RowShape, location: RecordLocation): OutboxRecord {
  return {
    id: Number(row.id),
    key: row.k,
    topic: row.topic,
    cluster: row.cluster,
    payload: Buffer.isBuffer(row.payload) ? row.payload : Buffer.from(String(row.payload)),
    ...parseHeaders(row.headers),
    retryCount: row.retry_count,
    createTime: row.create_time,
    location,
    lastFault: row.last_code === null ? undefined : faultOf(row.last_code),
  };
}

/** Headers are stored as a JSON object of strings; anything else makes the row unsendable, not the fetch. */
function parseHeaders(json: string | null): { headers: Record<string, string>; problem?: string } {
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

/**
 * Which rows an outcome written under `epoch` may touch: rows no relay item wrote yet or that an
 * item of the same or an older epoch wrote, so a zombie never overwrites a newer owner's outcome.
 * Without an epoch (the writer's fast path), only rows no relay item has written.
 */
function fenceClause(table: OutboxTable, epoch: number | undefined): [string, unknown[]] {
  const column = table.c.fenceEpoch;
  return epoch === undefined ? [`${column} IS NULL`, []] : [`(${column} IS NULL OR ${column} <= ?)`, [epoch]];
}

function groupByLocation<T>(entries: readonly T[], locationOf: (entry: T) => RecordLocation): Map<RecordLocation, T[]> {
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

function filterClause(table: OutboxTable, filter: RecordFilter): [string, unknown[]] {
  const { c } = table;
  const parts: string[] = [];
  const params: unknown[] = [];
  if (filter.ids) {
    if (filter.ids.length === 0) return ['1 = 0', []];
    parts.push(`${c.id} IN (?)`);
    params.push(filter.ids);
  }
  if (filter.key !== undefined) { parts.push(`${c.key} = ?`); params.push(filter.key); }
  if (filter.topic !== undefined) { parts.push(`${c.topic} = ?`); params.push(filter.topic); }
  if (filter.cluster !== undefined) { parts.push(`${c.cluster} = ?`); params.push(filter.cluster); }
  if (filter.createdFrom) { parts.push(`${c.createTime} >= ?`); params.push(filter.createdFrom); }
  if (filter.createdTo) { parts.push(`${c.createTime} < ?`); params.push(filter.createdTo); }
  return [parts.length === 0 ? '1 = 1' : parts.join(' AND '), params];
}
