import type pg from 'pg';
import type { Partitioning, TableScope } from '../partition/partitioning.js';
import { OUTBOX_COLUMN_LIMITS, type OutboxTable } from '../schema/outbox-table.js';
import { pgNames } from '../schema/pg-names.js';
import { DESTINATION_FAULT_CODES } from '../errors/delivery-error.js';
import type { ClusterDeferral, DueRequest, NewestIdStore, OutboxStore } from './outbox-store.js';
import { lastErrorOf, type ClusterBacklog, type ClusterCounts, type DeadRecord, type OutboxRecord, type RecordFailure, type RecordFilter, type RecordLocation } from './outbox-record.js';
import { pgSchemaErrorOf, verifyPgOutboxTable } from './pg-schema-check.js';
import { pgParams, type SqlParams } from './sql-params.js';
import { changeByKey, deferDueRows, fenceSql, filterSql, scopeSql } from './sql-fragments.js';
import { groupByLocation, sumBacklogs, sumCounts, toDeadRecord, toRecord, type BacklogRow, type FetchedRow } from './sql-records.js';

/**
 * The OutboxStore on PostgreSQL (node-postgres), one pool per database, with the MySQL store's
 * semantics. State values are written into the statements as literals (they are validated
 * integers), so that the planner matches the due index's `WHERE state = pending` and reads the
 * partial index. Each cluster's due rows are two ranges of that index (NULL due times, then due
 * times up to now), read in index order and cut by LIMIT: no sort, whatever the backlog. Outcomes
 * are one UPDATE per outcome kind and table; failures of different rows go in one UPDATE joined
 * to their values as arrays.
 */
export class PgOutboxStore implements OutboxStore, NewestIdStore {
  constructor(
    private readonly databases: readonly pg.Pool[],
    private readonly partitioning: Partitioning,
  ) {}

  /** One dive into the due index per cluster, each the next cluster after the last. */
  async pendingClusters(scope: TableScope): Promise<string[]> {
    const { table, c } = pgNames(scope.table);
    const clusters: string[] = [];
    for (;;) {
      const after = clusters.at(-1);
      const rows = await this.query<{ cluster: string }>(scope,
        `SELECT ${c.cluster} AS cluster FROM ${table} WHERE ${c.state} = ${scope.table.states.pending}${after === undefined ? '' : ` AND ${c.cluster} > $1`}
         ORDER BY ${c.cluster} LIMIT 1`, after === undefined ? [] : [after]);
      const next = rows[0]?.cluster;
      if (next === undefined) break;
      clusters.push(next);
    }
    return clusters;
  }

  async fetchDue(scope: TableScope, request: DueRequest): Promise<OutboxRecord[]> {
    if (request.shares.length === 0) return [];
    const query = dueQuery(scope, request);
    const rows = await this.query<FetchedRow>(scope, query.sql, query.params);
    return rows.map((row) => toRecord(row, { database: scope.database, table: scope.table }));
  }

  /** PostgreSQL's plan for one read of a scope's due rows (`EXPLAIN (FORMAT JSON)`'s top plan node). */
  async explainFetch(scope: TableScope, request: DueRequest): Promise<PgPlanNode | undefined> {
    if (request.shares.length === 0) return undefined;
    const query = dueQuery(scope, request);
    const rows = await this.query<{ 'QUERY PLAN': Array<{ Plan: PgPlanNode }> }>(scope, `EXPLAIN (FORMAT JSON) ${query.sql}`, query.params);
    return rows[0]?.['QUERY PLAN'][0]?.Plan;
  }

  async newestId(location: RecordLocation): Promise<number> {
    const { table, c } = pgNames(location.table);
    const rows = await this.query<{ id: string | null }>(location, `SELECT MAX(${c.id}) AS id FROM ${table}`, []);
    return Number(rows[0]?.id ?? 0);
  }

  async findUnfenced(location: RecordLocation, ids: readonly number[]): Promise<OutboxRecord[]> {
    if (ids.length === 0) return [];
    const { c } = pgNames(location.table);
    const p = pgParams();
    const rows = await this.query<FetchedRow>(location,
      `${selectColumns(location.table)} WHERE ${p.inList(`t.${c.id}`, ids)} AND t.${c.state} = ${location.table.states.pending} AND t.${c.fenceEpoch} IS NULL
       ORDER BY t.${c.id}`, p.values);
    return rows.map((row) => toRecord(row, location));
  }

  async markSent(records: readonly OutboxRecord[], epoch: number | undefined): Promise<number> {
    let changed = 0;
    for (const [location, group] of groupByLocation(records, (record) => record.location)) {
      const { table, c } = pgNames(location.table);
      const { states } = location.table;
      const p = pgParams();
      changed += await this.execute(location,
        `UPDATE ${table} SET ${c.state} = ${states.sent}, ${c.sentTime} = now(), ${c.lastError} = NULL, ${c.fenceEpoch} = ${p.bind(epoch ?? null)}::bigint,
           ${c.updateTime} = now()
         WHERE ${p.inList(c.id, group.map((record) => record.id))} AND ${c.state} = ${states.pending} AND ${fenceSql(c.fenceEpoch, epoch, p)}`, p.values);
    }
    return changed;
  }

  async markFailed(failures: readonly RecordFailure[], epoch: number): Promise<number> {
    let changed = 0;
    for (const [location, group] of groupByLocation(failures, (failure) => failure.record.location)) {
      const { table, c } = pgNames(location.table);
      const { states } = location.table;
      const p = pgParams();
      const values = `SELECT * FROM unnest(${p.bind(group.map((failure) => failure.record.id))}::bigint[],
          ${p.bind(group.map((failure) => (failure.dead ? states.dead : states.pending)))}::smallint[],
          ${p.bind(group.map((failure) => failure.nextAttemptAt))}::timestamptz[],
          ${p.bind(group.map(lastErrorOf))}::text[],
          ${p.bind(group.map((failure) => (failure.charged ? 1 : 0)))}::integer[]) AS v(id, state, due, error, charge)`;
      changed += await this.execute(location,
        `UPDATE ${table} AS t SET ${c.state} = v.state, ${c.nextSelectTime} = v.due, ${c.lastError} = v.error,
           ${c.retryCount} = t.${c.retryCount} + v.charge, ${c.fenceEpoch} = ${p.bind(epoch)}::bigint, ${c.updateTime} = now()
         FROM (${values}) AS v
         WHERE t.${c.id} = v.id AND t.${c.state} = ${states.pending} AND ${fenceSql(`t.${c.fenceEpoch}`, epoch, p)}`, p.values);
    }
    return changed;
  }

  async deferCluster(scopes: readonly TableScope[], epoch: number, cluster: string, deferral: ClusterDeferral): Promise<number> {
    let changed = 0;
    for (const scope of scopes) {
      const { table, c } = pgNames(scope.table);
      changed += await deferDueRows({
        dueIds: async (limit, inOrder) => {
          if (inOrder) return (await this.fetchDue(scope, { epoch, perKeyOrdering: false, shares: [{ cluster, rows: limit, skip: [] }] })).map((record) => record.id);
          const p = pgParams();
          const rows = await this.query<{ id: string | number }>(scope, `SELECT ${c.id} AS id FROM ${table} WHERE ${dueRowsSql(scope, cluster, epoch, p)} LIMIT ${p.bind(limit)}`, p.values);
          return rows.map((row) => Number(row.id));
        },
        defer: (ids, until) => {
          if (ids.length === 0) return Promise.resolve(0);
          const p = pgParams();
          const set = `${c.nextSelectTime} = ${p.bind(until)}::timestamptz, ${c.lastError} = ${p.bind(deferral.reason.slice(0, OUTBOX_COLUMN_LIMITS.lastError.max))}`;
          return this.updateSome(scope, set, p, `${p.inList(c.id, ids)} AND ${dueRowsSql(scope, cluster, epoch, p)}`);
        },
      }, deferral);
    }
    return changed;
  }

  async releaseCluster(scopes: readonly TableScope[], epoch: number, cluster: string): Promise<number> {
    let changed = 0;
    for (const scope of scopes) {
      const { table, c } = pgNames(scope.table);
      const deferred = (p: SqlParams): string => `${c.state} = ${scope.table.states.pending} AND ${c.cluster} = ${p.bind(cluster)}
        AND ${p.inList(`split_part(${c.lastError}, ':', 1)`, DESTINATION_FAULT_CODES)} AND (${scopeSql(scope, c, p)}) AND ${fenceSql(c.fenceEpoch, epoch, p)}`;
      changed += await changeByKey(async (limit) => {
        const p = pgParams();
        const rows = await this.query<{ id: string | number }>(scope, `SELECT ${c.id} AS id FROM ${table} WHERE ${deferred(p)} LIMIT ${p.bind(limit)}`, p.values);
        return rows.map((row) => Number(row.id));
      }, (ids) => {
        const p = pgParams();
        return this.updateSome(scope, `${c.nextSelectTime} = LEAST(t.${c.nextSelectTime}, now()), ${c.lastError} = NULL`, p, `${p.inList(c.id, ids)} AND ${deferred(p)}`);
      });
    }
    return changed;
  }

  async listDead(filter: RecordFilter, limit: number): Promise<DeadRecord[]> {
    const dead: DeadRecord[] = [];
    for (const location of this.partitioning.allTables()) {
      if (dead.length >= limit) break;
      const { table, c } = pgNames(location.table);
      const p = pgParams();
      const rows = await this.query<Record<string, unknown>>(location,
        `SELECT ${c.id} AS id, ${c.key} AS k, ${c.topic} AS topic, ${c.cluster} AS cluster, ${c.retryCount} AS retry_count,
                ${c.lastError} AS last_error, ${c.createTime} AS create_time
         FROM ${table} WHERE ${c.state} = ${location.table.states.dead} AND ${filterSql(c, filter, p)} ORDER BY ${c.id} LIMIT ${p.bind(limit - dead.length)}`, p.values);
      dead.push(...rows.map((row) => toDeadRecord(row, location)));
    }
    return dead;
  }

  async countDead(filter: RecordFilter): Promise<number> {
    let count = 0;
    for (const location of this.partitioning.allTables()) {
      const { table, c } = pgNames(location.table);
      const p = pgParams();
      const rows = await this.query<{ n: string }>(location,
        `SELECT COUNT(*) AS n FROM ${table} WHERE ${c.state} = ${location.table.states.dead} AND ${filterSql(c, filter, p)}`, p.values);
      count += Number(rows[0]?.n ?? 0);
    }
    return count;
  }

  async replayDead(filter: RecordFilter): Promise<number> {
    let changed = 0;
    for (const location of this.partitioning.allTables()) {
      const { table, c } = pgNames(location.table);
      const { states } = location.table;
      const p = pgParams();
      changed += await this.execute(location,
        `UPDATE ${table} SET ${c.state} = ${states.pending}, ${c.retryCount} = 0, ${c.nextSelectTime} = now(), ${c.lastError} = NULL, ${c.fenceEpoch} = NULL,
           ${c.updateTime} = now()
         WHERE ${c.state} = ${states.dead} AND ${filterSql(c, filter, p)}`, p.values);
    }
    return changed;
  }

  async counts(scopes?: readonly TableScope[]): Promise<ClusterCounts[]> {
    const targets = scopes ?? this.partitioning.allTables().map(({ database, table }): TableScope => ({ database, table, rows: { kind: 'all' } }));
    const perTable = [];
    for (const scope of targets) {
      const { table, c } = pgNames(scope.table);
      const { pending, dead } = scope.table.states;
      const p = pgParams();
      const rows = await this.query<{ cluster: string; pending: string; retrying: string; dead: string; oldest: Date | null }>(scope,
        `SELECT ${c.cluster} AS cluster,
                COUNT(*) FILTER (WHERE ${c.state} = ${pending}) AS pending,
                COUNT(*) FILTER (WHERE ${c.state} = ${pending} AND ${c.lastError} IS NOT NULL) AS retrying,
                COUNT(*) FILTER (WHERE ${c.state} = ${dead}) AS dead,
                MIN(${c.createTime}) FILTER (WHERE ${c.state} = ${pending}) AS oldest
         FROM ${table} WHERE ${c.state} IN (${pending}, ${dead}) AND (${scopeSql(scope, c, p)}) GROUP BY ${c.cluster}`, p.values);
      perTable.push(...rows.map((row) => ({
        cluster: row.cluster, pending: Number(row.pending), retrying: Number(row.retrying), dead: Number(row.dead), oldest: row.oldest?.getTime(),
      })));
    }
    return sumCounts(perTable, Date.now());
  }

  async backlog(cap: number): Promise<ClusterBacklog[]> {
    const perTable: BacklogRow[] = [];
    for (const { database, table: outboxTable } of this.partitioning.allTables()) {
      const scope: TableScope = { database, table: outboxTable, rows: { kind: 'all' } };
      const { table, c } = pgNames(outboxTable);
      const { pending } = outboxTable.states;
      for (const cluster of await this.pendingClusters(scope)) {
        // Both parts are ranges of the partial due index: the count stops at `cap` entries.
        const [row] = await this.query<{ pending: string; oldest: Date | null }>(scope,
          `SELECT (SELECT COUNT(*) FROM (SELECT 1 FROM ${table} WHERE ${c.state} = ${pending} AND ${c.cluster} = $1 LIMIT $2) AS capped) AS pending,
                  (SELECT ${c.createTime} FROM ${table} WHERE ${c.state} = ${pending} AND ${c.cluster} = $1
                   ORDER BY ${c.nextSelectTime} NULLS FIRST, ${c.id} LIMIT 1) AS oldest`, [cluster, cap]);
        perTable.push({ cluster, pending: Number(row?.pending ?? 0), oldest: row?.oldest?.getTime() });
      }
    }
    return sumBacklogs(perTable, cap, Date.now());
  }

  async deleteSent(scope: TableScope, olderThanMs: number, limit: number): Promise<number> {
    const { table, c } = pgNames(scope.table);
    const p = pgParams();
    return this.execute(scope,
      `DELETE FROM ${table} WHERE ${c.id} IN (
         SELECT ${c.id} FROM ${table} WHERE ${c.state} = ${scope.table.states.sent} AND ${c.sentTime} < now() - ${p.bind(olderThanMs)}::bigint * interval '1 millisecond'
           AND (${scopeSql(scope, c, p)}) ORDER BY ${c.id} LIMIT ${p.bind(limit)})`, p.values);
  }

  async verifyTables(): Promise<void> {
    for (const location of this.partitioning.allTables()) await verifyPgOutboxTable(this.pool(location.database), location);
  }

  /**
   * UPDATE ... SET `set` on the rows `pick` selects (PostgreSQL's UPDATE has no ORDER BY or LIMIT).
   * The picked rows are locked and fixed once, in a CTE: a sub-select in the WHERE clause could be
   * evaluated again per row and, skipping the rows this statement already changed, pick more.
   */
  private updateSome(scope: TableScope, set: string, p: SqlParams, pick: string): Promise<number> {
    const { table, c } = pgNames(scope.table);
    const sql = `WITH picked AS (SELECT ${c.id} FROM ${table} WHERE ${pick} FOR UPDATE SKIP LOCKED)
       UPDATE ${table} AS t SET ${set}, ${c.updateTime} = now() FROM picked WHERE t.${c.id} = picked.${c.id}`;
    return this.execute(scope, sql, p.values);
  }

  /** One statement returning rows; PostgreSQL's "no such relation/column" becomes an OutboxSchemaError naming it. */
  private async query<T extends object>(location: RecordLocation, sql: string, params: readonly unknown[]): Promise<T[]> {
    try {
      const result = await this.pool(location.database).query<T>(sql, [...params]);
      return result.rows;
    } catch (error) {
      throw pgSchemaErrorOf(error, location) ?? error;
    }
  }

  /** One statement changing rows; returns how many. */
  private async execute(location: RecordLocation, sql: string, params: readonly unknown[]): Promise<number> {
    try {
      const result = await this.pool(location.database).query(sql, [...params]);
      return result.rowCount ?? 0;
    } catch (error) {
      throw pgSchemaErrorOf(error, location) ?? error;
    }
  }

  private pool(database: number): pg.Pool {
    const pool = this.databases[database];
    if (!pool) throw new RangeError(`no database pool at index ${database}`);
    return pool;
  }
}

/** A node of PostgreSQL's JSON plan, with the fields a plan check reads. */
export interface PgPlanNode {
  readonly 'Node Type': string;
  readonly 'Index Name'?: string;
  readonly 'Relation Name'?: string;
  readonly Plans?: readonly PgPlanNode[];
  readonly [field: string]: unknown;
}

/** A cluster's due pending rows of the scope that `epoch` may write (the condition, over the table's own columns). */
function dueRowsSql(scope: TableScope, cluster: string, epoch: number, p: SqlParams): string {
  const { c } = pgNames(scope.table);
  return `${c.state} = ${scope.table.states.pending} AND ${c.cluster} = ${p.bind(cluster)} AND (${c.nextSelectTime} IS NULL OR ${c.nextSelectTime} <= now())
    AND (${scopeSql(scope, c, p)}) AND ${fenceSql(c.fenceEpoch, epoch, p)}`;
}

/**
 * Each share's due rows: its NULL-due rows by id (ordered as the index is, so that no sort is planned), then its dated due rows by due time and id,
 * each one range of the partial due index, together cut to the share; the shares one after the
 * other in one statement.
 */
function dueQuery(scope: TableScope, request: DueRequest): { sql: string; params: unknown[] } {
  const { table } = scope;
  const { c } = pgNames(table);
  const p = pgParams();
  const parts = request.shares.map((share) => {
    const branch = (due: string, order: string): string => {
      let sql = `${selectColumns(table)}
        WHERE t.${c.state} = ${table.states.pending} AND t.${c.cluster} = ${p.bind(share.cluster)} AND ${due}
          AND (${scopeSql(scope, c, p, 't.')}) AND ${fenceSql(`t.${c.fenceEpoch}`, request.epoch, p)}`;
      if (share.skip.length > 0) sql += ` AND NOT (${p.inList(`t.${c.id}`, share.skip)})`;
      if (request.perKeyOrdering) {
        sql += ` AND NOT EXISTS (SELECT 1 FROM ${pgNames(table).table} o WHERE o.${c.key} = t.${c.key} AND o.${c.state} = ${table.states.pending}
          AND o.${c.id} < t.${c.id} AND o.${c.nextSelectTime} > now())`;
      }
      return `(${sql} ORDER BY ${order} LIMIT ${p.bind(share.rows)})`;
    };
    const undated = branch(`t.${c.nextSelectTime} IS NULL`, `t.${c.nextSelectTime}, t.${c.id}`);
    const dated = branch(`t.${c.nextSelectTime} <= now()`, `t.${c.nextSelectTime}, t.${c.id}`);
    return `(SELECT * FROM (${undated} UNION ALL ${dated}) AS s LIMIT ${p.bind(share.rows)})`;
  });
  return { sql: parts.join(' UNION ALL '), params: p.values };
}

function selectColumns(table: OutboxTable): string {
  const { c, table: name } = pgNames(table);
  return `SELECT t.${c.id} AS id, t.${c.key} AS k, t.${c.topic} AS topic, t.${c.cluster} AS cluster, t.${c.payload} AS payload,
      t.${c.headers} AS headers, t.${c.retryCount} AS retry_count, t.${c.createTime} AS create_time,
      split_part(t.${c.lastError}, ':', 1) AS last_code
      FROM ${name} t`;
}
