/**
 * `install`: resolve the ZooKeeper, Kafka and RocketMQ jars from Maven Central into the cache (once).
 * `start`: start the services in the foreground and print the env lines for other shells.
 * `rocketmq [name]`: start one RocketMQ cluster in the foreground and print its SHARDFLOW_ROCKETMQ line.
 */
import { resolveRocketMqJars, resolveServiceJars } from './java/service-jars.js';
import { formatRocketMqClusterMap } from './env.js';
import { RocketMqCluster } from './rocketmq/rocketmq-cluster.js';
import { startServices } from './services.js';

const command = process.argv[2];

if (command === 'install') {
  if (process.env['SHARDFLOW_ZK'] && process.env['SHARDFLOW_KAFKA']) {
    console.log('SHARDFLOW_ZK and SHARDFLOW_KAFKA are set: using those services, nothing to install');
  } else {
    console.log(`ZooKeeper and Kafka jars ready in ${resolveServiceJars()}`);
  }
  if (process.env['SHARDFLOW_ROCKETMQ']) {
    console.log('SHARDFLOW_ROCKETMQ is set: using that RocketMQ, nothing to install');
  } else {
    console.log(`RocketMQ jars ready in ${resolveRocketMqJars()}`);
  }
} else if (command === 'start') {
  const services = await startServices({ log: (line) => console.log(line) });
  for (const [name, value] of Object.entries(services.env)) console.log(`export ${name}='${value}'`);
  console.log('Services are running; Ctrl-C stops them.');
  const stop = (): void => void services.stopAll().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
} else if (command === 'rocketmq') {
  const name = process.argv[3] ?? 'rocket_a';
  const cluster = await RocketMqCluster.start({ name });
  console.log(`export SHARDFLOW_ROCKETMQ='${formatRocketMqClusterMap({ [name]: cluster.address })}'`);
  console.log('RocketMQ is running; Ctrl-C stops it.');
  const stop = (): void => void cluster.stopAll().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
} else {
  console.error('usage: cli.ts install | start | rocketmq [name]');
  process.exit(2);
}
