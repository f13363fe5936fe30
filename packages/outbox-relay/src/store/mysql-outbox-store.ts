import type { Pool, RowDataPacket, ResultSetHeader } from 'mysql2/promise';
import type { Partitioning, TableScope } from '../partition/partitioning.js';
import { ALL_ROWS } from '../partition/row-predicate.js';
import { OUTBOX_COLUMN_LIMITS, type OutboxTable } from '../schema/outbox-table.js';
import type { ClusterDeferral, DueRequest, NewestIdStore, OutboxStore } from './outbox-store.js';
import { lastErrorOf, type ClusterBacklog, type ClusterCounts, type DeadRecord, type OutboxRecord, type RecordFailure, type RecordFilter, type RecordLocation } from './outbox-record.js';
import { retryOnLockConflict } from './mysql-retry.js';
import { rowFormatAdvice, schemaErrorOf, verifyOutboxTable, type OutboxTableAdvice } from './mysql-schema-check.js';
import { mysqlParams, type SqlParams } from './sql-params.js';
import { changeByKey, deferDueRows, fenceSql, filterSql, scopeSql } from './sql-fragments.js';
import { groupByLocation, sumBacklogs, sumCounts, toDeadRecord, toRecord, type BacklogRow, type FetchedRow } from './sql-records.js';
import { DESTINATION_FAULT_CODES } from '../errors/delivery-error.js';

/**
 * The OutboxStore on MySQL/MariaDB (mysql2). One pool per database; `partitioning` says which
 * tables exist. The fetch is plain indexed reads (no transaction, no row lock); the only writes
 * are the outcomes, one UPDATE per outcome and table, each fenced by the writer's epoch and
 * stamping it. A row is thus written once on its way to Kafka, and nothing is locked while a
 * message travels.
 */
export class MysqlOutboxStore implements OutboxStore, NewestIdStore {
  constructor(
    private readonly databases: readonly Pool[],
    private readonly partitioning: Partitioning,
  ) {}

  /**
   * Found by skipping from one cluster to the next in the due index: one index dive each, whatever
   * the backlog (a GROUP BY would read every pending entry, as MySQL and MariaDB have no loose
   * index scan for it).
   */
  async pendingClusters(scope: TableScope): Promise<string[]> {
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

  async fetchDue(scope: TableScope, request: DueRequest): Promise<OutboxRecord[]> {
    if (request.shares.length === 0) return [];
    const query = dueQuery(scope, request);
    const rows = await this.query<Array<RowDataPacket & FetchedRow>>(scope, query.sql, query.params);
    return rows.map((row) => toRecord(row, { database: scope.database, table: scope.table }));
  }

  /**
   * MySQL's plan for one read of a scope's due rows, as `EXPLAIN` rows (one per cluster's range):
   * check that an existing table's indexes serve the relay (a `range` on the due index, no
   * filesort) before pointing it there.
   */
  async explainFetch(scope: TableScope, request: DueRequest): Promise<Array<Readonly<Record<string, unknown>>>> {
    if (request.shares.length === 0) return [];
    const query = dueQuery(scope, request);
    const plan = await this.query<RowDataPacket[]>(scope, `EXPLAIN ${query.sql}`, query.params);
    return plan.map((step) => ({ ...step }));
  }

  async newestId(location: RecordLocation): Promise<number> {
    const { c, quotedName } = location.table;
    const rows = await this.query<RowDataPacket[]>(location, `SELECT MAX(${c.id}) AS id FROM ${quotedName}`, []);
    return Number(rows[0]?.['id'] ?? 0);
  }

  async findUnfenced(location: RecordLocation, ids: readonly number[]): Promise<OutboxRecord[]> {
    if (ids.length === 0) return [];
    const { table } = location;
    const { c, states } = table;
    const rows = await this.query<Array<RowDataPacket & FetchedRow>>(location,
      `${selectColumns(table)} WHERE t.${c.id} IN (?) AND t.${c.state} = ? AND t.${c.fenceEpoch} IS NULL ORDER BY t.${c.id}`,
      [ids, states.pending]);
    return rows.map((row) => toRecord(row, location));
  }

  async markSent(records: readonly OutboxRecord[], epoch: number | undefined): Promise<number> {
    let changed = 0;
    for (const [location, group] of groupByLocation(records, (record) => record.location)) {
      const { c, states } = location.table;
      const p = mysqlParams();
      const sql = `UPDATE ${location.table.quotedName} SET ${c.state} = ${p.bind(states.sent)}, ${c.sentTime} = NOW(3), ${c.lastError} = NULL,
          ${c.fenceEpoch} = ${p.bind(epoch ?? null)}
         WHERE ${p.inList(c.id, group.map((record) => record.id))} AND ${c.state} = ${p.bind(states.pending)} AND ${fenceSql(c.fenceEpoch, epoch, p)}`;
      const result = await retryOnLockConflict(() => this.query<ResultSetHeader>(location, sql, p.values));
      changed += result.affectedRows;
    }
    return changed;
  }

  async markFailed(failures: readonly RecordFailure[], epoch: number): Promise<number> {
    let changed = 0;
    for (const [location, group] of groupByLocation(failures, (failure) => failure.record.location)) {
      const { c, states } = location.table;
      const p = mysqlParams();
      const perRow = (value: (failure: RecordFailure) => unknown): string =>
        `CASE ${c.id} ${group.map((failure) => `WHEN ${p.bind(failure.record.id)} THEN ${p.bind(value(failure))}`).join(' ')} END`;
      const sql = `UPDATE ${location.table.quotedName}
         SET ${c.state} = ${perRow((failure) => (failure.dead ? states.dead : states.pending))},
             ${c.nextSelectTime} = ${perRow((failure) => failure.nextAttemptAt)},
             ${c.lastError} = ${perRow(lastErrorOf)},
             ${c.retryCount} = ${c.retryCount} + ${perRow((failure) => (failure.charged ? 1 : 0))},
             ${c.fenceEpoch} = ${p.bind(epoch)}
         WHERE ${p.inList(c.id, group.map((failure) => failure.record.id))} AND ${c.state} = ${p.bind(states.pending)} AND ${fenceSql(c.fenceEpoch, epoch, p)}`;
      const result = await retryOnLockConflict(() => this.query<ResultSetHeader>(location, sql, p.values));
      changed += result.affectedRows;
    }
    return changed;
  }

  async deferCluster(scopes: readonly TableScope[], epoch: number, cluster: string, deferral: ClusterDeferral): Promise<number> {
    let changed = 0;
    for (const scope of scopes) {
      const { c, states, quotedName } = scope.table;
      const dueRows = (p: SqlParams): string => `${c.state} = ${p.bind(states.pending)} AND ${c.cluster} = ${p.bind(cluster)} AND (${c.nextSelectTime} IS NULL OR ${c.nextSelectTime} <= NOW(3))
        AND (${scopeSql(scope, c, p)}) AND ${fenceSql(c.fenceEpoch, epoch, p)}`;
      changed += await deferDueRows({
        dueIds: async (limit, inOrder) => {
          if (inOrder) return (await this.fetchDue(scope, { epoch, perKeyOrdering: false, shares: [{ cluster, rows: limit, skip: [] }] })).map((record) => record.id);
          const p = mysqlParams();
          const rows = await this.query<RowDataPacket[]>(scope, `SELECT ${c.id} AS id FROM ${quotedName} WHERE ${dueRows(p)} LIMIT ${p.bind(limit)}`, p.values);
          return rows.map((row) => Number(row['id']));
        },
        defer: async (ids, until) => {
          if (ids.length === 0) return 0;
          const p = mysqlParams();
          const reason = deferral.reason.slice(0, OUTBOX_COLUMN_LIMITS.lastError.max);
          const sql = `UPDATE ${quotedName} SET ${c.nextSelectTime} = ${p.bind(until)}, ${c.lastError} = ${p.bind(reason)} WHERE ${p.inList(c.id, ids)} AND ${dueRows(p)}`;
          return (await retryOnLockConflict(() => this.query<ResultSetHeader>(scope, sql, p.values))).affectedRows;
        },
      }, deferral);
    }
    return changed;
  }

  async releaseCluster(scopes: readonly TableScope[], epoch: number, cluster: string): Promise<number> {
    let changed = 0;
    for (const scope of scopes) {
      const { c, states, quotedName } = scope.table;
      const deferred = (p: SqlParams): string => `${c.state} = ${p.bind(states.pending)} AND ${c.cluster} = ${p.bind(cluster)}
        AND ${p.inList(`SUBSTRING_INDEX(${c.lastError}, ':', 1)`, DESTINATION_FAULT_CODES)} AND (${scopeSql(scope, c, p)}) AND ${fenceSql(c.fenceEpoch, epoch, p)}`;
      changed += await changeByKey(async (limit) => {
        const p = mysqlParams();
        const rows = await this.query<RowDataPacket[]>(scope, `SELECT ${c.id} AS id FROM ${quotedName} WHERE ${deferred(p)} LIMIT ${p.bind(limit)}`, p.values);
        return rows.map((row) => Number(row['id']));
      }, async (ids) => {
        const p = mysqlParams();
        const sql = `UPDATE ${quotedName} SET ${c.nextSelectTime} = LEAST(${c.nextSelectTime}, NOW(3)), ${c.lastError} = NULL WHERE ${p.inList(c.id, ids)} AND ${deferred(p)}`;
        return (await retryOnLockConflict(() => this.query<ResultSetHeader>(scope, sql, p.values))).affectedRows;
      });
    }
    return changed;
  }

  async listDead(filter: RecordFilter, limit: number): Promise<DeadRecord[]> {
    const dead: DeadRecord[] = [];
    for (const location of this.partitioning.allTables()) {
      if (dead.length >= limit) break;
      const { c, states, quotedName } = location.table;
      const p = mysqlParams();
      const rows = await this.query<RowDataPacket[]>(location,
        `SELECT ${c.id} AS id, ${c.key} AS k, ${c.topic} AS topic, ${c.cluster} AS cluster, ${c.retryCount} AS retry_count,
                ${c.lastError} AS last_error, ${c.createTime} AS create_time
         FROM ${quotedName} WHERE ${c.state} = ${p.bind(states.dead)} AND ${filterSql(c, filter, p)} ORDER BY ${c.id} LIMIT ${p.bind(limit - dead.length)}`, p.values);
      dead.push(...rows.map((row) => toDeadRecord(row, location)));
    }
    return dead;
  }

  countDead(filter: RecordFilter): Promise<number> {
    return this.sumOverTables(async (location) => {
      const { c, states, quotedName } = location.table;
      const p = mysqlParams();
      const rows = await this.query<RowDataPacket[]>(location,
        `SELECT COUNT(*) AS n FROM ${quotedName} WHERE ${c.state} = ${p.bind(states.dead)} AND ${filterSql(c, filter, p)}`, p.values);
      return Number(rows[0]?.['n'] ?? 0);
    });
  }

  replayDead(filter: RecordFilter): Promise<number> {
    return this.sumOverTables(async (location) => {
      const { c, states, quotedName } = location.table;
      const p = mysqlParams();
      const sql = `UPDATE ${quotedName} SET ${c.state} = ${p.bind(states.pending)}, ${c.retryCount} = 0, ${c.nextSelectTime} = NOW(3), ${c.lastError} = NULL, ${c.fenceEpoch} = NULL
         WHERE ${c.state} = ${p.bind(states.dead)} AND ${filterSql(c, filter, p)}`;
      return (await retryOnLockConflict(() => this.query<ResultSetHeader>(location, sql, p.values))).affectedRows;
    });
  }

  /** `count` on every table of the outbox, one after the other, summed. */
  private async sumOverTables(count: (location: RecordLocation) => Promise<number>): Promise<number> {
    let sum = 0;
    for (const location of this.partitioning.allTables()) sum += await count(location);
    return sum;
  }

  async counts(scopes?: readonly TableScope[]): Promise<ClusterCounts[]> {
    const targets = scopes ?? this.partitioning.allTables().map(({ database, table }): TableScope => ({ database, table, rows: { kind: 'all' } }));
    const perTable = [];
    for (const scope of targets) {
      const { c, states, quotedName } = scope.table;
      const p = mysqlParams();
      const rows = await this.query<RowDataPacket[]>(scope,
        `SELECT ${c.cluster} AS cluster,
                SUM(${c.state} = ${p.bind(states.pending)}) AS pending,
                SUM(${c.state} = ${p.bind(states.pending)} AND ${c.lastError} IS NOT NULL) AS retrying,
                SUM(${c.state} = ${p.bind(states.dead)}) AS dead,
                MIN(CASE WHEN ${c.state} = ${p.bind(states.pending)} THEN ${c.createTime} END) AS oldest
         FROM ${quotedName} WHERE ${c.state} IN (${p.bind(states.pending)}, ${p.bind(states.dead)}) AND (${scopeSql(scope, c, p)}) GROUP BY ${c.cluster}`,
        p.values);
      perTable.push(...rows.map((row) => ({
        cluster: String(row['cluster']), pending: Number(row['pending']), retrying: Number(row['retrying']), dead: Number(row['dead']),
        oldest: row['oldest'] ? (row['oldest'] as Date).getTime() : undefined,
      })));
    }
    return sumCounts(perTable, Date.now());
  }

  /**
   * Each cluster's backlog over every table, from the due index only: one dive per cluster to find
   * the clusters, a count that stops at `cap` index entries, and one dive for the first due row,
   * so the cost does not grow with the backlog (unlike `counts`, which reads every pending row).
   */
  async backlog(cap: number): Promise<ClusterBacklog[]> {
    const perTable: BacklogRow[] = [];
    for (const { database, table } of this.partitioning.allTables()) {
      const scope: TableScope = { database, table, rows: ALL_ROWS };
      for (const cluster of await this.pendingClusters(scope)) {
        const [row] = await this.query<RowDataPacket[]>(scope, backlogQuery(table), [table.states.pending, cluster, cap, table.states.pending, cluster]);
        perTable.push({ cluster, pending: Number(row?.['pending'] ?? 0), oldest: row?.['oldest'] instanceof Date ? row['oldest'].getTime() : undefined });
      }
    }
    return sumBacklogs(perTable, cap, Date.now());
  }

  /** The plan of one cluster's backlog statement, as `EXPLAIN` rows: check it reads only the due index, bounded. */
  async explainBacklog(location: RecordLocation, cluster: string, cap: number): Promise<Array<Readonly<Record<string, unknown>>>> {
    const { table } = location;
    const plan = await this.query<RowDataPacket[]>(location, `EXPLAIN ${backlogQuery(table)}`, [table.states.pending, cluster, cap, table.states.pending, cluster]);
    return plan.map((step) => ({ ...step }));
  }

  async deleteSent(scope: TableScope, olderThanMs: number, limit: number): Promise<number> {
    const { c, states, quotedName } = scope.table;
    const p = mysqlParams();
    const sql = `DELETE FROM ${quotedName} WHERE ${c.state} = ${p.bind(states.sent)} AND ${c.sentTime} < NOW(3) - INTERVAL ${p.bind(olderThanMs * 1000)} MICROSECOND
       AND (${scopeSql(scope, c, p)}) ORDER BY ${c.id} LIMIT ${p.bind(limit)}`;
    const result = await retryOnLockConflict(() => this.query<ResultSetHeader>(scope, sql, p.values));
    return result.affectedRows;
  }

  async verifyTables(): Promise<void> {
    for (const location of this.partitioning.allTables()) await verifyOutboxTable(this.pool(location.database), location);
  }

  /** One advice per table whose row format makes the relay's mark move rows (see rowFormatAdvice). */
  async tableAdvice(): Promise<OutboxTableAdvice[]> {
    const advice: OutboxTableAdvice[] = [];
    for (const location of this.partitioning.allTables()) {
      const found = await rowFormatAdvice(this.pool(location.database), location);
      if (found) advice.push(found);
    }
    return advice;
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
 * Each share's due pending rows in the scope, oldest first, each off its own range of the due
 * index (one per cluster, in one statement), skipping the rows of it the page already holds: an
 * open circuit's cluster is not read at all, however many of its rows wait, and no cluster's
 * backlog stands in another's way.
 */
function dueQuery(scope: TableScope, request: DueRequest): { sql: string; params: unknown[] } {
  const { table } = scope;
  const { c, states } = table;
  const p = mysqlParams();
  const parts = request.shares.map((share) => {
    let sql = `${selectColumns(table)}
      WHERE t.${c.state} = ${p.bind(states.pending)} AND t.${c.cluster} = ${p.bind(share.cluster)}
        AND (t.${c.nextSelectTime} IS NULL OR t.${c.nextSelectTime} <= NOW(3)) AND (${scopeSql(scope, c, p, 't.')})
        AND ${fenceSql(`t.${c.fenceEpoch}`, request.epoch, p)}`;
    if (share.skip.length > 0) sql += ` AND NOT (${p.inList(`t.${c.id}`, share.skip)})`;
    if (request.perKeyOrdering) sql += ` AND ${heldBackSql(table, p)}`;
    return `(${sql} ORDER BY t.${c.nextSelectTime}, t.${c.id} LIMIT ${p.bind(share.rows)})`;
  });
  return { sql: parts.join(' UNION ALL '), params: p.values };
}

/** Per-key ordering: no older pending row of the row's key waits for a retry. */
function heldBackSql(table: OutboxTable, p: SqlParams): string {
  const { c } = table;
  return `NOT EXISTS (SELECT 1 FROM ${table.quotedName} o WHERE o.${c.key} = t.${c.key} AND o.${c.state} = ${p.bind(table.states.pending)}
        AND o.${c.id} < t.${c.id} AND o.${c.nextSelectTime} > NOW(3))`;
}

function selectColumns(table: OutboxTable): string {
  const { c } = table;
  return `SELECT t.${c.id} AS id, t.${c.key} AS k, t.${c.topic} AS topic, t.${c.cluster} AS cluster, t.${c.payload} AS payload,
      t.${c.headers} AS headers, t.${c.retryCount} AS retry_count, t.${c.createTime} AS create_time,
      SUBSTRING_INDEX(t.${c.lastError}, ':', 1) AS last_code
      FROM ${table.quotedName} t`;
}
