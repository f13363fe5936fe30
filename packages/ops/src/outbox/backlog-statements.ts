import { rowPredicateSql, type OutboxColumns, type OutboxTable, type TableScope } from '@shardflow/outbox-relay';

export interface Statement {
  readonly sql: string;
  readonly params: readonly unknown[];
}

/** A table's name and columns quoted for the database's dialect (backticks on MySQL, double quotes on PostgreSQL). */
export interface QuotedNames {
  readonly table: string;
  readonly c: Readonly<OutboxColumns>;
}

/** How a dialect quotes a table's names. */
export type NameQuoting = (table: OutboxTable) => QuotedNames;

/*
 * The backlog's statements. Each reads one range of the relay's due index
 * (state, cluster, next_select_time, id, partition) and nothing else, stopping after `cap` entries,
 * so its cost is bounded by the cap, never by the size of the table: sent rows (most of a real
 * outbox) are never touched, and a huge backlog is counted as "at least cap". The scope's
 * predicate (partition range, id modulo) uses index columns only. The SQL is the same on MySQL and
 * PostgreSQL: `?` placeholders (numbered by the caller on PostgreSQL) and names quoted by `quote`.
 */

/** The first cluster after `after` with a row in `state`: one index dive (a loose index scan). */
export function nextClusterStatement(quote: NameQuoting, table: OutboxTable, state: number, after: string | undefined): Statement {
  const { c, table: quotedName } = quote(table);
  return after === undefined
    ? { sql: `SELECT MIN(t.${c.cluster}) AS cluster FROM ${quotedName} t WHERE t.${c.state} = ?`, params: [state] }
    : { sql: `SELECT MIN(t.${c.cluster}) AS cluster FROM ${quotedName} t WHERE t.${c.state} = ? AND t.${c.cluster} > ?`, params: [state, after] };
}

/** Pending rows of a cluster in a scope: how many (up to cap), how many wait for a retry, the lowest id. */
export function pendingStatement(quote: NameQuoting, scope: TableScope, cluster: string, cap: number): Statement {
  const { c, table: quotedName } = quote(scope.table);
  const { states } = scope.table;
  const rows = scopeCondition(c, scope);
  return {
    sql: `SELECT COUNT(*) AS n, COALESCE(SUM(CASE WHEN x.due > CURRENT_TIMESTAMP(3) THEN 1 ELSE 0 END), 0) AS retrying, MIN(x.id) AS oldest_id
          FROM (SELECT t.${c.nextSelectTime} AS due, t.${c.id} AS id FROM ${quotedName} t
                WHERE t.${c.state} = ? AND t.${c.cluster} = ? AND (${rows.sql}) LIMIT ?) x`,
    params: [states.pending, cluster, ...rows.params, cap],
  };
}

/** Dead rows of a cluster in a scope, up to cap. */
export function deadStatement(quote: NameQuoting, scope: TableScope, cluster: string, cap: number): Statement {
  const { c, table: quotedName } = quote(scope.table);
  const { states } = scope.table;
  const rows = scopeCondition(c, scope);
  return {
    sql: `SELECT COUNT(*) AS n FROM (SELECT t.${c.id} FROM ${quotedName} t
          WHERE t.${c.state} = ? AND t.${c.cluster} = ? AND (${rows.sql}) LIMIT ?) x`,
    params: [states.dead, cluster, ...rows.params, cap],
  };
}

/** The scope's rows as a condition on the table aliased `t`, with its parameters. */
function scopeCondition(c: Readonly<OutboxColumns>, scope: TableScope): { sql: string; params: unknown[] } {
  const params: unknown[] = [];
  const sql = rowPredicateSql(scope.rows, { id: `t.${c.id}`, partition: `t.${c.partition}` }, (value) => {
    params.push(value);
    return '?';
  });
  return { sql, params };
}

/** Creation time of one row, by primary key. */
export function createTimeStatement(quote: NameQuoting, table: OutboxTable, id: number): Statement {
  const { c, table: quotedName } = quote(table);
  return { sql: `SELECT t.${c.createTime} AS created FROM ${quotedName} t WHERE t.${c.id} = ?`, params: [id] };
}
