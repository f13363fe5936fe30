import { describe, expect, it } from 'vitest';
import { activeTimes, findOverlaps, type ItemRun, type RelayLife, type Send } from '../overlaps.js';

const life = (process: string, extra: Partial<RelayLife> = {}): RelayLife => ({ process, instance: process.split('#')[0] as string, endedAt: undefined, pauses: [], ...extra });
const run = (process: string, start: number, end: number | undefined, extra: Partial<ItemRun> = {}): ItemRun => ({ process, item: 3, epoch: 1, start, end, sends: [], ...extra });
const NOW = 1_000_000;
/** A send, by default the first of a batch begun in the same millisecond. */
const send = (at: number, batchAt = at): Send => ({ at, batchAt });

describe('findOverlaps', () => {
  it('finds none between runs one after the other, even when one ends in the millisecond the next starts', () => {
    const lives = [life('a#1'), life('b#1')];
    expect(findOverlaps([run('a#1', 0, 100), run('b#1', 100, 200), run('a#1', 300, 400)], lives, NOW)).toEqual([]);
  });

  it('reports two live processes running one item at once, with when and for how long', () => {
    const first = run('a#1', 0, 100, { epoch: 6 });
    const second = run('b#1', 50, 150, { epoch: 7 });
    const overlaps = findOverlaps([second, first], [life('a#1'), life('b#1')], NOW);
    expect(overlaps).toEqual([{ item: 3, first, second, during: [{ from: 50, to: 100 }], ms: 50 }]);
  });

  it('ignores runs of different items and runs of one process', () => {
    const lives = [life('a#1'), life('b#1')];
    expect(findOverlaps([run('a#1', 0, 100), run('b#1', 50, 150, { item: 4 }), run('a#1', 60, 90)], lives, NOW)).toEqual([]);
  });

  it('cuts out the time a process was frozen: a run frozen before the new owner started, ending after resume without a new send, is no overlap', () => {
    const frozen = life('a#1', { pauses: [{ from: 10, to: 1_010 }] });
    const stale = run('a#1', 0, 1_030, { sends: [send(5)] });
    const newOwner = run('b#1', 500, 2_000, { epoch: 2 });
    expect(findOverlaps([stale, newOwner], [frozen, life('b#1')], NOW)).toEqual([]);
  });

  it('reports a resumed process that starts a new send for an item someone else now runs, from that send on', () => {
    const frozen = life('a#1', { pauses: [{ from: 10, to: 1_010 }] });
    const stale = run('a#1', 0, 1_100, { sends: [send(5), send(1_020)] });
    const newOwner = run('b#1', 500, 2_000, { epoch: 2 });
    const [overlap, ...rest] = findOverlaps([stale, newOwner], [frozen, life('b#1')], NOW);
    expect(rest).toEqual([]);
    expect(overlap?.during).toEqual([{ from: 1_020, to: 1_100 }]);
    expect(overlap?.ms).toBe(80);
  });

  it('does not count the rest of the batch under way at the freeze as new work, even a send that leaves after the resume', () => {
    const frozen = life('a#1', { pauses: [{ from: 10, to: 1_010 }] });
    const stale = run('a#1', 0, 1_100, { sends: [send(5), send(1_011, 5)] });
    expect(findOverlaps([stale, run('b#1', 500, 2_000)], [frozen, life('b#1')], NOW)).toEqual([]);
  });

  it('counts a send made in the very millisecond of the resume as new work', () => {
    const frozen = life('a#1', { pauses: [{ from: 10, to: 1_010 }] });
    const overlaps = findOverlaps([run('a#1', 0, 1_050, { sends: [send(1_010)] }), run('b#1', 500, 2_000)], [frozen, life('b#1')], NOW);
    expect(overlaps.map((overlap) => overlap.ms)).toEqual([40]);
  });

  it('still reports an overlap that happened before the freeze', () => {
    const frozen = life('a#1', { pauses: [{ from: 100, to: 1_000 }] });
    const overlaps = findOverlaps([run('a#1', 0, 1_010), run('b#1', 40, 2_000)], [frozen, life('b#1')], NOW);
    expect(overlaps.map((overlap) => overlap.during)).toEqual([[{ from: 40, to: 100 }]]);
  });

  it('ends a run that has no end line at its process death, not later', () => {
    const killed = life('a#1', { endedAt: 100 });
    expect(findOverlaps([run('a#1', 0, undefined), run('b#1', 100, 300)], [killed, life('b#1')], NOW)).toEqual([]);
    expect(findOverlaps([run('a#1', 0, undefined), run('b#1', 60, 300)], [killed, life('b#1')], NOW).map((o) => o.ms)).toEqual([40]);
  });

  it('ends a run still open on a live process at the time of the analysis', () => {
    expect(findOverlaps([run('a#1', 0, undefined), run('b#1', 900, 2_000)], [life('a#1'), life('b#1')], 1_000).map((o) => o.ms)).toEqual([100]);
  });

  it('treats two processes of one instance id (before and after a restart) as two processes', () => {
    const old = life('relay-1#1', { endedAt: 500 });
    expect(findOverlaps([run('relay-1#1', 0, undefined), run('relay-1#2', 400, 800)], [old, life('relay-1#2')], NOW).map((o) => o.ms)).toEqual([100]);
  });

  it('in the released-lock scenario blames the two live owners, not the resumed stale run', () => {
    // r2 froze holding epoch 5; r3 took the item (epoch 6); r2 resumed and ended quietly; r1 started epoch 7 while r3 was mid-batch.
    const r2 = run('r2#1', 0, 9_050, { epoch: 5, sends: [send(100)] });
    const r3 = run('r3#1', 5_000, 9_200, { epoch: 6, sends: [send(5_010), send(9_000)] });
    const r1 = run('r1#1', 9_100, 12_000, { epoch: 7, sends: [send(9_110)] });
    const lives = [life('r2#1', { pauses: [{ from: 200, to: 9_000 }] }), life('r3#1'), life('r1#1')];
    const overlaps = findOverlaps([r1, r2, r3], lives, NOW);
    expect(overlaps.map((o) => [o.first.process, o.second.process, o.ms])).toEqual([['r3#1', 'r1#1', 100]]);
  });

  it('cuts a second freeze out of the active time after new work', () => {
    const twice = life('a#1', { pauses: [{ from: 10, to: 100 }, { from: 200, to: 300 }] });
    expect(activeTimes(run('a#1', 0, 400, { sends: [send(150)] }), twice, NOW)).toEqual([{ from: 0, to: 10 }, { from: 150, to: 200 }, { from: 300, to: 400 }]);
  });

  it('refuses a run of a process it has no life for', () => {
    expect(() => findOverlaps([run('ghost#1', 0, 10)], [], NOW)).toThrow(/ghost#1/);
  });
});
