import { DESTINATION_FAULT_CODES, faultOf } from '../errors/delivery-error.js';
import { matchesRow, type RowPredicate } from '../partition/row-predicate.js';
import type { Partitioning, TableScope } from '../partition/partitioning.js';
import { OUTBOX_COLUMN_LIMITS } from '../schema/outbox-table.js';
import type { ClusterDeferral, DueRequest, NewestIdStore, OutboxStore } from './outbox-store.js';
import { lastErrorOf, type ClusterBacklog, type ClusterCounts, type DeadRecord, type OutboxRecord, type RecordFailure, type RecordFilter, type RecordLocation } from './outbox-record.js';
import { groupByLocation, parseHeaders, sumBacklogs, sumCounts, type BacklogRow } from './sql-records.js';

/** One row of an in-memory outbox table, with the columns of the SQL table. */
export interface MemoryRow {
  readonly id: number;
  key: string;
  topic: string;
  cluster: string;
  payload: Buffer;
  /** JSON object of strings, as in the SQL column; null without headers. */
  headers: string | null;
  state: number;
  retryCount: number;
  /** Null counts as due, as in a table whose column allows NULL. */
  nextSelectTime: Date | null;
  lastError: string | null;
  createTime: Date;
  sentTime: Date | null;
  partition: number;
  fenceEpoch: number | null;
}

/** A row to insert: the message's fields, anything else as a new pending row has it unless given. */
export type MemoryRowInput = Pick<MemoryRow, 'key' | 'topic' | 'cluster'> & Partial<Omit<MemoryRow, 'id' | 'key' | 'topic' | 'cluster'>>;

/**
 * The OutboxStore in this process's memory, for a relay whose producers live in the same process
 * (nothing survives a restart) and for tests of the relay's policy without a database. It keeps
 * the SQL stores' semantics exactly, checked by the same conformance suite: the same order of
 * due rows, the same fencing by epoch, the same counts. Tables exist as the partitioning names
 * them; each numbers its rows from 1.
 */
export class MemoryOutboxStore implements OutboxStore, NewestIdStore {
  private readonly tables = new Map<string, { rows: Map<number, MemoryRow>; lastId: number }>();

  constructor(
    private readonly partitioning: Partitioning,
    private readonly now: () => number = Date.now,
  ) {}

  /** Adds a row to the location's table; returns its id. */
  insert(location: RecordLocation, input: MemoryRowInput): number {
    const table = this.table(location);
    const now = new Date(this.now());
    const id = ++table.lastId;
    table.rows.set(id, {
      id, payload: Buffer.alloc(0), headers: null, state: location.table.states.pending, retryCount: 0, nextSelectTime: now, lastError: null,
      createTime: now, sentTime: null, partition: this.partitioning.partitionOf(input.key), fenceEpoch: null, ...input,
    });
    return id;
  }

  /** A copy of one row as it is now; undefined when there is no such row. */
  row(location: RecordLocation, id: number): Readonly<MemoryRow> | undefined {
    const row = this.table(location).rows.get(id);
    return row && { ...row };
  }

  async pendingClusters(scope: TableScope): Promise<string[]> {
    const { pending } = scope.table.states;
    const clusters = new Set(this.rowsOf(scope).filter((row) => row.state === pending).map((row) => row.cluster));
    return [...clusters].sort(byCodePoint);
  }

  async fetchDue(scope: TableScope, request: DueRequest): Promise<OutboxRecord[]> {
    return request.shares.flatMap((share) => {
      const skip = new Set(share.skip);
      return this.dueRows(scope, share.cluster, request.epoch)
        .filter((row) => !skip.has(row.id) && !(request.perKeyOrdering && this.heldBack(scope, row)))
        .slice(0, share.rows)
        .map((row) => this.toRecord(row, scope));
    });
  }

  async newestId(location: RecordLocation): Promise<number> {
    let newest = 0;
    for (const id of this.table(location).rows.keys()) newest = Math.max(newest, id);
    return newest;
  }

  async findUnfenced(location: RecordLocation, ids: readonly number[]): Promise<OutboxRecord[]> {
    const wanted = new Set(ids);
    return this.rowsOf(location)
      .filter((row) => wanted.has(row.id) && row.state === location.table.states.pending && row.fenceEpoch === null)
      .map((row) => this.toRecord(row, location));
  }

  async markSent(records: readonly OutboxRecord[], epoch: number | undefined): Promise<number> {
    let changed = 0;
    for (const [location, group] of groupByLocation(records, (record) => record.location)) {
      for (const row of this.writable(location, group.map((record) => record.id), epoch)) {
        Object.assign(row, { state: location.table.states.sent, sentTime: new Date(this.now()), lastError: null, fenceEpoch: epoch ?? null });
        changed += 1;
      }
    }
    return changed;
  }

  async markFailed(failures: readonly RecordFailure[], epoch: number): Promise<number> {
    let changed = 0;
    for (const [location, group] of groupByLocation(failures, (failure) => failure.record.location)) {
      const byId = new Map(group.map((failure) => [failure.record.id, failure]));
      for (const row of this.writable(location, [...byId.keys()], epoch)) {
        const failure = byId.get(row.id) as RecordFailure;
        const { states } = location.table;
        Object.assign(row, {
          state: failure.dead ? states.dead : states.pending, nextSelectTime: failure.nextAttemptAt, lastError: lastErrorOf(failure),
          retryCount: row.retryCount + (failure.charged ? 1 : 0), fenceEpoch: epoch,
        });
        changed += 1;
      }
    }
    return changed;
  }

  async deferCluster(scopes: readonly TableScope[], epoch: number, cluster: string, deferral: ClusterDeferral): Promise<number> {
    let changed = 0;
    for (const scope of scopes) {
      const due = this.dueRows(scope, cluster, epoch);
      due.forEach((row, index) => {
        row.nextSelectTime = index < deferral.probeRows ? deferral.probeAt : deferral.parkUntil;
        row.lastError = deferral.reason.slice(0, OUTBOX_COLUMN_LIMITS.lastError.max);
      });
      changed += due.length;
    }
    return changed;
  }

  async releaseCluster(scopes: readonly TableScope[], epoch: number, cluster: string): Promise<number> {
    let changed = 0;
    const now = this.now();
    for (const scope of scopes) {
      for (const row of this.rowsOf(scope, scope.rows)) {
        const code = row.lastError?.split(':', 1)[0];
        if (row.state !== scope.table.states.pending || row.cluster !== cluster || code === undefined || !DESTINATION_FAULT_CODES.includes(code as never)) continue;
        if (!fenced(row, epoch)) continue;
        if (row.nextSelectTime !== null && row.nextSelectTime.getTime() > now) row.nextSelectTime = new Date(now);
        row.lastError = null;
        changed += 1;
      }
    }
    return changed;
  }

  async listDead(filter: RecordFilter, limit: number): Promise<DeadRecord[]> {
    return this.partitioning.allTables()
      .flatMap((location) => this.deadRows(location, filter).map((row): DeadRecord => ({
        id: row.id, key: row.key, topic: row.topic, cluster: row.cluster, retryCount: row.retryCount, lastError: row.lastError,
        createTime: row.createTime, database: location.database, table: location.table.name,
      })))
      .slice(0, limit);
  }

  async countDead(filter: RecordFilter): Promise<number> {
    return this.partitioning.allTables().reduce((count, location) => count + this.deadRows(location, filter).length, 0);
  }

  async replayDead(filter: RecordFilter): Promise<number> {
    let changed = 0;
    for (const location of this.partitioning.allTables()) {
      for (const row of this.deadRows(location, filter)) {
        Object.assign(row, { state: location.table.states.pending, retryCount: 0, nextSelectTime: new Date(this.now()), lastError: null, fenceEpoch: null });
        changed += 1;
      }
    }
    return changed;
  }

  async counts(scopes?: readonly TableScope[]): Promise<ClusterCounts[]> {
    const targets = scopes ?? this.partitioning.allTables().map(({ database, table }): TableScope => ({ database, table, rows: { kind: 'all' } }));
    const perCluster = targets.flatMap((scope) => {
      const { pending, dead } = scope.table.states;
      return this.rowsOf(scope, scope.rows).filter((row) => row.state === pending || row.state === dead).map((row) => ({
        cluster: row.cluster,
        pending: row.state === pending ? 1 : 0,
        retrying: row.state === pending && row.lastError !== null ? 1 : 0,
        dead: row.state === dead ? 1 : 0,
        oldest: row.state === pending ? row.createTime.getTime() : undefined,
      }));
    });
    return sumCounts(perCluster, this.now());
  }

  async backlog(cap: number): Promise<ClusterBacklog[]> {
    const perTable: BacklogRow[] = [];
    for (const { database, table } of this.partitioning.allTables()) {
      const pending = this.rowsOf({ database, table }).filter((row) => row.state === table.states.pending);
      for (const cluster of new Set(pending.map((row) => row.cluster))) {
        const rows = pending.filter((row) => row.cluster === cluster);
        const first = [...rows].sort((a, b) => (a.nextSelectTime?.getTime() ?? -Infinity) - (b.nextSelectTime?.getTime() ?? -Infinity) || a.id - b.id)[0];
        perTable.push({ cluster, pending: Math.min(rows.length, cap), oldest: first?.createTime.getTime() });
      }
    }
    return sumBacklogs(perTable, cap, this.now());
  }

  async deleteSent(scope: TableScope, olderThanMs: number, limit: number): Promise<number> {
    const before = this.now() - olderThanMs;
    const doomed = this.rowsOf(scope, scope.rows)
      .filter((row) => row.state === scope.table.states.sent && row.sentTime !== null && row.sentTime.getTime() < before)
      .slice(0, limit);
    const { rows } = this.table(scope);
    for (const row of doomed) rows.delete(row.id);
    return doomed.length;
  }

  /** Every table the partitioning names exists here by construction. */
  async verifyTables(): Promise<void> {}

  private table({ database, table }: RecordLocation): { rows: Map<number, MemoryRow>; lastId: number } {
    const name = `${database}/${table.name}`;
    let entry = this.tables.get(name);
    if (!entry) {
      entry = { rows: new Map(), lastId: 0 };
      this.tables.set(name, entry);
    }
    return entry;
  }

  /** The rows of a table, or of a scope's share of it, by id. */
  private rowsOf(location: RecordLocation, share?: RowPredicate): MemoryRow[] {
    const rows = [...this.table(location).rows.values()];
    return share ? rows.filter((row) => matchesRow(share, row)) : rows;
  }

  /** A cluster's due pending rows in the scope that `epoch` may write: NULL due times first, then by due time and id. */
  private dueRows(scope: TableScope, cluster: string, epoch: number): MemoryRow[] {
    const now = this.now();
    return this.rowsOf(scope, scope.rows)
      .filter((row) => row.state === scope.table.states.pending && row.cluster === cluster && fenced(row, epoch)
        && (row.nextSelectTime === null || row.nextSelectTime.getTime() <= now))
      .sort((a, b) => (a.nextSelectTime?.getTime() ?? -Infinity) - (b.nextSelectTime?.getTime() ?? -Infinity) || a.id - b.id);
  }

  /** An older pending row of the same key waits for a retry. */
  private heldBack(location: RecordLocation, row: MemoryRow): boolean {
    const now = this.now();
    return this.rowsOf(location).some((other) => other.key === row.key && other.state === location.table.states.pending && other.id < row.id
      && other.nextSelectTime !== null && other.nextSelectTime.getTime() > now);
  }

  /** Pending rows among `ids` that an outcome under `epoch` may write (see the SQL stores' fence). */
  private writable(location: RecordLocation, ids: readonly number[], epoch: number | undefined): MemoryRow[] {
    const { rows } = this.table(location);
    return ids.flatMap((id) => rows.get(id) ?? []).filter((row) => row.state === location.table.states.pending
      && (epoch === undefined ? row.fenceEpoch === null : fenced(row, epoch)));
  }

  private deadRows(location: RecordLocation, filter: RecordFilter): MemoryRow[] {
    const ids = filter.ids && new Set(filter.ids);
    return this.rowsOf(location).filter((row) => row.state === location.table.states.dead
      && (!ids || ids.has(row.id))
      && (filter.key === undefined || row.key === filter.key)
      && (filter.topic === undefined || row.topic === filter.topic)
      && (filter.cluster === undefined || row.cluster === filter.cluster)
      && (!filter.createdFrom || row.createTime >= filter.createdFrom)
      && (!filter.createdTo || row.createTime < filter.createdTo));
  }

  private toRecord(row: MemoryRow, { database, table }: RecordLocation): OutboxRecord {
    const code = row.lastError === null ? undefined : row.lastError.split(':', 1)[0] as string;
    return {
      id: row.id, key: row.key, topic: row.topic, cluster: row.cluster, payload: row.payload, ...parseHeaders(row.headers),
      retryCount: row.retryCount, createTime: row.createTime, location: { database, table }, lastFault: code === undefined ? undefined : faultOf(code),
    };
  }
}

/** Rows no relay item wrote, or that an item of `epoch` or an older one wrote. */
function fenced(row: MemoryRow, epoch: number): boolean {
  return row.fenceEpoch === null || row.fenceEpoch <= epoch;
}

function byCodePoint(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
