/** A span of wall-clock time in ms since the epoch, `from` inclusive, `to` exclusive. */
export interface Interval {
  readonly from: number;
  readonly to: number;
}

/** Total length of a set of disjoint intervals. */
export function totalLength(intervals: readonly Interval[]): number {
  return intervals.reduce((sum, interval) => sum + (interval.to - interval.from), 0);
}

/** What is left of `intervals` once every span of `holes` is cut out; empty pieces are dropped. */
export function subtract(intervals: readonly Interval[], holes: readonly Interval[]): Interval[] {
  let pieces = intervals.filter((interval) => interval.to > interval.from);
  for (const hole of holes) {
    pieces = pieces.flatMap((piece) => {
      if (hole.to <= piece.from || hole.from >= piece.to) return [piece];
      const left = { from: piece.from, to: Math.min(piece.to, hole.from) };
      const right = { from: Math.max(piece.from, hole.to), to: piece.to };
      return [left, right].filter((part) => part.to > part.from);
    });
  }
  return pieces;
}

/** The time covered by both sets (each a set of disjoint intervals), in order. */
export function intersect(a: readonly Interval[], b: readonly Interval[]): Interval[] {
  const common: Interval[] = [];
  for (const x of a) {
    for (const y of b) {
      const from = Math.max(x.from, y.from);
      const to = Math.min(x.to, y.to);
      if (to > from) common.push({ from, to });
    }
  }
  return common.sort((p, q) => p.from - q.from);
}
