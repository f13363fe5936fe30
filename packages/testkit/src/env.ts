import { TestkitError } from './errors/testkit-error.js';

/**
 * Parses a Kafka cluster map: `cluster_a=127.0.0.1:9092;cluster_b=127.0.0.1:9093`. Brokers of one
 * cluster are separated by commas. A bare broker list (`127.0.0.1:9092`) names one cluster `default`.
 */
export function parseKafkaClusterMap(value: string): Record<string, string> {
  const invalid = (problem: string): TestkitError =>
    new TestkitError('INVALID_SERVICE_ENV', `SHARDFLOW_KAFKA: ${problem} in '${value}'; expected name=host:port;name=host:port,host:port (e.g. cluster_a=127.0.0.1:9092;cluster_b=127.0.0.1:9093)`);
  const clusters: Record<string, string> = {};
  const entries = value.split(';').map((entry) => entry.trim()).filter(Boolean);
  for (const entry of entries) {
    const equals = entry.indexOf('=');
    const name = equals < 0 ? 'default' : entry.slice(0, equals).trim();
    const brokers = (equals < 0 ? entry : entry.slice(equals + 1)).trim();
    if (!/^[A-Za-z0-9_.-]+$/.test(name)) throw invalid(`invalid cluster name '${name}' (letters, digits, _ . -)`);
    if (!/^[^\s,]+:\d+(,[^\s,]+:\d+)*$/.test(brokers)) {
      throw invalid(`cluster '${name}' needs host:port[,host:port], got '${brokers}'`);
    }
    if (clusters[name] !== undefined) throw invalid(`cluster '${name}' given twice`);
    clusters[name] = brokers;
  }
  if (Object.keys(clusters).length === 0) throw invalid('no cluster');
  return clusters;
}

export function formatKafkaClusterMap(clusters: Record<string, string>): string {
  return Object.entries(clusters).map(([name, brokers]) => `${name}=${brokers}`).join(';');
}
