import { rowPredicateSql, type OutboxTable, type TableScope } from '@shardflow/outbox-relay';

export interface Statement {
  readonly sql: string;
  readonly params: readonly unknown[];
}

/*
 * The backlog's statements. Each reads one range of the relay's due index
 * (state, cluster, next_select_time, id, partition) and nothing else, stopping after `cap` entries,
 * so its cost is bounded by the cap, never by the size of the table: sent rows (most of a real
 * outbox) are never touched, and a huge backlog is counted as "at least cap". The scope's
 * predicate (partition range, id modulo) uses index columns only.
 */

/** The first cluster after `after` with a row in `state`: one index dive (a loose index scan). */
export function nextClusterStatement(table: OutboxTable, state: number, after: string | undefined): Statement {
  const { c, quotedName } = table;
  return after === undefined
    ? { sql: `SELECT MIN(t.${c.cluster}) AS cluster FROM ${quotedName} t WHERE t.${c.state} = ?`, params: [state] }
    : { sql: `SELECT MIN(t.${c.cluster}) AS cluster FROM ${quotedName} t WHERE t.${c.state} = ? AND t.${c.cluster} > ?`, params: [state, after] };
}

/** Pending rows of a cluster in a scope: how many (up to cap), how many wait for a retry, the lowest id. */
export function pendingStatement(scope: TableScope, cluster: string, cap: number): Statement {
  const { c, states, quotedName } = scope.table;
  const rows = scopeCondition(scope);
  return {
    sql: `SELECT COUNT(*) AS n, COALESCE(SUM(x.due > NOW(3)), 0) AS retrying, MIN(x.id) AS oldest_id
          FROM (SELECT t.${c.nextSelectTime} AS due, t.${c.id} AS id FROM ${quotedName} t
                WHERE t.${c.state} = ? AND t.${c.cluster} = ? AND (${rows.sql}) LIMIT ?) x`,
    params: [states.pending, cluster, ...rows.params, cap],
  };
}

/** Dead rows of a cluster in a scope, up to cap. */
export function deadStatement(scope: TableScope, cluster: string, cap: number): Statement {
  const { c, states, quotedName } = scope.table;
  const rows = scopeCondition(scope);
  return {
    sql: `SELECT COUNT(*) AS n FROM (SELECT t.${c.id} FROM ${quotedName} t
          WHERE t.${c.state} = ? AND t.${c.cluster} = ? AND (${rows.sql}) LIMIT ?) x`,
    params: [states.dead, cluster, ...rows.params, cap],
  };
}

/** The scope's rows as a MySQL condition on the table aliased `t`, with its parameters. */
function scopeCondition(scope: TableScope): { sql: string; params: unknown[] } {
  const { c } = scope.table;
  const params: unknown[] = [];
  const sql = rowPredicateSql(scope.rows, { id: `t.${c.id}`, partition: `t.${c.partition}` }, (value) => {
    params.push(value);
    return '?';
  });
  return { sql, params };
}

/** Creation time of one row, by primary key. */
export function createTimeStatement(table: OutboxTable, id: number): Statement {
  return { sql: `SELECT t.${table.c.createTime} AS created FROM ${table.quotedName} t WHERE t.${table.c.id} = ?`, params: [id] };
}
