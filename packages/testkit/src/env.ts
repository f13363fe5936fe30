import { TestkitError } from './errors/testkit-error.js';

/**
 * Splits `name=value;name=value` into a map. Every complaint names `variable`, repeats the value
 * given and shows `expected`, the form it should have. A bare value (no `name=`) names one cluster
 * `default`.
 */
function parseNamedList(variable: string, value: string, expected: string, check: (entry: string) => string | undefined): Record<string, string> {
  const invalid = (problem: string): TestkitError =>
    new TestkitError('INVALID_SERVICE_ENV', `${variable}: ${problem} in '${value}'; expected ${expected}`);
  const clusters: Record<string, string> = {};
  const entries = value.split(';').map((entry) => entry.trim()).filter(Boolean);
  for (const entry of entries) {
    const equals = entry.indexOf('=');
    const name = equals < 0 ? 'default' : entry.slice(0, equals).trim();
    const rest = (equals < 0 ? entry : entry.slice(equals + 1)).trim();
    if (!/^[A-Za-z0-9_.-]+$/.test(name)) throw invalid(`invalid cluster name '${name}' (letters, digits, _ . -)`);
    const problem = check(rest);
    if (problem !== undefined) throw invalid(`cluster '${name}' needs ${problem}, got '${rest}'`);
    if (clusters[name] !== undefined) throw invalid(`cluster '${name}' given twice`);
    clusters[name] = rest;
  }
  if (Object.keys(clusters).length === 0) throw invalid('no cluster');
  return clusters;
}

const HOST_PORT = '[^\\s,@]+:\\d+';

/**
 * Parses a Kafka cluster map: `cluster_a=127.0.0.1:9092;cluster_b=127.0.0.1:9093`. Brokers of one
 * cluster are separated by commas. A bare broker list (`127.0.0.1:9092`) names one cluster `default`.
 */
export function parseKafkaClusterMap(value: string): Record<string, string> {
  return parseNamedList('SHARDFLOW_KAFKA', value, 'name=host:port;name=host:port,host:port (e.g. cluster_a=127.0.0.1:9092;cluster_b=127.0.0.1:9093)', (brokers) =>
    (new RegExp(`^${HOST_PORT}(,${HOST_PORT})*$`).test(brokers) ? undefined : 'host:port[,host:port]'));
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
  const raw = parseNamedList('SHARDFLOW_ROCKETMQ', value, 'name=proxyHost:port@namesrvHost:port (e.g. rocket_a=127.0.0.1:8081@127.0.0.1:9876)', (entry) =>
    (new RegExp(`^${HOST_PORT}@${HOST_PORT}$`).test(entry) ? undefined : 'proxyHost:port@namesrvHost:port'));
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
