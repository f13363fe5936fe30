import { TestkitError } from './errors/testkit-error.js';

/**
 * Splits `name=value;name=value` into a map, naming `variable` in every complaint. A bare value
 * (no `name=`) names one cluster `default`.
 */
function parseNamedList(variable: string, value: string, check: (name: string, entry: string) => void): Record<string, string> {
  const clusters: Record<string, string> = {};
  const entries = value.split(';').map((entry) => entry.trim()).filter(Boolean);
  for (const entry of entries) {
    const equals = entry.indexOf('=');
    const name = equals < 0 ? 'default' : entry.slice(0, equals).trim();
    const rest = (equals < 0 ? entry : entry.slice(equals + 1)).trim();
    if (!/^[A-Za-z0-9_.-]+$/.test(name)) throw new TestkitError('INVALID_SERVICE_ENV', `${variable}: invalid cluster name '${name}' in '${value}'`);
    check(name, rest);
    if (clusters[name] !== undefined) throw new TestkitError('INVALID_SERVICE_ENV', `${variable}: cluster '${name}' given twice`);
    clusters[name] = rest;
  }
  if (Object.keys(clusters).length === 0) throw new TestkitError('INVALID_SERVICE_ENV', `${variable} is empty`);
  return clusters;
}

const HOST_PORT = '[^\\s,@]+:\\d+';

/**
 * Parses a Kafka cluster map: `cluster_a=127.0.0.1:9092;cluster_b=127.0.0.1:9093`. Brokers of one
 * cluster are separated by commas. A bare broker list (`127.0.0.1:9092`) names one cluster `default`.
 */
export function parseKafkaClusterMap(value: string): Record<string, string> {
  return parseNamedList('SHARDFLOW_KAFKA', value, (name, brokers) => {
    if (!new RegExp(`^${HOST_PORT}(,${HOST_PORT})*$`).test(brokers)) {
      throw new TestkitError('INVALID_SERVICE_ENV', `SHARDFLOW_KAFKA: cluster '${name}' needs host:port[,host:port], got '${brokers}'`);
    }
  });
}

/** Where a RocketMQ cluster is reached: its proxy (gRPC, for clients) and its name server (for topic admin). */
export interface RocketMqAddress {
  readonly endpoints: string;
  readonly namesrv: string;
}

/**
 * Parses a RocketMQ cluster map: `rocket_a=127.0.0.1:8081@127.0.0.1:9876`, the proxy's gRPC
 * endpoint, then after `@` the name server. Clusters are separated by `;`.
 */
export function parseRocketMqClusterMap(value: string): Record<string, RocketMqAddress> {
  const raw = parseNamedList('SHARDFLOW_ROCKETMQ', value, (name, entry) => {
    if (!new RegExp(`^${HOST_PORT}@${HOST_PORT}$`).test(entry)) {
      throw new TestkitError('INVALID_SERVICE_ENV', `SHARDFLOW_ROCKETMQ: cluster '${name}' needs proxyHost:port@namesrvHost:port, got '${entry}'`);
    }
  });
  return Object.fromEntries(Object.entries(raw).map(([name, entry]) => {
    const [endpoints, namesrv] = entry.split('@') as [string, string];
    return [name, { endpoints, namesrv }];
  }));
}

export function formatRocketMqClusterMap(clusters: Record<string, RocketMqAddress>): string {
  return Object.entries(clusters).map(([name, address]) => `${name}=${address.endpoints}@${address.namesrv}`).join(';');
}

export function formatKafkaClusterMap(clusters: Record<string, string>): string {
  return Object.entries(clusters).map(([name, brokers]) => `${name}=${brokers}`).join(';');
}
