import type { Pool, RowDataPacket } from 'mysql2/promise';
import type pg from 'pg';
import {
  ALL_ROWS, createPartitioning, isPgPool, MysqlOutboxStore, PgOutboxStore, pgNames,
  type DeadRecord, type DeadRowStore, type ItemCoordinates, type OutboxPool, type OutboxTable, type OutboxTableOptions, type Partitioning, type PartitioningConfig, type RecordFilter,
  type TableScope,
} from '@shardflow/outbox-relay';
import { InvalidOpsArgumentError } from '../errors/invalid-ops-argument-error.js';
import { createTimeStatement, deadStatement, nextClusterStatement, pendingStatement, type NameQuoting, type Statement } from './backlog-statements.js';

export interface OutboxAdminOptions extends OutboxTableOptions {
  /** One pool per database, in the relay's order: all mysql2 pools (MySQL, MariaDB) or all pg pools (PostgreSQL). */
  readonly databases: readonly OutboxPool[];
  /** As the relay is configured; default virtual partitions (1024). */
  readonly partitioning?: PartitioningConfig;
  /** Counts stop at this many rows per cluster and scope (reported as `capped`). Default 100 000. */
  readonly countCap?: number;
}

/** Backlog of one cluster (over the whole outbox, or over one item's share of it). */
export interface ClusterBacklog {
  readonly cluster: string;
  readonly pending: number;
  /** Pending rows that wait for a retry (next attempt in the future). */
  readonly retrying: number;
  readonly dead: number;
  /** Age of the oldest pending row, ms; 0 when nothing is pending. */
  readonly oldestPendingAgeMs: number;
  /** A count reached `countCap`: the real number is at least the one shown. */
  readonly capped: boolean;
}

export interface ItemBacklog extends Omit<ClusterBacklog, 'cluster'> {
  readonly item: number;
  readonly clusters: readonly ClusterBacklog[];
}

/** An EXPLAIN of one backlog statement, for checking that none scans a whole table. */
export interface ExplainedStatement {
  readonly sql: string;
  readonly plan: ReadonlyArray<Readonly<Record<string, unknown>>>;
}

const DEFAULT_COUNT_CAP = 100_000;

/**
 * The outbox half of the operations API: backlog per cluster and per relay item, and the dead
 * rows (list, count, replay) through the relay's own store, so the filters are the ones the relay
 * and `shardflow-outbox dead` always had. Every read is bounded (see backlog-statements.ts).
 */
export class OutboxAdmin {
  readonly store: DeadRowStore;
  readonly partitioning: Partitioning;
  private readonly run: (database: number, statement: Statement) => Promise<Array<Record<string, unknown>>>;
  private readonly quote: NameQuoting;
  private readonly countCap: number;

  constructor(options: OutboxAdminOptions) {
    const { databases } = options;
    if (!Array.isArray(databases) || databases.length === 0) throw new InvalidOpsArgumentError('databases', databases, 'must hold at least one mysql2 or pg pool');
    const postgres = isPgPool(databases[0]);
    if (databases.some((pool) => isPgPool(pool) !== postgres)) throw new InvalidOpsArgumentError('databases', `${databases.length} pools`, 'must all be mysql2 pools or all pg pools');
    const cap = options.countCap ?? DEFAULT_COUNT_CAP;
    if (!Number.isSafeInteger(cap) || cap < 1) throw new InvalidOpsArgumentError('countCap', cap, 'must be a positive integer');
    this.countCap = cap;
    this.partitioning = createPartitioning(options, databases.length);
    if (postgres) {
      const pools = databases as readonly pg.Pool[];
      this.store = new PgOutboxStore(pools, this.partitioning);
      this.quote = pgNames;
      this.run = async (database, { sql, params }) => {
        let placeholder = 0;
        return (await poolAt(pools, database).query(sql.replace(/\?/g, () => `$${++placeholder}`), [...params])).rows as Array<Record<string, unknown>>;
      };
    } else {
      const pools = databases as readonly Pool[];
      this.store = new MysqlOutboxStore(pools, this.partitioning);
      this.quote = (table) => ({ table: table.quotedName, c: table.c });
      this.run = async (database, { sql, params }) => (await poolAt(pools, database).query<RowDataPacket[]>(sql, [...params]))[0];
    }
  }

  /** Per cluster, over every table of the outbox. */
  async backlog(): Promise<ClusterBacklog[]> {
    const scopes = this.partitioning.allTables().map(({ database, table }): TableScope => ({ database, table, rows: ALL_ROWS }));
    return this.clusterBacklogs(scopes, await this.clustersOf(scopes));
  }

  /** Per relay item (its share of the outbox as the partitioning defines it), each split by cluster. */
  async backlogByItem(items: readonly ItemCoordinates[]): Promise<ItemBacklog[]> {
    const clusters = await this.clustersOf(this.partitioning.allTables().map(({ database, table }) => ({ database, table, rows: ALL_ROWS })));
    const result: ItemBacklog[] = [];
    for (const coordinates of items) {
      const perCluster = await this.clusterBacklogs(this.partitioning.scopes(coordinates), clusters);
      result.push({ item: coordinates.item, ...sum(perCluster), clusters: perCluster });
    }
    return result;
  }

  listDead(filter: RecordFilter, limit: number): Promise<DeadRecord[]> {
    return this.store.listDead(filter, limit);
  }

  countDead(filter: RecordFilter): Promise<number> {
    return this.store.countDead(filter);
  }

  /** Dead rows back to pending with a fresh retry budget; the relay sends them at its next fetch. */
  replayDead(filter: RecordFilter): Promise<number> {
    return this.store.replayDead(filter);
  }

  /**
   * The database's plan (EXPLAIN's rows) of every statement `backlog()` (and, given items, `backlogByItem`) runs now, for
   * checking on a real table that each one reads a range of the due index, never the table.
   */
  async explainBacklog(items: readonly ItemCoordinates[] = []): Promise<ExplainedStatement[]> {
    const whole = this.partitioning.allTables().map(({ database, table }): TableScope => ({ database, table, rows: ALL_ROWS }));
    const scopes = [...whole, ...items.flatMap((coordinates) => this.partitioning.scopes(coordinates))];
    const statements: Array<[number, Statement]> = [];
    for (const { database, table } of whole) {
      const clusters = await this.clustersOf([{ database, table, rows: ALL_ROWS }]);
      statements.push([database, nextClusterStatement(this.quote, table, table.states.pending, undefined)], [database, nextClusterStatement(this.quote, table, table.states.pending, clusters[0])]);
      statements.push([database, createTimeStatement(this.quote, table, 1)]);
      for (const scope of scopes.filter((candidate) => candidate.database === database && candidate.table.name === table.name)) {
        for (const cluster of clusters) statements.push([database, pendingStatement(this.quote, scope, cluster, this.countCap)], [database, deadStatement(this.quote, scope, cluster, this.countCap)]);
      }
    }
    const explained: ExplainedStatement[] = [];
    for (const [database, statement] of statements) {
      const plan = await this.run(database, { sql: `EXPLAIN ${statement.sql}`, params: statement.params });
      explained.push({ sql: statement.sql, plan: plan.map((row) => ({ ...row })) });
    }
    return explained;
  }

  /** Clusters with pending or dead rows in any of the scopes' tables, by index dives. */
  private async clustersOf(scopes: readonly TableScope[]): Promise<string[]> {
    const clusters = new Set<string>();
    const seen = new Set<string>();
    for (const { database, table } of scopes) {
      const key = `${database}/${table.name}`;
      if (seen.has(key)) continue;
      seen.add(key);
      for (const state of [table.states.pending, table.states.dead]) {
        for (let after: string | undefined; ;) {
          const [row] = await this.run(database, nextClusterStatement(this.quote, table, state, after));
          const next = row?.['cluster'] as string | null | undefined;
          if (next === null || next === undefined) break;
          clusters.add(next);
          after = next;
        }
      }
    }
    return [...clusters].sort();
  }

  private async clusterBacklogs(scopes: readonly TableScope[], clusters: readonly string[]): Promise<ClusterBacklog[]> {
    const now = Date.now();
    const result: ClusterBacklog[] = [];
    for (const cluster of clusters) {
      let pending = 0;
      let retrying = 0;
      let dead = 0;
      let capped = false;
      let oldest: number | undefined;
      for (const scope of scopes) {
        const [pendingRow] = await this.run(scope.database, pendingStatement(this.quote, scope, cluster, this.countCap));
        const [deadRow] = await this.run(scope.database, deadStatement(this.quote, scope, cluster, this.countCap));
        const scopePending = Number(pendingRow?.['n'] ?? 0);
        const scopeDead = Number(deadRow?.['n'] ?? 0);
        pending += scopePending;
        retrying += Number(pendingRow?.['retrying'] ?? 0);
        dead += scopeDead;
        capped ||= scopePending >= this.countCap || scopeDead >= this.countCap;
        const oldestId = pendingRow?.['oldest_id'];
        if (oldestId !== null && oldestId !== undefined) {
          const created = await this.createTime(scope.database, scope.table, Number(oldestId));
          if (created !== undefined && (oldest === undefined || created < oldest)) oldest = created;
        }
      }
      if (pending + dead > 0) result.push({ cluster, pending, retrying, dead, oldestPendingAgeMs: oldest === undefined ? 0 : Math.max(0, now - oldest), capped });
    }
    return result;
  }

  private async createTime(database: number, table: OutboxTable, id: number): Promise<number | undefined> {
    const [row] = await this.run(database, createTimeStatement(this.quote, table, id));
    const created = row?.['created'];
    return created instanceof Date ? created.getTime() : undefined;
  }

}

function poolAt<P>(pools: readonly P[], database: number): P {
  const pool = pools[database];
  if (!pool) throw new RangeError(`no database pool at index ${database}`);
  return pool;
}

function sum(clusters: readonly ClusterBacklog[]): Omit<ClusterBacklog, 'cluster'> {
  const withPending = clusters.filter((cluster) => cluster.pending > 0);
  return {
    pending: clusters.reduce((total, cluster) => total + cluster.pending, 0),
    retrying: clusters.reduce((total, cluster) => total + cluster.retrying, 0),
    dead: clusters.reduce((total, cluster) => total + cluster.dead, 0),
    oldestPendingAgeMs: withPending.reduce((oldest, cluster) => Math.max(oldest, cluster.oldestPendingAgeMs), 0),
    capped: clusters.some((cluster) => cluster.capped),
  };
}
