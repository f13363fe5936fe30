import { crc32 } from 'node:zlib';
import { InvalidOutboxConfigError } from '../errors/invalid-outbox-config-error.js';
import type { OutboxTable } from '../schema/outbox-table.js';
import type { ItemCoordinates, Partitioning, TableScope } from './partitioning.js';

/**
 * Default mode: each row stores `crc32(key) % partitions`, and item k of N owns the contiguous
 * range [floor(k*P/N), floor((k+1)*P/N)). The fetch is an index range scan, and changing
 * `shardingTotalCount` only changes the ranges, never the rows. Keys keep their partition, so
 * per-key ordering survives resharding.
 */
export class VirtualPartitioning implements Partitioning {
  readonly mode = 'virtual-partition';

  constructor(
    private readonly table: OutboxTable,
    readonly partitions = 1024,
  ) {
    if (!Number.isInteger(partitions) || partitions < 1 || partitions > 65_535) {
      throw new InvalidOutboxConfigError('partitions', partitions, 'must be an integer from 1 to 65535');
    }
  }

  /** Inclusive partition range of an item; empty (lo > hi) when there are more items than partitions. */
  range(item: number, total: number): [number, number] {
    return [Math.floor((item * this.partitions) / total), Math.floor(((item + 1) * this.partitions) / total) - 1];
  }

  scopes({ item, total }: ItemCoordinates): TableScope[] {
    const [low, high] = this.range(item, total);
    if (low > high) return [];
    return [{ database: 0, table: this.table, rows: { kind: 'partition-range', low, high } }];
  }

  allTables(): Array<{ database: number; table: OutboxTable }> {
    return [{ database: 0, table: this.table }];
  }

  /** zlib's CRC-32 of a string is over its UTF-8 bytes, the same value as MySQL's CRC32(key). */
  partitionOf(key: string): number {
    return crc32(key) % this.partitions;
  }
}
