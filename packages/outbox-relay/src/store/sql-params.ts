/**
 * Collects a statement's parameters while its text is written, in the dialect's placeholders, so
 * that a fragment shared by both SQL stores (a row predicate, a filter, a fence) binds its values
 * in the order they appear.
 */
export interface SqlParams {
  readonly values: unknown[];
  /** Adds a value; returns its placeholder. */
  bind(value: unknown): string;
  /** `column` is one of `values` (never empty). */
  inList(column: string, values: readonly unknown[]): string;
}

/** mysql2: `?` placeholders; an array parameter expands to a list. */
export function mysqlParams(): SqlParams {
  const values: unknown[] = [];
  return {
    values,
    bind: (value) => {
      values.push(value);
      return '?';
    },
    inList: (column, list) => {
      values.push(list);
      return `${column} IN (?)`;
    },
  };
}

/** node-postgres: numbered `$n` placeholders; a list is one array parameter. */
export function pgParams(): SqlParams {
  const values: unknown[] = [];
  const bind = (value: unknown): string => `$${values.push(value)}`;
  return { values, bind, inList: (column, list) => `${column} = ANY(${bind(list)})` };
}
