/**
 * Failover time: from a SIGKILL to the moment every item the killed process owned has started a
 * run on another process. Computed from the kills the orchestrator made, the item sets each
 * process logged, and the item runs.
 */
import type { ItemRun } from './overlaps.js';

export interface Kill {
  readonly process: string;
  readonly at: number;
}

/** The items a process owned from `at` on (its run log's `items` lines). */
export interface ItemsAssigned {
  readonly process: string;
  readonly at: number;
  readonly items: readonly number[];
}

export interface Failover {
  readonly kill: Kill;
  readonly items: readonly number[];
  /** Until the last of them ran elsewhere; undefined if one never did. */
  readonly ms: number | undefined;
}

/** One entry per kill of a process that owned items when it died. */
export function failoverTimes(kills: readonly Kill[], assigned: readonly ItemsAssigned[], runs: readonly ItemRun[]): Failover[] {
  const failovers: Failover[] = [];
  for (const kill of kills) {
    const owned = assigned
      .filter((entry) => entry.process === kill.process && entry.at <= kill.at)
      .reduce<ItemsAssigned | undefined>((latest, entry) => (latest && latest.at > entry.at ? latest : entry), undefined);
    const items = owned?.items ?? [];
    if (items.length === 0) continue;
    const waits = items.map((item) => {
      const starts = runs.filter((run) => run.item === item && run.process !== kill.process && run.start >= kill.at).map((run) => run.start);
      return starts.length > 0 ? Math.min(...starts) - kill.at : undefined;
    });
    const ms = waits.some((wait) => wait === undefined) ? undefined : Math.max(...(waits as number[]));
    failovers.push({ kill, items, ms });
  }
  return failovers;
}
