import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { TestkitError } from '../errors/testkit-error.js';

export const DEFAULT_PG_URL = 'postgres://postgres@127.0.0.1:5432/postgres';

export function pgUrl(): string {
  return process.env['SHARDFLOW_PG_URL'] ?? DEFAULT_PG_URL;
}

/** A PostgreSQL database that exists for one test file and is dropped afterwards. */
export interface PgTestDatabase {
  readonly name: string;
  /** URL of the server with this database selected. */
  readonly url: string;
  drop(): Promise<void>;
}

function hidePassword(url: string): string {
  return url.replace(/:[^:@/]*@/, ':***@');
}

async function connectToServer(url: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5_000 });
  try {
    await client.connect();
    return client;
  } catch (error) {
    throw new TestkitError(
      'SERVICE_UNREACHABLE',
      `Cannot connect to PostgreSQL at ${hidePassword(url)}: ${(error as Error).message}. ` +
        'Start it (Debian: pg_ctlcluster 15 main start), install it (apt-get install -y postgresql), or set SHARDFLOW_PG_URL.',
      { cause: error },
    );
  }
}

/** Creates a fresh, uniquely named database on the test server (the URL's database is only where CREATE DATABASE runs). */
export async function createPgTestDatabase(prefix = 'shardflow_test'): Promise<PgTestDatabase> {
  const url = pgUrl();
  const name = `${prefix}_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`.replace(/[^A-Za-z0-9_]/g, '_').toLowerCase();
  const admin = await connectToServer(url);
  try {
    await admin.query(`CREATE DATABASE "${name}"`);
  } finally {
    await admin.end();
  }
  const dbUrl = new URL(url);
  dbUrl.pathname = `/${name}`;
  return {
    name,
    url: dbUrl.toString(),
    drop: async () => {
      const client = await connectToServer(url);
      try {
        await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      } finally {
        await client.end();
      }
    },
  };
}

/** Fails fast, with the remedy, when the server is not there. */
export async function checkPgReachable(): Promise<void> {
  const client = await connectToServer(pgUrl());
  await client.end();
}
