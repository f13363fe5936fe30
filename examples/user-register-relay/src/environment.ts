import { parseKafkaClusterMap } from '@shardflow/testkit';

/** Where the example's services are, from SHARDFLOW_ZK, SHARDFLOW_KAFKA and SHARDFLOW_MYSQL_URL. */
export interface ExampleEnvironment {
  readonly zookeeper: string;
  readonly kafka: Readonly<Record<string, string>>;
  readonly mysqlUrl: string;
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
  const missing = ['SHARDFLOW_ZK', 'SHARDFLOW_KAFKA', 'SHARDFLOW_MYSQL_URL'].filter((name) => !env[name]);
  if (missing.length > 0) {
    throw new Error(`Missing ${missing.join(', ')}: set them to existing services (e.g. SHARDFLOW_KAFKA='cluster_a=127.0.0.1:9092'), or run 'npm run demo', which starts its own.`);
  }
  const kafka = parseKafkaClusterMap(env['SHARDFLOW_KAFKA'] as string);
  if (!kafka[CLUSTER]) throw new Error(`SHARDFLOW_KAFKA must name a cluster '${CLUSTER}' (got ${Object.keys(kafka).join(', ')})`);
  return {
    zookeeper: env['SHARDFLOW_ZK'] as string,
    kafka,
    mysqlUrl: env['SHARDFLOW_MYSQL_URL'] as string,
    database: env['SHARDFLOW_EXAMPLE_DB'] ?? 'shardflow_example',
    topic: env['SHARDFLOW_EXAMPLE_TOPIC'] ?? 'user-registered',
    namespace: env['SHARDFLOW_EXAMPLE_NAMESPACE'] ?? 'shardflow-example',
  };
}
