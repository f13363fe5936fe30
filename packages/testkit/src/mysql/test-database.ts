import { randomBytes } from 'node:crypto';
import mysql, { type ConnectionOptions } from 'mysql2/promise';
import { TestkitError } from '../errors/testkit-error.js';

export const DEFAULT_MYSQL_URL = 'mysql://root@127.0.0.1:3306';

export function mysqlUrl(): string {
  return process.env['SHARDFLOW_MYSQL_URL'] ?? DEFAULT_MYSQL_URL;
}

/** A database that exists for one test file and is dropped afterwards. */
export interface TestDatabase {
  readonly name: string;
  /** URL of the server with this database selected. */
  readonly url: string;
  readonly config: ConnectionOptions;
  drop(): Promise<void>;
}

function serverConfig(url: string): ConnectionOptions {
  const parsed = new URL(url);
  return {
    host: parsed.hostname,
    port: parsed.port ? Number(parsed.port) : 3306,
    user: decodeURIComponent(parsed.username || 'root'),
    password: decodeURIComponent(parsed.password),
  };
}

async function connectToServer(url: string): Promise<mysql.Connection> {
  try {
    return await mysql.createConnection({ ...serverConfig(url), connectTimeout: 5_000 });
  } catch (error) {
    throw new TestkitError(
      'SERVICE_UNREACHABLE',
      `Cannot connect to MySQL/MariaDB at ${url.replace(/:[^:@/]*@/, ':***@')}: ${(error as Error).message}. ` +
        'Start it (Debian: start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd), ' +
        'install it (apt-get install -y mariadb-server), or set SHARDFLOW_MYSQL_URL.',
      { cause: error },
    );
  }
}

/** Creates a fresh, uniquely named database on the test server. */
export async function createTestDatabase(prefix = 'shardflow_test'): Promise<TestDatabase> {
  const url = mysqlUrl();
  const name = `${prefix}_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`.replace(/[^A-Za-z0-9_]/g, '_');
  const admin = await connectToServer(url);
  try {
    await admin.query(`CREATE DATABASE \`${name}\``);
  } finally {
    await admin.end();
  }
  const config: ConnectionOptions = { ...serverConfig(url), database: name };
  const dbUrl = new URL(url);
  dbUrl.pathname = `/${name}`;
  return {
    name,
    url: dbUrl.toString(),
    config,
    drop: async () => {
      const connection = await connectToServer(url);
      try {
        await connection.query(`DROP DATABASE IF EXISTS \`${name}\``);
      } finally {
        await connection.end();
      }
    },
  };
}

/** Fails fast, with the remedy, when the server is not there. */
export async function checkMysqlReachable(): Promise<void> {
  const connection = await connectToServer(mysqlUrl());
  await connection.end();
}
