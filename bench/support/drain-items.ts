import type { DataflowJob, ShardingContext } from '@shardflow/core';

/** A context as the scheduler would give item `item` of `total`, owned for good: for driving a job in-process. */
export function benchContext(item: number, total: number): ShardingContext {
  return {
    jobName: 'bench', taskId: `bench@${item}`, shardingTotalCount: total, shardingItem: item, shardingParameter: undefined, jobParameter: '',
    instanceId: 'bench', epoch: 1, trigger: 'manual', signal: new AbortController().signal, isOwner: () => true, assertOwner: () => undefined,
  };
}

/** Runs every item's fetch/process loop concurrently until each fetch comes back empty; returns the rows processed. */
export async function drainItems<T>(job: DataflowJob<T>, total: number): Promise<number> {
  let processed = 0;
  await Promise.all(Array.from({ length: total }, async (_, item) => {
    const ctx = benchContext(item, total);
    for (let rows = await job.fetchData(ctx); rows.length > 0; rows = await job.fetchData(ctx)) {
      await job.processData(ctx, rows);
      processed += rows.length;
    }
  }));
  return processed;
}
