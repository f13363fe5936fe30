import type { Pool } from 'mysql2/promise';
import { OUTBOX_COLUMN_LIMITS as LIMITS, resolveOutboxTable, type OutboxTable, type OutboxTableOptions } from './outbox-table.js';

/**
 * CREATE TABLE for the outbox. The indexes:
 * - `idx_outbox_due (state, cluster, next_select_time, id, partition)`: the relay's fetch reads
 *   each cluster's due rows in (due time, id) order straight off its own range of the index and
 *   stops after its share of the page, checking the item's partitions inside the index. It never
 *   touches rows waiting for a retry, nor any row of a cluster whose circuit is open, however many
 *   there are (a Kafka cluster down for hours), and needs no sort however large the backlog. The
 *   clusters with pending rows are found by one dive per cluster into the same index.
 * - `idx_outbox_key (key, id)`: per-key ordering checks and look-ups by key (the seed indexes
 *   the account number too).
 * - `idx_outbox_create_time (create_time)`: replay and reports by time range.
 * Cleanup walks the primary key.
 *
 * ROW_FORMAT=REDUNDANT: marking a row sent fills `sent_time` and `fence_epoch`, which were NULL. In
 * the COMPACT and DYNAMIC formats (MySQL's and MariaDB's default) a NULL takes no room, so the
 * record grows and InnoDB cannot change it in place: it moves the record within its page,
 * reorganising the page, for every row. REDUNDANT keeps a fixed-size column's room while it is NULL
 * (what InnoDB documents that format for), so the mark is an in-place update. With 1 KB rows that
 * makes the relay's mark three times cheaper for the database (docs/benchmarks.md, "The mark's
 * row format"). Its limits do not bite here: the one long indexed column, `key`, is VARCHAR(191)
 * (764 bytes, within REDUNDANT's 767-byte index prefix), and a payload up to about 8 KB stays in
 * the row as in DYNAMIC.
 */
export function outboxTableDdl(table: OutboxTable): string {
  const { c, states } = table;
  return `CREATE TABLE IF NOT EXISTS ${table.quotedName} (
  ${c.id} BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
  ${c.key} ${LIMITS.key.sqlType} NOT NULL,
  ${c.state} TINYINT NOT NULL DEFAULT ${states.pending},
  ${c.createTime} DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  ${c.topic} ${LIMITS.topic.sqlType} NOT NULL,
  ${c.cluster} ${LIMITS.cluster.sqlType} NOT NULL,
  ${c.retryCount} INT NOT NULL DEFAULT 0,
  ${c.nextSelectTime} DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  ${c.payload} ${LIMITS.payload.sqlType} NOT NULL,
  ${c.headers} ${LIMITS.headers.sqlType} NULL,
  ${c.lastError} ${LIMITS.lastError.sqlType} NULL,
  ${c.updateTime} DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3),
  ${c.sentTime} DATETIME(3) NULL,
  ${c.partition} SMALLINT UNSIGNED NOT NULL DEFAULT 0,
  ${c.fenceEpoch} BIGINT NULL,
  PRIMARY KEY (${c.id}),
  KEY idx_outbox_due (${c.state}, ${c.cluster}, ${c.nextSelectTime}, ${c.id}, ${c.partition}),
  KEY idx_outbox_key (${c.key}, ${c.id}),
  KEY idx_outbox_create_time (${c.createTime})
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 ROW_FORMAT=REDUNDANT`;
}

/** Creates the outbox table (idempotent). For N x M physical tables, call it once per table name. */
export async function migrateOutboxTable(pool: Pool, options: OutboxTableOptions = {}, tableName?: string): Promise<void> {
  await pool.query(outboxTableDdl(resolveOutboxTable(options, tableName)));
}
