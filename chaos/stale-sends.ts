/**
 * Sends of batches a run began after its process was frozen for longer than the session timeout.
 * Such a process has lost its session, and with it the item's run lock, whether or not anyone else
 * has run the item since: a batch it begins afterwards is new work without a lock. The batch under
 * way at the freeze is not counted, even for a send that leaves after the resume: that page was
 * fetched and handed to the sink before. An overlap needs another run to be there at the same
 * moment; a stale send is the same fault caught whether or not the timing made it collide.
 */
import type { Interval } from './intervals.js';
import type { ItemRun, RelayLife, Send } from './overlaps.js';

export interface StaleSends {
  readonly run: ItemRun;
  /** The freeze that cost the session. */
  readonly freeze: Interval;
  /** The sends of batches begun after it. */
  readonly sends: readonly Send[];
}

export function findStaleSends(runs: readonly ItemRun[], lives: readonly RelayLife[], sessionTimeoutMs: number): StaleSends[] {
  const lifeOf = new Map(lives.map((life) => [life.process, life]));
  const found: StaleSends[] = [];
  for (const run of runs) {
    const freeze = (lifeOf.get(run.process)?.pauses ?? [])
      .filter((pause) => pause.to - pause.from > sessionTimeoutMs && pause.from >= run.start && (run.end === undefined || pause.from < run.end))
      .sort((a, b) => a.from - b.from)[0];
    if (!freeze) continue;
    const sends = run.sends.filter((send) => send.batchAt >= freeze.to);
    if (sends.length > 0) found.push({ run, freeze, sends });
  }
  return found;
}
