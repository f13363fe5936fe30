import { randomBytes } from 'node:crypto';
import mysql, { type ConnectionOptions } from 'mysql2/promise';
import { TestkitError } from '../errors/testkit-error.js';

export const DEFAULT_MYSQL_URL = 'mysql://root@127.0.0.1:3306';

/** The MySQL server URL from SHARDFLOW_MYSQL_URL (default root@127.0.0.1:3306), checked for its form. */
export function mysqlUrl(): string {
  const url = process.env['SHARDFLOW_MYSQL_URL'] ?? DEFAULT_MYSQL_URL;
  if (!URL.canParse(url) || new URL(url).protocol !== 'mysql:' || !new URL(url).hostname) {
    throw new TestkitError('INVALID_SERVICE_ENV', `SHARDFLOW_MYSQL_URL must be mysql://user:password@host:3306, got '${redactPassword(url)}'`);
  }
  return url;
}

/** The URL as it may be printed: the password replaced by ***. */
export function redactPassword(url: string): string {
  return url.replace(/^((?:[a-z]+:\/\/)?[^:@/]*:)[^@/]*@/i, '$1***@');
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
    return await mysql.createConnection({ ...serverConfig(url), connectTimeout: CONNECT_TIMEOUT_MS });
  } catch (error) {
    throw new TestkitError('SERVICE_UNREACHABLE', `Cannot connect to MySQL/MariaDB at ${redactPassword(url)}: ${connectRemedy(url, error)}`, { cause: error });
  }
}

const CONNECT_TIMEOUT_MS = 5_000;

/** What went wrong and what to do about it, by the driver's error code. */
function connectRemedy(url: string, error: unknown): string {
  const { hostname, port } = new URL(url);
  const address = `${hostname}:${port || 3306}`;
  const code = (error as { code?: unknown }).code;
  switch (code) {
    case 'ER_ACCESS_DENIED_ERROR':
    case 'ER_ACCESS_DENIED_NO_PASSWORD_ERROR':
      return `the server refused the user name or password (${(error as Error).message}). ` +
        'Put the right ones in SHARDFLOW_MYSQL_URL=mysql://user:password@host:3306.';
    case 'ECONNREFUSED':
      return `nothing listens on ${address}. Start the server (Debian: start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd), ` +
        'install it (apt-get install -y mariadb-server), or point SHARDFLOW_MYSQL_URL at a running one.';
    case 'ETIMEDOUT':
      return `${address} did not answer within ${CONNECT_TIMEOUT_MS / 1000} s. Check the host and port in SHARDFLOW_MYSQL_URL and that no firewall drops the connection.`;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `the host name '${hostname}' does not resolve. Check the host in SHARDFLOW_MYSQL_URL.`;
    default:
      return `${(error as Error).message}. Check SHARDFLOW_MYSQL_URL (mysql://user:password@host:3306).`;
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
