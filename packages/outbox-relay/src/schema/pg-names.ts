import type { OutboxColumns, OutboxTable } from './outbox-table.js';

/** An outbox table's names double-quoted for PostgreSQL (the names are validated identifiers). */
export interface PgNames {
  readonly table: string;
  readonly c: Readonly<OutboxColumns>;
}

const cache = new WeakMap<OutboxTable, PgNames>();

export function pgNames(table: OutboxTable): PgNames {
  let names = cache.get(table);
  if (!names) {
    const quote = (name: string): string => `"${name}"`;
    const c = Object.fromEntries(Object.entries(table.columns).map(([field, name]) => [field, quote(name)])) as unknown as OutboxColumns;
    names = { table: quote(table.name), c };
    cache.set(table, names);
  }
  return names;
}
