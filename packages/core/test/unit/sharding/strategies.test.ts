import { describe, expect, it } from 'vitest';
import {
  averageAllocationStrategy, javaStringHash, odevitySortByNameStrategy, roundRobinByNameStrategy, stickyStrategy,
  type ShardingStrategy,
} from '../../../src/index.js';

const hosts = ['host0', 'host1', 'host2'];

function assign(strategy: ShardingStrategy, jobName: string, instances: string[], total: number, previous = new Map<number, string>()) {
  return Object.fromEntries(strategy.assign({ jobName, instances, shardingTotalCount: total, previous }));
}

// Expected values were printed by a JVM (String.hashCode on OpenJDK 17).
describe("Java's String.hashCode", () => {
  it.each([
    ['', 0],
    ['a', 97],
    ['1', 49],
    ['hello', 99162322],
    ['user-send-mq', -2030621177],
    ['polygenelubricants', -2147483648],
  ])('hash(%j) = %d', (value, expected) => {
    expect(javaStringHash(value)).toBe(expected);
  });
});

describe('ElasticJob-compatible strategies (expected maps from ElasticJob-Lite unit tests)', () => {
  it('AVG_ALLOCATION divides evenly', () => {
    expect(assign(averageAllocationStrategy, 'job', hosts, 9)).toEqual({ host0: [0, 1, 2], host1: [3, 4, 5], host2: [6, 7, 8] });
  });

  it('AVG_ALLOCATION hands the remainder to the first instances', () => {
    expect(assign(averageAllocationStrategy, 'job', hosts, 8)).toEqual({ host0: [0, 1, 6], host1: [2, 3, 7], host2: [4, 5] });
    expect(assign(averageAllocationStrategy, 'job', hosts, 10)).toEqual({ host0: [0, 1, 2, 9], host1: [3, 4, 5], host2: [6, 7, 8] });
  });

  it('AVG_ALLOCATION with more instances than items leaves the last ones empty', () => {
    expect(assign(averageAllocationStrategy, 'job', hosts, 2)).toEqual({ host0: [0], host1: [1], host2: [] });
  });

  it('ODEVITY keeps the order for an odd job-name hash and reverses it for an even one', () => {
    expect(assign(odevitySortByNameStrategy, '1', hosts, 2)).toEqual({ host0: [0], host1: [1], host2: [] });
    expect(assign(odevitySortByNameStrategy, '0', hosts, 2)).toEqual({ host2: [0], host1: [1], host0: [] });
  });

  it('ROUND_ROBIN rotates the instances by the job-name hash', () => {
    expect(assign(roundRobinByNameStrategy, '1', hosts, 2)).toEqual({ host1: [0], host2: [1], host0: [] });
    expect(assign(roundRobinByNameStrategy, '2', hosts, 2)).toEqual({ host2: [0], host0: [1], host1: [] });
    expect(assign(roundRobinByNameStrategy, '3', hosts, 2)).toEqual({ host0: [0], host1: [1], host2: [] });
  });

  it('ROUND_ROBIN survives the one job name whose Java hash is Integer.MIN_VALUE', () => {
    const result = assign(roundRobinByNameStrategy, 'polygenelubricants', hosts, 3);
    expect(Object.values(result).flat().sort()).toEqual([0, 1, 2]);
  });

  it.each([averageAllocationStrategy, odevitySortByNameStrategy, roundRobinByNameStrategy, stickyStrategy])('$name returns an empty map for no instances', (strategy) => {
    expect(strategy.assign({ jobName: 'job', instances: [], shardingTotalCount: 3, previous: new Map() }).size).toBe(0);
  });
});

/** A small deterministic generator, so the property test is repeatable. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    return state / 2 ** 32;
  };
}

describe('STICKY', () => {
  it('moves only the items of a departed instance', () => {
    const previous = new Map([[0, 'a'], [1, 'a'], [2, 'b'], [3, 'b'], [4, 'c'], [5, 'c']]);
    const result = assign(stickyStrategy, 'job', ['a', 'c'], 6, previous);
    expect(result['a']).toEqual(expect.arrayContaining([0, 1]));
    expect(result['c']).toEqual(expect.arrayContaining([4, 5]));
    expect([...(result['a'] as number[]), ...(result['c'] as number[])].sort()).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it('gives a newcomer its share by moving as few items as that needs', () => {
    const previous = new Map([[0, 'a'], [1, 'a'], [2, 'a'], [3, 'b'], [4, 'b'], [5, 'b']]);
    const result = assign(stickyStrategy, 'job', ['a', 'b', 'c'], 6, previous);
    expect(result['c']).toHaveLength(2);
    const moved = [...previous].filter(([item, owner]) => !(result[owner] as number[]).includes(item));
    expect(moved).toHaveLength(2);
  });

  it('property: every item once, balance within one, no item moves off a live instance unless needed for balance', () => {
    const next = random(42);
    for (let round = 0; round < 300; round++) {
      const total = 1 + Math.floor(next() * 40);
      const all = Array.from({ length: 1 + Math.floor(next() * 6) }, (_, i) => `i${i}`);
      const previous = new Map<number, string>();
      for (let item = 0; item < total; item++) previous.set(item, all[Math.floor(next() * all.length)] as string);
      const live = all.filter(() => next() > 0.3);
      if (live.length === 0) continue;
      const result = stickyStrategy.assign({ jobName: 'p', instances: live, shardingTotalCount: total, previous });
      const items = [...result.values()].flat().sort((a, b) => a - b);
      expect(items).toEqual(Array.from({ length: total }, (_, i) => i));
      const sizes = [...result.values()].map((list) => list.length);
      expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
      // An instance that lost an item to another must have been above the balanced ceiling.
      const ceiling = Math.ceil(total / live.length);
      for (const instance of live) {
        const kept = [...previous].filter(([, owner]) => owner === instance).map(([item]) => item);
        const lost = kept.filter((item) => !(result.get(instance) as number[]).includes(item));
        if (lost.length > 0) expect(kept.length).toBeGreaterThan(ceiling - 1);
      }
    }
  });
});
