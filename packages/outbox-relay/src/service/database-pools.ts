import type { OutboxPool } from '../create-outbox.js';

export const DATABASE_DIALECTS = ['mysql', 'postgres'] as const;
export type DatabaseDialect = (typeof DATABASE_DIALECTS)[number];

/** One database of the relay service, with every default filled in. */
export interface DatabaseConnection {
  readonly dialect: DatabaseDialect;
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly password: string | undefined;
  readonly database: string;
  readonly connectionLimit: number;
}

export const DEFAULT_PORTS: Readonly<Record<DatabaseDialect, number>> = { mysql: 3306, postgres: 5432 };

/** The service's pools and how to end them all. */
export interface DatabasePools {
  readonly pools: readonly OutboxPool[];
  end(): Promise<void>;
}

/**
 * One pool per database, with the driver of its dialect (mysql2 or pg, each an optional peer
 * dependency, so only the one in use is loaded). Neither driver connects before the first query,
 * which is what lets the config check build pools just to count and type the databases.
 */
export async function openDatabasePools(connections: readonly DatabaseConnection[]): Promise<DatabasePools> {
  const pools: OutboxPool[] = [];
  for (const connection of connections) pools.push(await openPool(connection));
  return { pools, end: async () => void (await Promise.allSettled(pools.map((pool) => pool.end()))) };
}

async function openPool({ dialect, host, port, user, password, database, connectionLimit }: DatabaseConnection): Promise<OutboxPool> {
  if (dialect === 'postgres') {
    const { default: pg } = await import('pg');
    return new pg.Pool({ host, port, user, password, database, max: connectionLimit });
  }
  const { default: mysql } = await import('mysql2/promise');
  return mysql.createPool({ host, port, user, password, database, connectionLimit });
}
