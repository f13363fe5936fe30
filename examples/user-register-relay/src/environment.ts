import { parseKafkaClusterMap } from '@shardflow/testkit';

/** The database servers the example runs on, told apart by the URL's scheme. */
export type DatabaseKind = 'mysql' | 'postgres';

/**
 * Where the example's services are, from SHARDFLOW_ZK, SHARDFLOW_KAFKA and SHARDFLOW_DATABASE_URL
 * (SHARDFLOW_MYSQL_URL, which the testkit sets, when that one is unset).
 */
export interface ExampleEnvironment {
  readonly zookeeper: string;
  readonly kafka: Readonly<Record<string, string>>;
  /**
   * The database server: `mysql://user:password@host:3306` or `postgres://user:password@host:5432/postgres`
   * (a PostgreSQL URL's database is only where the example's own database gets created).
   */
  readonly databaseUrl: string;
  readonly databaseKind: DatabaseKind;
  /** Database holding users, the outbox and the consumers' grants. */
  readonly database: string;
  /** Topic of the registration events (SHARDFLOW_EXAMPLE_TOPIC, default user-registered). */
  readonly topic: string;
  /** ZooKeeper namespace of the relay job (SHARDFLOW_EXAMPLE_NAMESPACE, default shardflow-example). */
  readonly namespace: string;
}

export const CLUSTER = 'cluster_a';
export const JOB_NAME = 'user-register-relay';

/** Reads the environment, naming every missing variable at once. */
export function readEnvironment(env: NodeJS.ProcessEnv = process.env): ExampleEnvironment {
  const databaseUrl = env['SHARDFLOW_DATABASE_URL'] || env['SHARDFLOW_MYSQL_URL'];
  const missing = [...['SHARDFLOW_ZK', 'SHARDFLOW_KAFKA'].filter((name) => !env[name]), ...(databaseUrl ? [] : ['SHARDFLOW_DATABASE_URL'])];
  if (missing.length > 0) {
    throw new Error(`Missing ${missing.join(', ')}: set them to existing services (e.g. SHARDFLOW_KAFKA='cluster_a=127.0.0.1:9092', SHARDFLOW_DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres), or run 'npm run demo', which starts its own.`);
  }
  const kafka = parseKafkaClusterMap(env['SHARDFLOW_KAFKA'] as string);
  if (!kafka[CLUSTER]) throw new Error(`SHARDFLOW_KAFKA must name a cluster '${CLUSTER}' (got ${Object.keys(kafka).join(', ')})`);
  return {
    zookeeper: env['SHARDFLOW_ZK'] as string,
    kafka,
    databaseUrl: databaseUrl as string,
    databaseKind: databaseKindOf(databaseUrl as string),
    database: env['SHARDFLOW_EXAMPLE_DB'] ?? 'shardflow_example',
    topic: env['SHARDFLOW_EXAMPLE_TOPIC'] ?? 'user-registered',
    namespace: env['SHARDFLOW_EXAMPLE_NAMESPACE'] ?? 'shardflow-example',
  };
}

/** The example database's URL: the server's URL with the database's name as its path. */
export function databaseUrlOf(environment: ExampleEnvironment): string {
  const url = new URL(environment.databaseUrl);
  url.pathname = `/${environment.database}`;
  return url.toString();
}

function databaseKindOf(url: string): DatabaseKind {
  const scheme = /^([a-z]+):\/\//.exec(url)?.[1];
  if (scheme === 'mysql') return 'mysql';
  if (scheme === 'postgres' || scheme === 'postgresql') return 'postgres';
  throw new Error(`SHARDFLOW_DATABASE_URL must start with mysql://, postgres:// or postgresql:// (got '${url.replace(/:[^:@/]*@/, ':***@')}')`);
}
