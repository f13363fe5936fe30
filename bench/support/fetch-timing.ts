import { createOutbox, fetchPage, firstDueRequest, type DueRequest, type FetchOptions, type OutboxPool, type Partitioning, type TableScope } from '@shardflow/outbox-relay';

/** A relay page of item 0 of 4: 500 rows, every cluster admitted. */
const FETCH: FetchOptions = { limit: 500, epoch: 1, admits: (_cluster, share) => share, perKeyOrdering: false };
const FETCHES = 30;

export interface FetchMode {
  readonly mode: 'virtual-partition' | 'id-mod';
  /** The mode's partitioning, for a store of the caller's dialect to explain the read with. */
  readonly partitioning: Partitioning;
  /** Item 0's first scope and the first read its fetch makes there (undefined when nothing is due): what a plan is explained for. */
  readonly scope: TableScope;
  readonly request: DueRequest | undefined;
  /** How long each of 30 fetches of a page took, ms, through the relay's own store and page planner. */
  readonly times: readonly number[];
}

/**
 * Times the relay's fetch of item 0 of 4 on `pool` in each partitioning mode, through the relay's
 * own store and partitioning: what is timed and explained is the query the relay runs.
 */
export async function timeFetches(pool: OutboxPool): Promise<FetchMode[]> {
  const modes: FetchMode[] = [];
  for (const mode of ['virtual-partition', 'id-mod'] as const) {
    const { store, partitioning } = createOutbox({ databases: [pool], partitioning: { mode }, sink: { send: async () => [], close: async () => undefined } });
    const scopes = partitioning.scopes({ item: 0, total: 4, jobParameter: '', shardingParameter: undefined });
    const scope = scopes[0] as TableScope;
    const request = await firstDueRequest(store, scope, FETCH);
    const times: number[] = [];
    for (let i = 0; i < FETCHES; i++) {
      const started = process.hrtime.bigint();
      await fetchPage(store, scopes, FETCH);
      times.push(Number(process.hrtime.bigint() - started) / 1e6);
    }
    modes.push({ mode, partitioning, scope, request, times });
  }
  return modes;
}
