/**
 * Which rows of a table belong to an item, as data rather than SQL: each database's store writes
 * it in its own dialect (and the in-memory store evaluates it), so a partitioning never knows
 * which database it runs on.
 * - `all`: every row of the table (physical tables, where the table itself is the item's share);
 * - `partition-range`: rows whose stored partition number is within [low, high] (virtual partitions);
 * - `id-mod`: rows whose id leaves `remainder` when divided by `modulus` (the seed's `id % N`).
 */
export type RowPredicate =
  | { readonly kind: 'all' }
  | { readonly kind: 'partition-range'; readonly low: number; readonly high: number }
  | { readonly kind: 'id-mod'; readonly modulus: number; readonly remainder: number };

export const ALL_ROWS: RowPredicate = { kind: 'all' };

/** Whether a row with this id and partition number is one the predicate selects. */
export function matchesRow(predicate: RowPredicate, row: { readonly id: number; readonly partition: number }): boolean {
  switch (predicate.kind) {
    case 'all': return true;
    case 'partition-range': return row.partition >= predicate.low && row.partition <= predicate.high;
    case 'id-mod': return row.id % predicate.modulus === predicate.remainder;
  }
}

/**
 * The predicate as SQL both MySQL and PostgreSQL read the same way, over the given quoted columns;
 * `bind` adds a parameter and returns its placeholder in the caller's dialect.
 */
export function rowPredicateSql(predicate: RowPredicate, columns: { readonly id: string; readonly partition: string }, bind: (value: unknown) => string): string {
  switch (predicate.kind) {
    case 'all': return 'TRUE';
    case 'partition-range': return `${columns.partition} BETWEEN ${bind(predicate.low)} AND ${bind(predicate.high)}`;
    case 'id-mod': return `MOD(${columns.id}, ${bind(predicate.modulus)}) = ${bind(predicate.remainder)}`;
  }
}
