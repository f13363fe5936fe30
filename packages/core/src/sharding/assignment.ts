/** Who runs an item, under which fencing epoch, and whether the owner must run it at once. */
export interface ItemAssignment {
  readonly instance: string;
  /** Generation at which the item got this owner (or was last failed over to it). */
  readonly epoch: number;
  /** The previous owner died or left while running this item: run it now, not at the next fire. */
  readonly failover: boolean;
}

/**
 * The whole sharding map of a job, written by the leader as ONE registry node so every reader sees
 * one consistent version. `items[i]` is item i.
 */
export interface Assignment {
  readonly generation: number;
  readonly shardingTotalCount: number;
  readonly items: readonly ItemAssignment[];
}

export function serializeAssignment(assignment: Assignment): string {
  return JSON.stringify(assignment);
}

export function parseAssignment(json: string): Assignment | undefined {
  if (json === '') return undefined;
  const parsed = JSON.parse(json) as Assignment;
  if (!Number.isInteger(parsed.generation) || !Array.isArray(parsed.items)) return undefined;
  return parsed;
}

/** The items `instance` owns, ascending. */
export function itemsOwnedBy(assignment: Assignment | undefined, instance: string): number[] {
  if (!assignment) return [];
  const items: number[] = [];
  assignment.items.forEach((owner, item) => {
    if (owner.instance === instance) items.push(item);
  });
  return items;
}

/** instance -> items, for events and operators. */
export function itemsByInstance(assignment: Assignment): Map<string, number[]> {
  const map = new Map<string, number[]>();
  assignment.items.forEach((owner, item) => {
    const items = map.get(owner.instance) ?? [];
    items.push(item);
    map.set(owner.instance, items);
  });
  return map;
}
