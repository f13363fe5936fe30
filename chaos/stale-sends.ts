/**
 * Sends a run started after its process was frozen for longer than the session timeout. Such a
 * process has lost its session, and with it the item's run lock, whether or not anyone else has
 * run the item since: every send it starts afterwards for that run is new work without a lock (the
 * send that was already on the wire at the freeze is not counted; it started before). An overlap
 * needs another run to be there at the same moment; a stale send is the same fault caught whether
 * or not the timing made it collide.
 */
import type { Interval } from './intervals.js';
import type { ItemRun, RelayLife } from './overlaps.js';

export interface StaleSends {
  readonly run: ItemRun;
  /** The freeze that cost the session. */
  readonly freeze: Interval;
  /** Start times of the sends made after it. */
  readonly sends: readonly number[];
}

export function findStaleSends(runs: readonly ItemRun[], lives: readonly RelayLife[], sessionTimeoutMs: number): StaleSends[] {
  const lifeOf = new Map(lives.map((life) => [life.process, life]));
  const found: StaleSends[] = [];
  for (const run of runs) {
    const freeze = (lifeOf.get(run.process)?.pauses ?? [])
      .filter((pause) => pause.to - pause.from > sessionTimeoutMs && pause.from >= run.start && (run.end === undefined || pause.from < run.end))
      .sort((a, b) => a.from - b.from)[0];
    if (!freeze) continue;
    const sends = run.sends.filter((at) => at >= freeze.to);
    if (sends.length > 0) found.push({ run, freeze, sends });
  }
  return found;
}
