export interface ShardingInput {
  readonly jobName: string;
  readonly shardingTotalCount: number;
  /** Live, enabled instance ids; the scheduler passes them sorted. */
  readonly instances: readonly string[];
  /** Current owner of each item, for strategies that keep items in place. */
  readonly previous: ReadonlyMap<number, string>;
}

/**
 * Decides which instance runs which item. Must give every item `0..shardingTotalCount-1` to
 * exactly one of `instances` (when there are any) and list every instance, possibly with no items.
 */
export interface ShardingStrategy {
  readonly name: string;
  assign(input: ShardingInput): Map<string, number[]>;
}
