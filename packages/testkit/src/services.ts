import { ZooKeeperEnsemble } from './zookeeper/zookeeper-server.js';
import { KafkaCluster } from './kafka/kafka-cluster.js';
import { checkMysqlReachable, DEFAULT_MYSQL_URL, mysqlUrl } from './mysql/test-database.js';
import { sweepOrphanJvms } from './java/jvm-process.js';
import { resolveServiceJars } from './java/service-jars.js';
import { formatKafkaClusterMap, parseKafkaClusterMap } from './env.js';

export interface ServiceAddresses {
  /** ZooKeeper connect string. */
  readonly zookeeper: string;
  /** Kafka cluster name -> bootstrap brokers. */
  readonly kafka: Readonly<Record<string, string>>;
  readonly mysqlUrl: string;
}

export interface StartedServices {
  readonly addresses: ServiceAddresses;
  /** ZooKeeper we started ourselves; undefined when SHARDFLOW_ZK named an existing one. */
  readonly zookeeper: ZooKeeperEnsemble | undefined;
  /** Kafka clusters we started ourselves, by name. */
  readonly kafka: ReadonlyMap<string, KafkaCluster>;
  /** The env lines that point other processes at these services. */
  readonly env: Readonly<Record<string, string>>;
  stopAll(): Promise<void>;
}

export interface StartServicesOptions {
  /** Kafka clusters to start unless SHARDFLOW_KAFKA names them; default cluster_a and cluster_b, [] for none. */
  readonly kafkaClusters?: readonly string[];
  /** Whether MySQL must be reachable (default true); a ZooKeeper-only start leaves it out. */
  readonly mysql?: boolean;
  /** Progress lines: the first run's download, each service as it comes up. */
  readonly log?: (line: string) => void;
}

/**
 * Starts what the env does not name: ZooKeeper (`SHARDFLOW_ZK`), the Kafka clusters
 * (`SHARDFLOW_KAFKA`), and checks MySQL (`SHARDFLOW_MYSQL_URL`, default root@127.0.0.1:3306).
 * Services named by the env are used as they are and never stopped by us. `env` holds the
 * variables of the services in use: SHARDFLOW_KAFKA only with Kafka, SHARDFLOW_MYSQL_URL only with MySQL.
 */
export async function startServices(options: StartServicesOptions = {}): Promise<StartedServices> {
  const log = options.log ?? (() => undefined);
  const wantedClusters = options.kafkaClusters ?? ['cluster_a', 'cluster_b'];
  const namedZk = process.env['SHARDFLOW_ZK'];
  const namedKafka = process.env['SHARDFLOW_KAFKA'] ? parseKafkaClusterMap(process.env['SHARDFLOW_KAFKA']) : undefined;
  const useMysql = options.mysql ?? true;
  const startKafka = !namedKafka && wantedClusters.length > 0;
  if (useMysql) await checkMysqlReachable();
  if (!namedZk || startKafka) {
    const swept = sweepOrphanJvms();
    if (swept > 0) log(`killed ${swept} JVM(s) left by an earlier interrupted run`);
    await resolveServiceJars(log);
    log(`starting ${[namedZk ? [] : ['ZooKeeper'], startKafka ? wantedClusters.map((name) => `Kafka ${name}`) : []].flat().join(', ')} on 127.0.0.1...`);
  }
  let zookeeper: ZooKeeperEnsemble | undefined;
  const kafka = new Map<string, KafkaCluster>();
  const stopAll = async (): Promise<void> => {
    await Promise.allSettled([...kafka.values()].map((cluster) => cluster.stop()));
    await zookeeper?.stop();
  };
  try {
    const startedAt = Date.now();
    const seconds = (): string => `${((Date.now() - startedAt) / 1000).toFixed(1)} s`;
    // Kafka takes tens of seconds to come up: say what is still awaited, so the wait is never silent.
    const waiting = new Set<string>();
    const ready = <T>(name: string, starting: Promise<T>, address: (started: T) => string): Promise<T> => {
      waiting.add(name);
      return starting.then((started) => {
        waiting.delete(name);
        log(`${name} ready at ${address(started)} after ${seconds()}`);
        return started;
      });
    };
    const ticker = setInterval(() => log(`  waiting for ${[...waiting].join(', ')} (${seconds()})`), 5_000);
    // Settled, not raced: when one service fails, the others are started (or failed) before stopAll.
    const outcomes = await Promise.allSettled([
      ...(namedZk ? [] : [ready('ZooKeeper', ZooKeeperEnsemble.start(), (started) => started.connectString).then((started) => void (zookeeper = started))]),
      ...(startKafka ? wantedClusters.map((name) => ready(`Kafka ${name}`, KafkaCluster.start({ name }), (started) => started.bootstrap).then((started) => void kafka.set(name, started))) : []),
    ]);
    clearInterval(ticker);
    const failure = outcomes.find((outcome) => outcome.status === 'rejected');
    if (failure) throw failure.reason;
    log(`services ready in ${Date.now() - startedAt} ms`);
  } catch (error) {
    await stopAll();
    throw error;
  }
  const kafkaMap = namedKafka ?? Object.fromEntries(wantedClusters.map((name) => [name, (kafka.get(name) as KafkaCluster).bootstrap]));
  const addresses: ServiceAddresses = { zookeeper: namedZk ?? (zookeeper as ZooKeeperEnsemble).connectString, kafka: kafkaMap, mysqlUrl: useMysql ? mysqlUrl() : DEFAULT_MYSQL_URL };
  const env: Record<string, string> = { SHARDFLOW_ZK: addresses.zookeeper };
  if (Object.keys(kafkaMap).length > 0) env['SHARDFLOW_KAFKA'] = formatKafkaClusterMap(kafkaMap);
  if (useMysql) env['SHARDFLOW_MYSQL_URL'] = addresses.mysqlUrl;
  return { addresses, zookeeper, kafka, env, stopAll };
}
