import { describe, expect, it } from 'vitest';
import type { ItemRun, RelayLife, Send } from '../overlaps.js';
import { findStaleSends } from '../stale-sends.js';

const life = (process: string, pauses: RelayLife['pauses']): RelayLife => ({ process, instance: process, endedAt: undefined, pauses });
const send = (at: number, batchAt = at): Send => ({ at, batchAt });
const run = (start: number, end: number | undefined, sends: Send[]): ItemRun => ({ process: 'a', item: 1, epoch: 4, start, end, sends });

describe('findStaleSends', () => {
  it('finds the sends a run started after a freeze longer than the session timeout, alone on the item or not', () => {
    const stale = run(0, 9_500, [send(5), send(9_000), send(9_200)]);
    expect(findStaleSends([stale], [life('a', [{ from: 10, to: 9_000 }])], 4_000)).toEqual([{ run: stale, freeze: { from: 10, to: 9_000 }, sends: [send(9_000), send(9_200)] }]);
  });

  it('ignores the batch under way at the freeze (all its sends), a freeze shorter than the session timeout, and runs that started after the freeze', () => {
    const lives = [life('a', [{ from: 10, to: 9_000 }, { from: 20_000, to: 23_000 }])];
    expect(findStaleSends([run(0, 9_100, [send(5), send(9_001, 5)])], lives, 4_000)).toEqual([]);
    expect(findStaleSends([run(0, 9_100, [send(5)]), run(9_050, 9_500, [send(9_060)]), run(19_000, 24_000, [send(23_500)])], lives, 4_000)).toEqual([]);
  });

  it('counts a run the process died in after the freeze', () => {
    expect(findStaleSends([run(0, undefined, [send(9_010)])], [life('a', [{ from: 10, to: 9_000 }])], 4_000).map((found) => found.sends)).toEqual([[send(9_010)]]);
  });
});
