import { InvalidOutboxConfigError } from '../errors/invalid-outbox-config-error.js';
import type { OutboxTable } from '../schema/outbox-table.js';
import { ALL_ROWS } from './row-predicate.js';
import type { ItemCoordinates, Partitioning, TableScope } from './partitioning.js';

/**
 * The lottery seed's layout: N databases x M physical tables (`user_strategy_export_001..004` in
 * each of 2 databases = 8 tables). Pairs are numbered database-major; pair p belongs to item
 * p % shardingTotalCount, so 8 items take one table each and 4 items take two.
 *
 * A job parameter (or an item parameter, which wins) like the seed's `1,2,3` names the databases,
 * 1-based, that this job scans; other databases are skipped.
 */
export class PhysicalTablesPartitioning implements Partitioning {
  readonly mode = 'physical-tables';
  private readonly pairs: Array<{ database: number; table: OutboxTable }>;

  constructor(databaseCount: number, tables: readonly OutboxTable[]) {
    if (!Number.isInteger(databaseCount) || databaseCount < 1) throw new InvalidOutboxConfigError('databases', databaseCount, 'must name at least one database pool');
    if (tables.length === 0) throw new InvalidOutboxConfigError('tables', tables, 'must name at least one table');
    this.pairs = [];
    for (let database = 0; database < databaseCount; database++) for (const table of tables) this.pairs.push({ database, table });
  }

  scopes({ item, total, jobParameter, shardingParameter }: ItemCoordinates): TableScope[] {
    const allowed = parseDatabaseList(shardingParameter ?? jobParameter);
    return this.pairs
      .filter((_, index) => index % total === item)
      .filter(({ database }) => allowed === undefined || allowed.has(database + 1))
      .map(({ database, table }) => ({ database, table, rows: ALL_ROWS }));
  }

  allTables(): Array<{ database: number; table: OutboxTable }> {
    return [...this.pairs];
  }

  partitionOf(): number {
    return 0;
  }
}

/** `1,2,3` -> {1,2,3}; empty means every database. Anything else is a config error naming the value. */
export function parseDatabaseList(parameter: string): Set<number> | undefined {
  const trimmed = parameter.trim();
  if (trimmed === '') return undefined;
  const numbers = trimmed.split(',').map((part) => part.trim());
  if (!numbers.every((part) => /^[1-9]\d*$/.test(part))) {
    throw new InvalidOutboxConfigError('jobParameter', parameter, "must list 1-based database numbers like '1,2,3'");
  }
  return new Set(numbers.map(Number));
}
