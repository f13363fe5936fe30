import type { ShardingContext, TriggerSource } from '../job/sharding-context.js';
import { ItemFencedError } from '../errors/item-fenced-error.js';

export interface ItemContextInit {
  readonly jobName: string;
  readonly taskId: string;
  readonly shardingTotalCount: number;
  readonly shardingItem: number;
  readonly shardingParameter: string | undefined;
  readonly jobParameter: string;
  readonly instanceId: string;
  readonly epoch: number;
  readonly trigger: TriggerSource;
  readonly signal: AbortSignal;
  /** Why the item is not ours any more, or undefined while it is. */
  readonly fencedBecause: () => string | undefined;
}

export function createItemContext(init: ItemContextInit): ShardingContext {
  const { fencedBecause, ...fields } = init;
  return {
    ...fields,
    isOwner: () => fencedBecause() === undefined,
    assertOwner: () => {
      const reason = fencedBecause();
      if (reason !== undefined) throw new ItemFencedError(init.jobName, init.shardingItem, init.epoch, reason);
    },
  };
}
