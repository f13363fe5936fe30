import { readFileSync } from 'node:fs';
import {
  InvalidOutboxConfigError, parseOutboxTableFlags, type OutboxTableOptions, type PartitioningConfig,
} from '@shardflow/outbox-relay';
import { InvalidOpsArgumentError } from '../errors/invalid-ops-argument-error.js';

/** Where the operations tools connect: the registry namespace of the jobs, and the outbox databases. */
export interface ConnectionSettings {
  readonly zookeeper: { readonly connectString: string; readonly namespace: string; readonly digest: string | undefined } | undefined;
  readonly outbox: {
    /** mysql:// or postgres:// URLs (all of one kind), password filled in from the environment or a file when the URL has none. */
    readonly urls: readonly string[];
    /** The kind of database the URLs name. */
    readonly dialect: DatabaseDialect;
    readonly table: OutboxTableOptions;
    readonly partitioning: PartitioningConfig;
    /** The relay's job name, for the backlog per item. */
    readonly relayJob: string | undefined;
  } | undefined;
}

/** The databases the operations tools read: MySQL (the outbox and the history) and PostgreSQL (the history). */
export type DatabaseDialect = 'mysql' | 'postgres';

/** The connection flags as parsed from the command line (all optional). */
export interface ConnectionFlags {
  config?: string;
  zk?: string;
  namespace?: string;
  'zk-digest-file'?: string;
  db?: string[];
  'db-password-file'?: string;
  'relay-job'?: string;
  partitioning?: string;
  partitions?: string;
  table?: string;
  tables?: string;
  column?: string[];
  state?: string[];
}

/** Keys of the JSON config file (`--config`, `SHARDFLOW_CONFIG`). */
interface ConfigFile {
  zk?: string;
  namespace?: string;
  zkDigestFile?: string;
  db?: string | string[];
  dbPasswordFile?: string;
  relayJob?: string;
  partitioning?: string;
  partitions?: number;
  table?: string;
  tables?: string | string[];
  columns?: Record<string, string>;
  states?: Record<string, number>;
}

const CONFIG_FILE_KEYS = new Set(['zk', 'namespace', 'zkDigestFile', 'db', 'dbPasswordFile', 'relayJob', 'partitioning', 'partitions', 'table', 'tables', 'columns', 'states']);

export const CONNECTION_USAGE = `Connection (flag, else environment variable, else key of the --config JSON file):
  --zk HOST:PORT[,...]       SHARDFLOW_ZK              zk          ZooKeeper of the jobs
  --namespace NAME           SHARDFLOW_NAMESPACE       namespace   registry namespace
  --zk-digest-file PATH      SHARDFLOW_ZK_DIGEST (user:password itself)  zkDigestFile
  --db URL (repeatable)      SHARDFLOW_DB (space-separated)   db   mysql://user@host:3306/database,
                             or postgres://user@host:5432/database
  --db-password-file PATH    SHARDFLOW_DB_PASSWORD (the password itself)  dbPasswordFile
  --relay-job NAME           SHARDFLOW_RELAY_JOB       relayJob    the outbox relay's job, for per-item backlog
  --partitioning MODE        virtual-partition (default) | id-mod; --tables implies physical-tables
  --partitions N             virtual partitions (default 1024)
  --table/--tables/--column/--state   the outbox table, as for the relay
  --config PATH              SHARDFLOW_CONFIG          a JSON file with the keys above
Passwords are never needed on the command line: a URL without one takes it from the environment or the file.`;

/**
 * Resolves the connection from flags, then `SHARDFLOW_*` environment variables, then the config
 * file. Every bad value is an InvalidOpsArgumentError (or the relay's InvalidOutboxConfigError)
 * naming the flag, raised before anything connects.
 */
export function resolveConnection(flags: ConnectionFlags, env: NodeJS.ProcessEnv, readText: (path: string) => string = (path) => readFileSync(path, 'utf8')): ConnectionSettings {
  const configPath = flags.config ?? env['SHARDFLOW_CONFIG'];
  const file = configPath === undefined ? {} : readConfigFile(configPath, readText);
  // A secret comes from the flag's file, else the variable itself, else the config file's file.
  const secret = (flag: string, flagPath: string | undefined, envValue: string | undefined, filePath: string | undefined): string | undefined => {
    const path = flagPath ?? (envValue === undefined ? filePath : undefined);
    if (path === undefined) return envValue;
    try {
      return readText(path).trim();
    } catch (error) {
      throw new InvalidOpsArgumentError(flag, path, `cannot be read: ${(error as Error).message}`);
    }
  };

  const connectString = flags.zk ?? env['SHARDFLOW_ZK'] ?? file.zk;
  const namespace = flags.namespace ?? env['SHARDFLOW_NAMESPACE'] ?? file.namespace;
  if (connectString !== undefined && !/^[^,\s]+:\d+(,[^,\s]+:\d+)*$/.test(connectString)) throw new InvalidOpsArgumentError('--zk', connectString, 'must be host:port[,host:port...]');
  if (namespace !== undefined && !/^[A-Za-z0-9_.-]{1,200}$/.test(namespace)) throw new InvalidOpsArgumentError('--namespace', namespace, 'must be 1-200 characters of A-Z a-z 0-9 _ . -');
  const digest = secret('--zk-digest-file', flags['zk-digest-file'], env['SHARDFLOW_ZK_DIGEST'], file.zkDigestFile);
  const zookeeper = connectString !== undefined && namespace !== undefined ? { connectString, namespace, digest } : undefined;
  if (connectString !== undefined && namespace === undefined) throw new InvalidOpsArgumentError('--namespace', undefined, 'is required with --zk (or set SHARDFLOW_NAMESPACE)');

  const urls = flags.db ?? env['SHARDFLOW_DB']?.split(/\s+/).filter(Boolean) ?? (typeof file.db === 'string' ? [file.db] : file.db);
  const password = secret('--db-password-file', flags['db-password-file'], env['SHARDFLOW_DB_PASSWORD'], file.dbPasswordFile);
  let outbox: ConnectionSettings['outbox'];
  if (urls !== undefined && urls.length > 0) {
    const { table, tables } = parseOutboxTableFlags({
      table: flags.table ?? file.table,
      tables: flags.tables ?? (Array.isArray(file.tables) ? file.tables.join(',') : file.tables),
      column: flags.column ?? Object.entries(file.columns ?? {}).map(([name, column]) => `${name}=${column}`),
      state: flags.state ?? Object.entries(file.states ?? {}).map(([name, value]) => `${name}=${value}`),
    });
    const dialects = new Set(urls.map(dialectOf));
    if (dialects.size > 1) throw new InvalidOpsArgumentError('--db', urls.map(redact).join(' '), 'must all be mysql:// URLs or all postgres:// URLs');
    outbox = {
      urls: urls.map((url) => withPassword(url, password)),
      dialect: dialectOf(urls[0] as string),
      table,
      partitioning: partitioningOf(flags.partitioning ?? file.partitioning, flags.partitions ?? (file.partitions === undefined ? undefined : String(file.partitions)), tables),
      relayJob: flags['relay-job'] ?? env['SHARDFLOW_RELAY_JOB'] ?? file.relayJob,
    };
  }
  return { zookeeper, outbox };
}

function readConfigFile(path: string, readText: (path: string) => string): ConfigFile {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readText(path));
  } catch (error) {
    throw new InvalidOpsArgumentError('--config', path, `is not a readable JSON file: ${(error as Error).message}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new InvalidOpsArgumentError('--config', path, 'must hold a JSON object');
  for (const key of Object.keys(parsed)) {
    if (!CONFIG_FILE_KEYS.has(key)) throw new InvalidOpsArgumentError('--config', path, `has unknown key '${key}' (known: ${[...CONFIG_FILE_KEYS].join(', ')})`);
  }
  return parsed as ConfigFile;
}

const URL_FORM = 'must be mysql://user@host:port/database or postgres://user@host:port/database';

/** The dialect a --db URL names, from its scheme (postgresql:// is PostgreSQL's other spelling). */
function dialectOf(url: string): DatabaseDialect {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new InvalidOpsArgumentError('--db', redact(url), URL_FORM);
  }
  if (parsed.pathname.length < 2) throw new InvalidOpsArgumentError('--db', redact(url), URL_FORM);
  if (parsed.protocol === 'mysql:') return 'mysql';
  if (parsed.protocol === 'postgres:' || parsed.protocol === 'postgresql:') return 'postgres';
  throw new InvalidOpsArgumentError('--db', redact(url), URL_FORM);
}

/** Puts the password in a (checked) --db URL when the URL has none. */
function withPassword(url: string, password: string | undefined): string {
  const parsed = new URL(url);
  if (parsed.password === '' && password !== undefined) parsed.password = encodeURIComponent(password);
  return parsed.toString();
}

function redact(url: string): string {
  return url.replace(/:[^:@/]*@/, ':***@');
}

function partitioningOf(mode: string | undefined, partitions: string | undefined, tables: readonly string[] | undefined): PartitioningConfig {
  if (tables !== undefined) {
    if (mode !== undefined && mode !== 'physical-tables') throw new InvalidOpsArgumentError('--partitioning', mode, 'cannot be combined with --tables (which means physical-tables)');
    return { mode: 'physical-tables', tables };
  }
  if (mode === undefined || mode === 'virtual-partition') {
    if (partitions === undefined) return { mode: 'virtual-partition' };
    const count = Number(partitions);
    if (!/^\d+$/.test(partitions) || count < 1 || count > 65_535) throw new InvalidOpsArgumentError('--partitions', partitions, 'must be an integer from 1 to 65535');
    return { mode: 'virtual-partition', partitions: count };
  }
  if (mode === 'id-mod') return { mode: 'id-mod' };
  throw new InvalidOutboxConfigError('--partitioning', mode, "must be 'virtual-partition' or 'id-mod' (or give --tables)");
}
