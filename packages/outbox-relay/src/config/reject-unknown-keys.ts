import { InvalidOutboxConfigError } from '../errors/invalid-outbox-config-error.js';

/**
 * The keys an options object may hold, each mapped to what its value is: `true` for a value the
 * code using it checks, a nested shape for an options object, `eachValue(shape)` for a map from
 * names the user chooses (the clusters) to options objects of one shape.
 */
export interface KeyShape {
  readonly [key: string]: true | KeyShape | EachValue;
}

/**
 * A KeyShape listing every key of `T` (of every member, for a union) and no other: the compiler
 * checks both with `satisfies`.
 */
export type KeyShapeOf<T> = { readonly [K in T extends unknown ? keyof T : never]-?: true | KeyShape | EachValue };

class EachValue {
  constructor(readonly shape: KeyShape) {}
}

/** A map whose keys are the user's names and whose values all have `shape`. */
export function eachValue(shape: KeyShape): EachValue {
  return new EachValue(shape);
}

/**
 * Throws InvalidOutboxConfigError for the first key of `value`, at any depth, that `shape` does not
 * list, naming its full path (`relay.pageSiz`) and the closest known key: a misspelt option would
 * otherwise leave a feature silently at its default. Only plain objects are walked; whether a
 * value has the right type is checked where it is used.
 */
export function rejectUnknownKeys(value: unknown, shape: KeyShape, path = ''): void {
  if (!isPlainObject(value)) return;
  for (const [key, child] of Object.entries(value)) {
    const field = path === '' ? key : `${path}.${key}`;
    const expected = Object.hasOwn(shape, key) ? shape[key] : undefined;
    if (expected === undefined) throw new InvalidOutboxConfigError(field, child, unknownKeyReason(key, Object.keys(shape), path));
    if (expected instanceof EachValue) {
      if (isPlainObject(child)) for (const [name, entry] of Object.entries(child)) rejectUnknownKeys(entry, expected.shape, `${field}.${name}`);
    } else if (expected !== true) {
      rejectUnknownKeys(child, expected, field);
    }
  }
}

function unknownKeyReason(key: string, known: readonly string[], path: string): string {
  const prefix = path === '' ? '' : `${path}.`;
  const closest = closestName(key, known);
  return closest === undefined
    ? `is not an outbox option; known here: ${known.map((name) => prefix + name).join(', ')}`
    : `is not an outbox option; did you mean ${prefix}${closest}?`;
}

/** The known name nearest to `name` when it is near enough to be a typo of it (case ignored). */
function closestName(name: string, known: readonly string[]): string | undefined {
  const tolerance = Math.max(2, Math.floor(name.length / 3));
  let best: { name: string; distance: number } | undefined;
  for (const candidate of known) {
    const distance = editDistance(name.toLowerCase(), candidate.toLowerCase());
    if (distance <= tolerance && (best === undefined || distance < best.distance)) best = { name: candidate, distance };
  }
  return best?.name;
}

/** Insertions, deletions, substitutions and swaps of neighbours needed to turn `a` into `b`. */
function editDistance(a: string, b: string): number {
  const rows = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  const at = (i: number, j: number): number => rows[i]?.[j] as number;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const substitution = a[i - 1] === b[j - 1] ? 0 : 1;
      let distance = Math.min(at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + substitution);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) distance = Math.min(distance, at(i - 2, j - 2) + 1);
      (rows[i] as number[])[j] = distance;
    }
  }
  return at(a.length, b.length);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const prototype = Object.getPrototypeOf(value) as unknown;
  return prototype === Object.prototype || prototype === null;
}
