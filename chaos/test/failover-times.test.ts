import { describe, expect, it } from 'vitest';
import { failoverTimes } from '../failover-times.js';
import type { ItemRun } from '../overlaps.js';

const run = (process: string, item: number, start: number): ItemRun => ({ process, item, epoch: 1, start, end: start + 10, sends: [] });

describe('failoverTimes', () => {
  it('is the time until the last of the killed process items started elsewhere', () => {
    const failovers = failoverTimes(
      [{ process: 'a#1', at: 10_000 }],
      [{ process: 'a#1', at: 0, items: [0, 1, 2] }, { process: 'a#1', at: 5_000, items: [1, 2] }, { process: 'a#1', at: 11_000, items: [0] }],
      [run('a#1', 1, 9_000), run('b#1', 1, 9_500), run('b#1', 1, 13_000), run('c#1', 2, 13_500), run('b#1', 2, 15_000), run('a#2', 1, 12_000)],
    );
    expect(failovers).toEqual([{ kill: { process: 'a#1', at: 10_000 }, items: [1, 2], ms: 3_500 }]);
  });

  it('skips a kill of a process that owned nothing, and says undefined when an item never ran again', () => {
    const failovers = failoverTimes(
      [{ process: 'a#1', at: 1_000 }, { process: 'b#1', at: 2_000 }],
      [{ process: 'a#1', at: 0, items: [] }, { process: 'b#1', at: 0, items: [3, 4] }],
      [run('c#1', 3, 4_000)],
    );
    expect(failovers).toEqual([{ kill: { process: 'b#1', at: 2_000 }, items: [3, 4], ms: undefined }]);
  });
});
