import type { Assignment, ItemAssignment } from './assignment.js';
import type { ShardingStrategy } from './sharding-strategy.js';
import { InvalidShardingResultError } from '../errors/invalid-sharding-result-error.js';

export interface NextAssignmentInput {
  readonly jobName: string;
  readonly shardingTotalCount: number;
  /** Live, enabled instances. */
  readonly instances: readonly string[];
  readonly strategy: ShardingStrategy;
  readonly current: Assignment | undefined;
  /** Items whose holder died (or left) while running them; only honoured when failover is on. */
  readonly failoverItems: ReadonlySet<number>;
  readonly failoverEnabled: boolean;
}

/**
 * The leader's pure decision: the assignment the job should have now, or `undefined` when the
 * current one is still right (so an unchanged world writes nothing to the registry).
 * Items whose owner stays keep their epoch, which is what lets them run on undisturbed while
 * other items move. A change of `shardingTotalCount` is different: item k of N and item k of M
 * stand for different shares of the data, so every item gets a new epoch. Stores that fence by
 * epoch rely on this: a row's share is then always written under epochs no newer than its
 * current item's.
 */
export function nextAssignment(input: NextAssignmentInput): Assignment | undefined {
  if (input.instances.length === 0) return undefined;
  const { current, shardingTotalCount } = input;
  const generation = (current?.generation ?? 0) + 1;
  const previous = new Map<number, string>();
  current?.items.forEach((owner, item) => {
    if (item < shardingTotalCount) previous.set(item, owner.instance);
  });
  const instances = [...input.instances].sort();
  const owners = input.strategy.assign({ jobName: input.jobName, shardingTotalCount, instances, previous });
  const ownerOf = new Map<number, string>();
  for (const [instance, items] of owners) for (const item of items) ownerOf.set(item, instance);

  const recounted = current !== undefined && current.shardingTotalCount !== shardingTotalCount;
  let changed = current === undefined || recounted;
  const items: ItemAssignment[] = [];
  for (let item = 0; item < shardingTotalCount; item++) {
    const instance = ownerOf.get(item);
    if (instance === undefined) throw new InvalidShardingResultError(input.strategy.name, item);
    const before = current?.items[item];
    const failover = input.failoverEnabled && input.failoverItems.has(item);
    if (before && before.instance === instance && !failover && !recounted) {
      items.push({ instance, epoch: before.epoch, failover: false });
    } else {
      changed = true;
      items.push({ instance, epoch: generation, failover });
    }
  }
  return changed ? { generation, shardingTotalCount, items } : undefined;
}
