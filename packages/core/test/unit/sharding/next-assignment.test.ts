import { describe, expect, it } from 'vitest';
import { nextAssignment, type NextAssignmentInput } from '../../../src/sharding/next-assignment.js';
import type { Assignment } from '../../../src/sharding/assignment.js';
import type { ShardingStrategy } from '../../../src/sharding/sharding-strategy.js';
import { InvalidShardingResultError } from '../../../src/errors/invalid-sharding-result-error.js';

/** Item i goes to instance i % n of the sorted list: simple enough to predict by hand. */
const moduloStrategy: ShardingStrategy = {
  name: 'MODULO',
  assign: ({ shardingTotalCount, instances }) => {
    const map = new Map<string, number[]>(instances.map((instance) => [instance, []]));
    for (let item = 0; item < shardingTotalCount; item++) map.get(instances[item % instances.length] as string)?.push(item);
    return map;
  },
};

function input(overrides: Partial<NextAssignmentInput>): NextAssignmentInput {
  return {
    jobName: 'job',
    shardingTotalCount: 4,
    instances: ['a', 'b'],
    strategy: moduloStrategy,
    current: undefined,
    failoverItems: new Set(),
    failoverEnabled: true,
    ...overrides,
  };
}

describe('nextAssignment', () => {
  it('creates the first assignment with every item at generation 1', () => {
    const next = nextAssignment(input({}));
    expect(next).toEqual({
      generation: 1,
      shardingTotalCount: 4,
      items: [
        { instance: 'a', epoch: 1, failover: false },
        { instance: 'b', epoch: 1, failover: false },
        { instance: 'a', epoch: 1, failover: false },
        { instance: 'b', epoch: 1, failover: false },
      ],
    });
  });

  it('writes nothing when the world did not change', () => {
    const current = nextAssignment(input({})) as Assignment;
    expect(nextAssignment(input({ current }))).toBeUndefined();
  });

  it('writes nothing when no instance is left to run items', () => {
    const current = nextAssignment(input({})) as Assignment;
    expect(nextAssignment(input({ current, instances: [] }))).toBeUndefined();
  });

  it('keeps the epoch of items that stay and raises it only for items that move', () => {
    const current = nextAssignment(input({ instances: ['a', 'b', 'c'] })) as Assignment;
    const next = nextAssignment(input({ current, instances: ['a', 'c'] })) as Assignment;
    expect(next.generation).toBe(2);
    // modulo over [a, c]: 0->a (stays), 1->c (was b), 2->a (was c), 3->c (was a)
    expect(next.items.map((item) => [item.instance, item.epoch])).toEqual([['a', 1], ['c', 2], ['a', 2], ['c', 2]]);
  });

  it('flags failed-over items and gives them a new epoch even when their new owner was already set', () => {
    const current = nextAssignment(input({})) as Assignment;
    const next = nextAssignment(input({ current, failoverItems: new Set([1]) })) as Assignment;
    expect(next.items[1]).toEqual({ instance: 'b', epoch: 2, failover: true });
    expect(next.items[0]).toEqual({ instance: 'a', epoch: 1, failover: false });
  });

  it('ignores failover candidates when failover is off', () => {
    const current = nextAssignment(input({})) as Assignment;
    expect(nextAssignment(input({ current, failoverItems: new Set([1]), failoverEnabled: false }))).toBeUndefined();
  });

  it('reshards on a count change and drops items beyond the new count', () => {
    const current = nextAssignment(input({})) as Assignment;
    const next = nextAssignment(input({ current, shardingTotalCount: 2 })) as Assignment;
    expect(next.shardingTotalCount).toBe(2);
    expect(next.items).toHaveLength(2);
  });

  it('gives every item a new epoch on a count change, owners kept or not: each item now stands for another share', () => {
    const current = nextAssignment(input({})) as Assignment;
    const next = nextAssignment(input({ current, shardingTotalCount: 6 })) as Assignment;
    expect(next.items.slice(0, 4).map((item) => item.instance)).toEqual(current.items.map((item) => item.instance));
    expect(next.items.map((item) => item.epoch)).toEqual([2, 2, 2, 2, 2, 2]);
  });

  it('sorts instances so every leader computes the same map', () => {
    expect(nextAssignment(input({ instances: ['b', 'a'] }))).toEqual(nextAssignment(input({ instances: ['a', 'b'] })));
  });

  it('rejects a strategy that leaves an item without owner', () => {
    const broken: ShardingStrategy = { name: 'BROKEN', assign: () => new Map([['a', [0]]]) };
    expect(() => nextAssignment(input({ strategy: broken }))).toThrow(InvalidShardingResultError);
  });
});
