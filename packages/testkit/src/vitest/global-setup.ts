import { startServices } from '../services.js';
import { startControlServer } from '../control/control-server.js';

/**
 * Vitest global setup of the integration project: real ZooKeeper, two real Kafka clusters
 * (`cluster_a`, `cluster_b`) and a reachable MySQL, once per run. Addresses reach the test
 * workers (and processes they spawn) through SHARDFLOW_* environment variables.
 */
export default async function setup(): Promise<() => Promise<void>> {
  const services = await startServices({ log: (line) => console.log(`[testkit] ${line}`) });
  const control = await startControlServer(services);
  Object.assign(process.env, services.env, { SHARDFLOW_TESTKIT_CONTROL: control.url });
  console.log(`[testkit] ZooKeeper ${services.addresses.zookeeper}; Kafka ${services.env['SHARDFLOW_KAFKA']}; MySQL ${services.addresses.mysqlUrl}`);
  return async () => {
    await control.close();
    await services.stopAll();
  };
}
