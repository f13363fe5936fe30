/**
 * Helpers for testing and benchmarking a job without a scheduler: `@shardflow/core/testing`.
 * A context behaves like the one the scheduler gives an item (its `assertOwner` throws the real
 * ItemFencedError), and the drain loop runs fetch/process batches the way one streaming trigger does.
 */
import type { DataflowJob } from '../job/job.js';
import type { ShardingContext, TriggerSource } from '../job/sharding-context.js';
import { createItemContext } from '../execution/item-context.js';

export interface TestContextOptions {
  readonly item?: number;
  readonly total?: number;
  readonly epoch?: number;
  readonly jobName?: string;
  readonly instanceId?: string;
  readonly jobParameter?: string;
  readonly shardingParameter?: string;
  readonly trigger?: TriggerSource;
  readonly signal?: AbortSignal;
  /** Whether the item is still ours; default always. */
  readonly isOwner?: () => boolean;
}

/** A context for item `item` of `total` (default 0 of 1, epoch 1), owned until `isOwner` says otherwise. */
export function testContext(options: TestContextOptions = {}): ShardingContext {
  const item = options.item ?? 0;
  const jobName = options.jobName ?? 'test-job';
  const instanceId = options.instanceId ?? 'test-instance';
  const isOwner = options.isOwner ?? (() => true);
  return createItemContext({
    jobName,
    taskId: `${jobName}@${item}@${instanceId}@test`,
    shardingTotalCount: options.total ?? 1,
    shardingItem: item,
    shardingParameter: options.shardingParameter,
    jobParameter: options.jobParameter ?? '',
    instanceId,
    epoch: options.epoch ?? 1,
    trigger: options.trigger ?? 'manual',
    signal: options.signal ?? new AbortController().signal,
    fencedBecause: () => (isOwner() ? undefined : 'the test took the item away'),
  });
}

export interface DrainResult {
  readonly batches: number;
  readonly rows: number;
}

/** Fetches and processes batches of one item until a fetch comes back empty (or `maxBatches`). */
export async function drainItem<T>(job: DataflowJob<T>, ctx: ShardingContext, maxBatches = Number.POSITIVE_INFINITY): Promise<DrainResult> {
  let batches = 0;
  let rows = 0;
  while (batches < maxBatches) {
    const data = await job.fetchData(ctx);
    if (data.length === 0) break;
    await job.processData(ctx, data);
    batches += 1;
    rows += data.length;
  }
  return { batches, rows };
}

export interface DrainItemsOptions extends Omit<TestContextOptions, 'item' | 'total'> {
  /** Per item; default until drained. */
  readonly maxBatches?: number;
  /** Drain the items side by side, as instances would; default one after another. */
  readonly concurrently?: boolean;
}

/** Drains every item of `total`, like one streaming trigger per item; returns the sums. */
export async function drainItems<T>(job: DataflowJob<T>, total: number, options: DrainItemsOptions = {}): Promise<DrainResult> {
  const { maxBatches, concurrently, ...context } = options;
  const drainOne = (item: number): Promise<DrainResult> => drainItem(job, testContext({ ...context, item, total }), maxBatches);
  const results: DrainResult[] = [];
  if (concurrently) results.push(...(await Promise.all(Array.from({ length: total }, (_, item) => drainOne(item)))));
  else for (let item = 0; item < total; item++) results.push(await drainOne(item));
  return results.reduce((sum, result) => ({ batches: sum.batches + result.batches, rows: sum.rows + result.rows }), { batches: 0, rows: 0 });
}
