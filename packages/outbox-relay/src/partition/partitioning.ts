import type { OutboxTable } from '../schema/outbox-table.js';
import type { RowPredicate } from './row-predicate.js';

/** One table (in one of the configured databases) and the rows of it that belong to an item. */
export interface TableScope {
  /** Index into the store's list of database pools. */
  readonly database: number;
  readonly table: OutboxTable;
  /** The item's rows of the table; each store turns it into its own SQL. */
  readonly rows: RowPredicate;
}

export interface ItemCoordinates {
  readonly item: number;
  readonly total: number;
  readonly jobParameter: string;
  readonly shardingParameter: string | undefined;
}

/**
 * How the job's items divide the outbox: which tables, and which rows of each, belong to an item.
 * A new mode is one file implementing this.
 */
export interface Partitioning {
  readonly mode: string;
  scopes(coordinates: ItemCoordinates): TableScope[];
  /** Every table the relay reads, for stats, replay and cleanup across all items. */
  allTables(): Array<{ database: number; table: OutboxTable }>;
  /** The partition number stored with a new row of this key (0 where the mode needs none). */
  partitionOf(key: string): number;
}
