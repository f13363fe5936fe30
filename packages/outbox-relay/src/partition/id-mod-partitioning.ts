import type { OutboxTable } from '../schema/outbox-table.js';
import type { ItemCoordinates, Partitioning, TableScope } from './partitioning.js';

/**
 * The seed's mode for existing tables: item k owns rows with `id % N = k`. No index can serve
 * `MOD(id, N) = k`, so every fetch reads all due pending rows through the state index and filters
 * them; fine while the pending backlog is small, costly when it is not.
 */
export class IdModPartitioning implements Partitioning {
  readonly mode = 'id-mod';

  constructor(private readonly table: OutboxTable) {}

  scopes({ item, total }: ItemCoordinates): TableScope[] {
    return [{ database: 0, table: this.table, rows: { kind: 'id-mod', modulus: total, remainder: item } }];
  }

  allTables(): Array<{ database: number; table: OutboxTable }> {
    return [{ database: 0, table: this.table }];
  }

  partitionOf(): number {
    return 0;
  }
}
