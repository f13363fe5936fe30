/**
 * Did one item ever run on two relay processes at the same time? Computed from the run logs the
 * relays write (run start and end, and the start of every send) and from what the orchestrator did
 * to each process (when it started, froze, resumed and died).
 *
 * When a run is active:
 * - from its start to its end; a run with no end line was cut short by the process's death, which
 *   the orchestrator knows; a run still open when the analysis is made ends `now`;
 * - never while its process is frozen (SIGSTOP): a stopped process executes nothing, so the time
 *   between SIGSTOP and SIGCONT is cut out;
 * - after a freeze, only from the first send of a batch begun after the resume. A process frozen
 *   past its session timeout has lost its items; when it resumes, the step it was frozen in (a
 *   query, or the batch whose sends were already under way) completes, and the run notices it lost
 *   the item and ends. That tail is the one window the design cannot close (docs/reliability.md)
 *   and is not an overlap. A batch begun after the resume that sends is new work for an item that
 *   may belong to someone else: from its first send on, the run is active again.
 *
 * An overlap is two runs of one item on two different processes whose active times intersect.
 * Runs of one process never overlap each other (the executor keeps one run per item).
 */
import { intersect, subtract, totalLength, type Interval } from './intervals.js';

/** One OS process of a relay. An instance id has a new process each time it is restarted. */
export interface RelayLife {
  /** Unique per process, e.g. `relay-2#3`. */
  readonly process: string;
  readonly instance: string;
  /** When it died or exited; undefined while it lives. */
  readonly endedAt: number | undefined;
  /** Each SIGSTOP .. SIGCONT, as the orchestrator timed them. */
  readonly pauses: readonly Interval[];
}

/** A send to Kafka, and when the batch (processData call) it belongs to began. */
export interface Send {
  readonly at: number;
  readonly batchAt: number;
}

/** One run of an item on one process, from the process's run log. */
export interface ItemRun {
  readonly process: string;
  readonly item: number;
  readonly epoch: number;
  readonly start: number;
  /** From the end line; undefined when the process died during the run. */
  readonly end: number | undefined;
  /** The sends this run made, in order. */
  readonly sends: readonly Send[];
}

export interface Overlap {
  readonly item: number;
  readonly first: ItemRun;
  readonly second: ItemRun;
  /** When both were active. */
  readonly during: readonly Interval[];
  readonly ms: number;
}

/** The times a run was really running the item (see the module comment). */
export function activeTimes(run: ItemRun, life: RelayLife, now: number): Interval[] {
  const end = run.end ?? life.endedAt ?? now;
  const frozen = life.pauses.filter((pause) => pause.from < end && pause.to > run.start).sort((a, b) => a.from - b.from);
  const firstFreeze = frozen[0];
  if (!firstFreeze) return subtract([{ from: run.start, to: end }], life.pauses);
  const spans: Interval[] = [{ from: run.start, to: firstFreeze.from }];
  const newWork = run.sends.filter((send) => send.batchAt >= firstFreeze.to).map((send) => send.at);
  if (newWork.length > 0) spans.push({ from: Math.min(...newWork), to: end });
  return subtract(spans, life.pauses);
}

/** Every pair of runs of one item on two processes that were active at the same time, earliest first. */
export function findOverlaps(runs: readonly ItemRun[], lives: readonly RelayLife[], now: number): Overlap[] {
  const lifeOf = new Map(lives.map((life) => [life.process, life]));
  const byItem = new Map<number, Array<{ run: ItemRun; times: Interval[] }>>();
  for (const run of runs) {
    const life = lifeOf.get(run.process);
    if (!life) throw new Error(`run of item ${run.item} on unknown process ${run.process}`);
    byItem.set(run.item, [...(byItem.get(run.item) ?? []), { run, times: activeTimes(run, life, now) }]);
  }
  const overlaps: Overlap[] = [];
  for (const [item, list] of byItem) {
    list.sort((a, b) => a.run.start - b.run.start);
    list.forEach((a, i) => {
      // Sorted by start, and a run is active only after its start: later runs cannot meet `a` once one starts after it ended.
      const lastActive = a.times.at(-1)?.to ?? a.run.start;
      for (let j = i + 1; j < list.length && (list[j] as (typeof list)[number]).run.start < lastActive; j++) {
        const b = list[j] as (typeof list)[number];
        if (a.run.process === b.run.process) continue;
        const during = intersect(a.times, b.times);
        if (during.length > 0) overlaps.push({ item, first: a.run, second: b.run, during, ms: totalLength(during) });
      }
    });
  }
  return overlaps.sort((x, y) => (x.during[0]?.from ?? 0) - (y.during[0]?.from ?? 0));
}
