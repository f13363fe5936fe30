import type { OutboxTable } from '../schema/outbox-table.js';

/** One table (in one of the configured databases) and the rows of it that belong to an item. */
export interface TableScope {
  /** Index into the store's list of database pools. */
  readonly database: number;
  readonly table: OutboxTable;
  /** SQL predicate over the table's rows (no leading AND); `params` fill its placeholders. */
  readonly where: string;
  readonly params: readonly unknown[];
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
