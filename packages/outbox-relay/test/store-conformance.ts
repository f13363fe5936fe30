import { describe, expect, it } from 'vitest';
import {
  fetchPage, type ItemCoordinates, type OutboxRecord, type OutboxStates, type OutboxStore, type Partitioning, type PartitioningConfig, type RecordFailure,
  type RecordLocation, type TableScope,
} from '../src/index.js';

/** A row as a test puts it into a table: times are relative to now, ms. */
export interface SeedRow {
  readonly key: string;
  readonly cluster: string;
  readonly topic?: string;
  readonly state?: 'pending' | 'sent' | 'dead';
  /** When the row is due, from now (negative: in the past); null stores NULL. Default -1 000. */
  readonly dueInMs?: number | null;
  readonly retryCount?: number;
  readonly lastError?: string | null;
  readonly fenceEpoch?: number | null;
  /** Default 0: created now. */
  readonly createdAgoMs?: number;
  /** Sent rows only: when they were sent, from now. Default 0. */
  readonly sentAgoMs?: number;
  /** Default: as the partitioning computes it from the key. */
  readonly partition?: number;
  readonly headers?: string | null;
}

/** A row as a test reads it back. */
export interface StoredRow {
  readonly state: 'pending' | 'sent' | 'dead';
  readonly retryCount: number;
  readonly nextSelectTime: Date | null;
  readonly lastError: string | null;
  readonly fenceEpoch: number | null;
}

/** One store over fresh tables of one partitioning, and raw access to its rows. */
export interface StoreUnderTest {
  readonly store: OutboxStore;
  readonly partitioning: Partitioning;
  insert(location: RecordLocation, rows: readonly SeedRow[]): Promise<number[]>;
  read(location: RecordLocation, id: number): Promise<StoredRow | undefined>;
}

/** The name of a stored state value. */
export function stateName(states: OutboxStates, value: number): StoredRow['state'] {
  return (Object.keys(states) as Array<keyof OutboxStates>).find((name) => states[name] === value) as StoredRow['state'];
}

export interface StoreHarness {
  /**
   * A store over fresh tables (two databases for physical tables); `nullableDueTime` makes
   * next_select_time accept NULL, as some existing tables do.
   */
  open(partitioning: PartitioningConfig, options?: { nullableDueTime?: boolean }): Promise<StoreUnderTest>;
}

const ALL: ItemCoordinates = { item: 0, total: 1, jobParameter: '', shardingParameter: undefined };
const admitAll = (_cluster: string, share: number): number => share;
const HOUR = 3_600_000;

function failure(record: OutboxRecord, options: Partial<RecordFailure> = {}): RecordFailure {
  return { record, code: 'DELIVERY_FAILED', message: 'rejected', charged: true, dead: false, nextAttemptAt: new Date(Date.now() + HOUR), ...options };
}

/** The behaviour every OutboxStore must have; run against each database and the in-memory store. */
export function describeStoreConformance(name: string, harness: () => StoreHarness): void {
  describe(`${name} store conformance`, () => {
    async function single(options?: { nullableDueTime?: boolean }): Promise<StoreUnderTest & { scope: TableScope; location: RecordLocation }> {
      const opened = await harness().open({ mode: 'virtual-partition', partitions: 16 }, options);
      const scope = opened.partitioning.scopes(ALL)[0] as TableScope;
      return { ...opened, scope, location: { database: scope.database, table: scope.table } };
    }
    const ids = (records: readonly OutboxRecord[]): number[] => records.map((record) => record.id);
    const page = (s: { store: OutboxStore; scope: TableScope }, limit: number, options: { epoch?: number; perKeyOrdering?: boolean; admits?: (cluster: string, share: number) => number } = {}) =>
      fetchPage(s.store, [s.scope], { limit, epoch: options.epoch ?? 1, admits: options.admits ?? admitAll, perKeyOrdering: options.perKeyOrdering ?? false });

    it('fetches due pending rows only, oldest due first then by id, and lists the clusters with pending rows', async () => {
      const s = await single();
      const [late, early, , , same1, same2] = await s.insert(s.location, [
        { key: 'a', cluster: 'c1', dueInMs: -1_000 },
        { key: 'b', cluster: 'c1', dueInMs: -5_000 },
        { key: 'c', cluster: 'c1', dueInMs: HOUR },
        { key: 'd', cluster: 'c1', state: 'sent' },
        { key: 'e', cluster: 'c1', dueInMs: -3_000 },
        { key: 'f', cluster: 'c1', dueInMs: -3_000 },
        { key: 'g', cluster: 'c2', state: 'dead' },
        { key: 'h', cluster: 'c3', dueInMs: HOUR },
      ]);
      expect(ids(await page(s, 10))).toEqual([early, same1, same2, late]);
      expect(await s.store.pendingClusters(s.scope)).toEqual(['c1', 'c3']);
    });

    it('shares a page evenly among clusters, gives the room a cluster in backoff leaves to the others, and keeps a probe a probe', async () => {
      const s = await single();
      await s.insert(s.location, Array.from({ length: 20 }, (_, i) => ({ key: `a${i}`, cluster: 'ca' })));
      const [firstB] = await s.insert(s.location, Array.from({ length: 20 }, (_, i) => ({ key: `b${i}`, cluster: 'cb' })));
      const even = await page(s, 10);
      expect(even.filter((record) => record.cluster === 'ca')).toHaveLength(5);
      expect(even.filter((record) => record.cluster === 'cb')).toHaveLength(5);
      expect(even.find((record) => record.cluster === 'cb')?.id).toBe(firstB);
      // cc: 2 due rows and 30 waiting for a retry.
      await s.insert(s.location, [...Array.from({ length: 2 }, (_, i) => ({ key: `c${i}`, cluster: 'cc' })), ...Array.from({ length: 30 }, (_, i) => ({ key: `w${i}`, cluster: 'cc', dueInMs: HOUR }))]);
      const filled = await page(s, 30);
      expect(filled).toHaveLength(30);
      expect(filled.filter((record) => record.cluster === 'cc')).toHaveLength(2);
      expect(new Set(ids(filled)).size).toBe(30);
      const probing = await page(s, 30, { admits: (cluster, share) => (cluster === 'cb' ? Math.min(share, 3) : cluster === 'ca' ? 0 : share) });
      expect(probing.map((record) => record.cluster).sort()).toEqual(['cb', 'cb', 'cb', 'cc', 'cc']);
    });

    it('NULL next_select_time counts as due and comes first; deferral and release handle it', async () => {
      const s = await single({ nullableDueTime: true });
      const [dated, undated] = await s.insert(s.location, [{ key: 'a', cluster: 'c1', dueInMs: -1_000 }, { key: 'b', cluster: 'c1', dueInMs: null }]);
      expect(ids(await page(s, 10))).toEqual([undated, dated]);
      const probeAt = new Date(Date.now() + HOUR);
      expect(await s.store.deferCluster([s.scope], 1, 'c1', { probeAt, probeRows: 1, parkUntil: new Date(Date.now() + 2 * HOUR), reason: 'BROKER_UNAVAILABLE: down' })).toBe(2);
      expect((await s.read(s.location, undated as number))?.nextSelectTime?.getTime()).toBe(probeAt.getTime());
      expect(await page(s, 10)).toEqual([]);
    });

    it('outcomes are fenced by epoch: a stale epoch changes nothing and does not even read the row', async () => {
      const s = await single();
      const [first, second, third] = await s.insert(s.location, [{ key: 'a', cluster: 'c1' }, { key: 'b', cluster: 'c1' }, { key: 'c', cluster: 'c1' }]);
      const rows = await page(s, 10, { epoch: 5 });
      expect(ids(rows)).toEqual([first, second, third]);
      const [a, b, c] = rows as [OutboxRecord, OutboxRecord, OutboxRecord];
      expect(await s.store.markFailed([failure(a, { nextAttemptAt: new Date(Date.now() - HOUR) })], 5)).toBe(1);
      expect(await s.store.markSent([a], 4)).toBe(0);
      expect(await s.store.markFailed([failure(a, { dead: true })], 4)).toBe(0);
      expect(await s.read(s.location, a.id)).toMatchObject({ state: 'pending', retryCount: 1, fenceEpoch: 5 });
      expect(ids(await page(s, 10, { epoch: 4 }))).toEqual([second, third]);
      expect(ids(await page(s, 10, { epoch: 6 }))).toEqual([first, second, third]);
      // The fast path (no epoch) writes only rows no relay item wrote, and finds only those.
      expect(ids(await s.store.findUnfenced(s.location, [a.id, b.id]))).toEqual([second]);
      expect(await s.store.markSent([a, b], undefined)).toBe(1);
      expect(await s.read(s.location, b.id)).toMatchObject({ state: 'sent', fenceEpoch: null, lastError: null });
      expect(await s.store.markSent([a, c], 6)).toBe(2);
      expect(await s.read(s.location, a.id)).toMatchObject({ state: 'sent', fenceEpoch: 6, lastError: null });
      expect(await s.store.markSent([a], 7)).toBe(0);
    });

    it('failed attempts back off, charged or not, and a dead row is parked, listed and counted', async () => {
      const s = await single();
      await s.insert(s.location, [{ key: 'own', cluster: 'c1' }, { key: 'outage', cluster: 'c1' }, { key: 'poison', cluster: 'c2', topic: 'big' }]);
      const [own, outage, poison] = (await page(s, 10)).sort((x, y) => x.id - y.id) as [OutboxRecord, OutboxRecord, OutboxRecord];
      const changed = await s.store.markFailed([
        failure(own),
        failure(outage, { code: 'BROKER_UNAVAILABLE', message: 'connect ECONNREFUSED', charged: false }),
        failure(poison, { code: 'MESSAGE_TOO_LARGE', message: 'too large', dead: true }),
      ], 1);
      expect(changed).toBe(3);
      expect(await s.read(s.location, own.id)).toMatchObject({ state: 'pending', retryCount: 1, lastError: 'DELIVERY_FAILED: rejected', fenceEpoch: 1 });
      expect(await s.read(s.location, outage.id)).toMatchObject({ state: 'pending', retryCount: 0, lastError: 'BROKER_UNAVAILABLE: connect ECONNREFUSED' });
      expect((await s.read(s.location, own.id))?.nextSelectTime?.getTime()).toBeGreaterThan(Date.now() + HOUR / 2);
      expect(await page(s, 10)).toEqual([]);
      expect(await s.store.countDead({})).toBe(1);
      const [dead] = await s.store.listDead({ topic: 'big' }, 10);
      expect(dead).toMatchObject({ id: poison.id, key: 'poison', cluster: 'c2', lastError: 'MESSAGE_TOO_LARGE: too large', database: 0, table: s.location.table.name });
    });

    it("an outage is deferred into the cluster's due rows and released by a probe; retry_count stays, other clusters and own failures are untouched", async () => {
      const s = await single();
      const down = await s.insert(s.location, Array.from({ length: 5 }, (_, i) => ({ key: `d${i}`, cluster: 'down', dueInMs: -10_000 + i, retryCount: 2 })));
      const [own] = await s.insert(s.location, [{ key: 'own', cluster: 'down', dueInMs: HOUR, lastError: 'MESSAGE_TOO_LARGE: too large' }]);
      const [newer] = await s.insert(s.location, [{ key: 'newer', cluster: 'down', fenceEpoch: 9 }]);
      const [other] = await s.insert(s.location, [{ key: 'other', cluster: 'up' }]);
      const probeAt = new Date(Date.now() + HOUR);
      const parkUntil = new Date(Date.now() + 3 * HOUR);
      expect(await s.store.deferCluster([s.scope], 3, 'down', { probeAt, probeRows: 2, parkUntil, reason: 'BROKER_UNAVAILABLE: down' })).toBe(5);
      const after = await Promise.all(down.map((id) => s.read(s.location, id)));
      expect(after.map((row) => row?.nextSelectTime?.getTime())).toEqual([probeAt, probeAt, parkUntil, parkUntil, parkUntil].map((time) => time.getTime()));
      expect(after.every((row) => row?.retryCount === 2 && row.lastError === 'BROKER_UNAVAILABLE: down' && row.state === 'pending' && row.fenceEpoch === null)).toBe(true);
      expect((await s.read(s.location, newer as number))?.lastError).toBeNull();
      expect(ids(await page(s, 10, { epoch: 3 }))).toEqual([other]);
      expect(await s.store.releaseCluster([s.scope], 3, 'down')).toBe(5);
      expect(ids(await page(s, 10, { epoch: 3 })).sort((x, y) => x - y)).toEqual([...down, other]);
      expect(await s.read(s.location, own as number)).toMatchObject({ lastError: 'MESSAGE_TOO_LARGE: too large' });
      expect((await s.read(s.location, down[0] as number))?.lastError).toBeNull();
    });

    it('replays dead rows by filter with a fresh retry budget', async () => {
      const s = await single();
      const old = new Date(Date.now() - 2 * HOUR);
      const [k1, k2, other] = await s.insert(s.location, [
        { key: 'k', cluster: 'c1', state: 'dead', retryCount: 10, lastError: 'DELIVERY_FAILED: x', fenceEpoch: 4, createdAgoMs: 3 * HOUR },
        { key: 'k', cluster: 'c1', state: 'dead', retryCount: 10, lastError: 'DELIVERY_FAILED: x' },
        { key: 'j', cluster: 'c2', state: 'dead' },
      ]);
      expect(await s.store.countDead({ key: 'k' })).toBe(2);
      expect(await s.store.countDead({ createdTo: old })).toBe(1);
      expect((await s.store.listDead({}, 2)).map((row) => row.id)).toEqual([k1, k2]);
      expect(await s.store.countDead({ ids: [] })).toBe(0);
      expect(await s.store.replayDead({ key: 'k', cluster: 'c1', ids: [k1 as number, other as number] })).toBe(1);
      expect(await s.read(s.location, k1 as number)).toMatchObject({ state: 'pending', retryCount: 0, lastError: null, fenceEpoch: null });
      expect(ids(await page(s, 10))).toEqual([k1]);
      expect(await s.store.countDead({})).toBe(2);
    });

    it('per-key ordering: a row waiting for a retry holds back the later rows of its key only', async () => {
      const s = await single();
      const [, blocked, free] = await s.insert(s.location, [
        { key: 'K', cluster: 'c1', dueInMs: HOUR },
        { key: 'K', cluster: 'c1' },
        { key: 'L', cluster: 'c1' },
      ]);
      expect(ids(await page(s, 10, { perKeyOrdering: true }))).toEqual([free]);
      expect(ids(await page(s, 10))).toEqual([blocked, free]);
    });

    it('cleanup deletes sent rows past retention, lowest ids first, at most the limit', async () => {
      const s = await single();
      const old = await s.insert(s.location, Array.from({ length: 5 }, (_, i) => ({ key: `o${i}`, cluster: 'c1', state: 'sent' as const, sentAgoMs: 2 * HOUR })));
      const [recent, pending] = await s.insert(s.location, [{ key: 'r', cluster: 'c1', state: 'sent' }, { key: 'p', cluster: 'c1', createdAgoMs: 3 * HOUR }]);
      expect(await s.store.deleteSent(s.scope, HOUR, 3)).toBe(3);
      expect(await s.read(s.location, old[2] as number)).toBeUndefined();
      expect(await s.read(s.location, old[3] as number)).toMatchObject({ state: 'sent' });
      expect(await s.store.deleteSent(s.scope, HOUR, 3)).toBe(2);
      expect(await s.store.deleteSent(s.scope, HOUR, 3)).toBe(0);
      expect(await s.read(s.location, recent as number)).toMatchObject({ state: 'sent' });
      expect(await s.read(s.location, pending as number)).toMatchObject({ state: 'pending' });
    });

    it('counts pending, retrying and dead rows per cluster with the age of the oldest pending row', async () => {
      const s = await single();
      await s.insert(s.location, [
        { key: 'a', cluster: 'c1', createdAgoMs: 60_000 },
        { key: 'b', cluster: 'c1', lastError: 'BROKER_UNAVAILABLE: down' },
        { key: 'c', cluster: 'c1', state: 'dead' },
        { key: 'd', cluster: 'c1', state: 'sent' },
        { key: 'e', cluster: 'c2', state: 'dead' },
      ]);
      const counts = await s.store.counts();
      expect(counts.map(({ oldestPendingAgeMs: _, ...rest }) => rest)).toEqual([
        { cluster: 'c1', pending: 2, retrying: 1, dead: 1 },
        { cluster: 'c2', pending: 0, retrying: 0, dead: 1 },
      ]);
      expect(counts[0]?.oldestPendingAgeMs).toBeGreaterThanOrEqual(59_000);
      expect(counts[0]?.oldestPendingAgeMs).toBeLessThan(HOUR);
      expect(counts[1]?.oldestPendingAgeMs).toBe(0);
      expect(await s.store.counts([s.scope])).toEqual(expect.arrayContaining([expect.objectContaining({ cluster: 'c1', pending: 2 })]));
    });

    it('the backlog counts pending rows per cluster up to a cap and ages the first due row', async () => {
      const s = await single();
      await s.insert(s.location, [
        ...Array.from({ length: 4 }, (_, i) => ({ key: `a${i}`, cluster: 'c1' })),
        { key: 'first-due', cluster: 'c1', createdAgoMs: 60_000, dueInMs: -HOUR },
        { key: 'dead', cluster: 'c1', state: 'dead' as const },
        { key: 'sent', cluster: 'c2', state: 'sent' as const },
        { key: 'b', cluster: 'c3', createdAgoMs: 1_000 },
      ]);
      const backlog = await s.store.backlog(3);
      expect(backlog.map(({ oldestPendingAgeMs: _, ...rest }) => rest)).toEqual([
        { cluster: 'c1', pending: 3, capped: true },
        { cluster: 'c3', pending: 1, capped: false },
      ]);
      expect(backlog[0]?.oldestPendingAgeMs).toBeGreaterThanOrEqual(59_000);
      expect(backlog[0]?.oldestPendingAgeMs).toBeLessThan(HOUR);
      expect(backlog[1]?.oldestPendingAgeMs).toBeLessThan(59_000);
    });

    it('virtual partitions: an item reads the rows of its partition range only', async () => {
      const s = await single();
      const rows = await s.insert(s.location, Array.from({ length: 16 }, (_, i) => ({ key: `k${i}`, cluster: 'c1', partition: i })));
      const seen = [];
      for (let item = 0; item < 4; item++) {
        const scope = s.partitioning.scopes({ ...ALL, item, total: 4 })[0] as TableScope;
        const fetched = await fetchPage(s.store, [scope], { limit: 100, epoch: 1, admits: admitAll, perKeyOrdering: false });
        expect(ids(fetched)).toEqual(rows.slice(item * 4, item * 4 + 4));
        expect((await s.store.counts([scope]))[0]?.pending).toBe(4);
        seen.push(...ids(fetched));
      }
      expect(seen).toEqual(rows);
    });

    it('id % N: an item reads the rows whose id leaves its remainder', async () => {
      const opened = await harness().open({ mode: 'id-mod' });
      const [table] = opened.partitioning.allTables();
      const rows = await opened.insert(table as RecordLocation, Array.from({ length: 9 }, (_, i) => ({ key: `k${i}`, cluster: 'c1' })));
      for (let item = 0; item < 3; item++) {
        const scopes = opened.partitioning.scopes({ ...ALL, item, total: 3 });
        const fetched = await fetchPage(opened.store, scopes, { limit: 100, epoch: 1, admits: admitAll, perKeyOrdering: false });
        expect(ids(fetched)).toEqual(rows.filter((id) => id % 3 === item));
      }
    });

    it('N databases x M tables: an item reads its tables; dead rows are listed and replayed across all of them', async () => {
      const opened = await harness().open({ mode: 'physical-tables', tables: ['pt_001', 'pt_002'] });
      const tables = opened.partitioning.allTables();
      expect(tables).toHaveLength(4);
      for (const [index, location] of tables.entries()) {
        await opened.insert(location, [{ key: `live-${index}`, cluster: 'c1' }, { key: `dead-${index}`, cluster: 'c1', state: 'dead' }]);
      }
      for (let item = 0; item < 4; item++) {
        const fetched = await fetchPage(opened.store, opened.partitioning.scopes({ ...ALL, item, total: 4 }), { limit: 100, epoch: 1, admits: admitAll, perKeyOrdering: false });
        expect(fetched.map((record) => record.key)).toEqual([`live-${item}`]);
        expect(fetched[0]?.location).toMatchObject({ database: tables[item]?.database, table: { name: tables[item]?.table.name } });
      }
      const dead = await opened.store.listDead({}, 10);
      expect(dead.map((row) => `${row.database}:${row.table}:${row.key}`)).toEqual(tables.map(({ database, table }, index) => `${database}:${table.name}:dead-${index}`));
      expect(await opened.store.listDead({}, 3)).toHaveLength(3);
      expect(await opened.store.replayDead({ key: 'dead-3' })).toBe(1);
      expect(await opened.store.countDead({})).toBe(3);
      expect((await opened.store.counts()).map((row) => [row.cluster, row.pending, row.dead])).toEqual([['c1', 5, 3]]);
      await expect(opened.store.verifyTables()).resolves.toBeUndefined();
    });
  });
}
