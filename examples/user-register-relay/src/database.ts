import type { HistoryDatabase } from '@shardflow/history';
import type { Outbox, OutboxConfig, OutboxPool } from '@shardflow/outbox-relay';
import type { ExampleEnvironment } from './environment.js';
import { dropMysqlDatabase, migrateMysql, openMysqlDatabase } from './mysql-database.js';
import { dropPgDatabase, migratePg, openPgDatabase } from './pg-database.js';

/** A row as the example reads it: column name to value. */
export type Row = Readonly<Record<string, unknown>>;

/** The statements of one transaction. Statements use `?` placeholders on either database. */
export interface ExampleTransaction<Tx> {
  /** The transaction as the outbox writer takes it: the outbox row commits with the rest. */
  readonly client: Tx;
  query(sql: string, params?: readonly unknown[]): Promise<void>;
  /** Inserts the row unless one with the same primary key exists; true when it inserted. */
  insertUnlessExists(table: string, values: Readonly<Record<string, unknown>>): Promise<boolean>;
}

/**
 * The example's database, MySQL/MariaDB or PostgreSQL: what the services need of it, and the outbox
 * on it. `Tx` is the driver's transaction type; code that does not care sees `ExampleDatabase`.
 */
export interface ExampleDatabase<Tx = unknown> {
  readonly environment: ExampleEnvironment;
  /** The driver's pool, for tools that take one (the console's OutboxAdmin). */
  readonly pool: OutboxPool;
  /** The same pool for the execution history (JOB_EXECUTION_LOG, JOB_STATUS_TRACE_LOG), which migrate() creates. */
  readonly history: HistoryDatabase;
  /** The outbox on this database's pool, so that the writer takes this database's transactions. */
  createOutbox(config: Omit<OutboxConfig, 'databases'>): Outbox<Tx>;
  query(sql: string, params?: readonly unknown[]): Promise<Row[]>;
  /** Runs `work` in one transaction: committed when it resolves, rolled back when it throws. */
  transaction<T>(work: (tx: ExampleTransaction<Tx>) => Promise<T>): Promise<T>;
  /** The error is a duplicate primary or unique key (MySQL ER_DUP_ENTRY, PostgreSQL 23505). */
  isDuplicateKey(error: unknown): boolean;
  end(): Promise<void>;
}

/** A pool on the example database, failing with the URL in the message when the server is unreachable. */
export function openDatabase(environment: ExampleEnvironment, connectionLimit = 10): Promise<ExampleDatabase> {
  return environment.databaseKind === 'postgres' ? openPgDatabase(environment, connectionLimit) : openMysqlDatabase(environment, connectionLimit);
}

/** Creates the database and every table of the example (idempotent). */
export function migrate(environment: ExampleEnvironment): Promise<void> {
  return environment.databaseKind === 'postgres' ? migratePg(environment) : migrateMysql(environment);
}

/** Drops the example database (the demo's own, at its end). */
export function dropDatabase(environment: ExampleEnvironment): Promise<void> {
  return environment.databaseKind === 'postgres' ? dropPgDatabase(environment) : dropMysqlDatabase(environment);
}
