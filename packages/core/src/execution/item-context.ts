import type { ShardingContext } from '../job/sharding-context.js';
import { ItemFencedError } from '../errors/item-fenced-error.js';

export type ItemContextInit = Omit<ShardingContext, 'isOwner' | 'assertOwner'> & {
  /** Why the item is not ours any more, or undefined while it is. */
  readonly fencedBecause: () => string | undefined;
};

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
