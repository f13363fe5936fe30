import type { StoredValues } from './stored-values.js';

/**
 * How one database inserts the writer's checked rows on the caller's transaction, returning their
 * ids in order. `delayMs` holds the rows back from the relay (the fast path's grace time).
 */
export interface RowInserter<Tx> {
  insert(transaction: Tx, rows: readonly StoredValues[], delayMs: number): Promise<number[]>;
}
