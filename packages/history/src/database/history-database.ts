/** The two SQL dialects the history tables exist in. */
export type HistoryDialect = 'mysql' | 'postgres';

export interface StatementResult {
  readonly rows: ReadonlyArray<Record<string, unknown>>;
  readonly affected: number;
}

/**
 * Where the history is written: one statement at a time, `?` placeholders in every dialect (the
 * PostgreSQL adapter numbers them). Adapters: `mysqlHistoryDatabase`, `postgresHistoryDatabase`.
 */
export interface HistoryDatabase {
  readonly dialect: HistoryDialect;
  execute(sql: string, params: readonly unknown[]): Promise<StatementResult>;
}

/** What the adapter needs of a mysql2/promise Pool (or Connection). */
export interface MysqlQueryable {
  query(sql: string, values?: unknown): Promise<[unknown, unknown]>;
}

/** What the adapter needs of a pg Pool (or Client). */
export interface PostgresQueryable {
  query(text: string, values?: unknown[]): Promise<{ rows: unknown[]; rowCount: number | null }>;
}

export function mysqlHistoryDatabase(pool: MysqlQueryable): HistoryDatabase {
  return {
    dialect: 'mysql',
    async execute(sql, params) {
      const [result] = await pool.query(sql, params);
      if (Array.isArray(result)) return { rows: result as Array<Record<string, unknown>>, affected: 0 };
      return { rows: [], affected: Number((result as { affectedRows?: number }).affectedRows ?? 0) };
    },
  };
}

export function postgresHistoryDatabase(pool: PostgresQueryable): HistoryDatabase {
  return {
    dialect: 'postgres',
    async execute(sql, params) {
      let index = 0;
      const result = await pool.query(sql.replace(/\?/g, () => `$${(index += 1)}`), [...params]);
      return { rows: result.rows as Array<Record<string, unknown>>, affected: result.rowCount ?? 0 };
    },
  };
}
