import type { TableScope } from '../partition/partitioning.js';
import type { DueRequest, RelayStore } from '../store/outbox-store.js';
import type { OutboxRecord } from '../store/outbox-record.js';
import { countBy } from '../util/group-by.js';
import { clusterShares, filledShares, type Admits } from './page-plan.js';

export interface FetchOptions {
  readonly limit: number;
  /** Fencing token: rows whose outcome a newer epoch wrote are skipped. */
  readonly epoch: number;
  readonly admits: Admits;
  /** Skip a row while an older pending row of the same key waits for a retry. */
  readonly perKeyOrdering: boolean;
}

type PageReader = Pick<RelayStore, 'pendingClusters' | 'fetchDue'>;

/**
 * One page of due rows over the item's scopes, at most `limit`, scope after scope. Within a scope
 * the page is split fairly among the admitted clusters; when some cluster had fewer due rows than
 * its share (its other pending rows wait for a retry), the room it left is shared among the
 * clusters that filled theirs, in a second read, only in that case. So a cluster in backoff
 * neither takes page slots nor halves the pages of the clusters that can go.
 */
export async function fetchPage(store: PageReader, scopes: readonly TableScope[], options: FetchOptions): Promise<OutboxRecord[]> {
  const records: OutboxRecord[] = [];
  for (const scope of scopes) {
    if (records.length >= options.limit) break;
    const read = new Map<string, number[]>();
    let candidates = await store.pendingClusters(scope);
    for (let pass = 0; pass < 2 && records.length < options.limit; pass++) {
      const shares = clusterShares(candidates, options.limit - records.length, read, options.admits);
      if (shares.length === 0) break;
      const rows = await store.fetchDue(scope, { epoch: options.epoch, perKeyOrdering: options.perKeyOrdering, shares });
      for (const row of rows) {
        records.push(row);
        const ids = read.get(row.cluster);
        if (ids) ids.push(row.id);
        else read.set(row.cluster, [row.id]);
      }
      candidates = filledShares(shares, countBy(rows, (row) => row.cluster));
    }
  }
  return records;
}

/**
 * The first read a fetch of this scope makes (undefined when no cluster is admitted or pending):
 * what a store's query plan is checked on.
 */
export async function firstDueRequest(store: PageReader, scope: TableScope, options: FetchOptions): Promise<DueRequest | undefined> {
  const shares = clusterShares(await store.pendingClusters(scope), options.limit, new Map(), options.admits);
  return shares.length === 0 ? undefined : { epoch: options.epoch, perKeyOrdering: options.perKeyOrdering, shares };
}
