import { ShardflowError } from '@shardflow/core';

export type OutboxSchemaErrorCode = 'OUTBOX_TABLE_MISSING' | 'OUTBOX_COLUMNS_MISSING';

/**
 * An outbox table the configuration names is missing from its database, or lacks columns the relay
 * reads or writes. Not retriable: the table has to be created (`migrateOutboxTable`) or the
 * `table`/`columns` options corrected.
 */
export class OutboxSchemaError extends ShardflowError {
  declare readonly code: OutboxSchemaErrorCode;

  constructor(
    /** The table as configured. */
    readonly table: string,
    /** Index of the database in `databases`. */
    readonly database: number,
    /** The configured column names that are missing; empty when the whole table is. */
    readonly missingColumns: readonly string[],
    cause?: unknown,
  ) {
    const where = `outbox table ${table} in database #${database + 1}`;
    super(
      missingColumns.length === 0 ? 'OUTBOX_TABLE_MISSING' : 'OUTBOX_COLUMNS_MISSING',
      missingColumns.length === 0
        ? `The ${where} does not exist: create it with migrateOutboxTable, or set the table option to the existing one`
        : `The ${where} has no column ${missingColumns.join(', ')}: add it, or map the columns option to the existing names`,
      { cause },
    );
  }
}
