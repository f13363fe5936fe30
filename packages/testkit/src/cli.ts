#!/usr/bin/env node
/**
 * `shardflow-services`: real ZooKeeper, Kafka and RocketMQ on this machine for trying shardflow out
 * and for tests. `install` resolves the jars from Maven Central into the cache (once); `start` runs
 * the services in the foreground and prints the SHARDFLOW_* lines that point other shells at them;
 * `rocketmq [name]` does the same for one RocketMQ 5 cluster. `install` also installs Debian's
 * chromium for the console's browser tests when it is missing.
 */
import { readFileSync } from 'node:fs';
import { ensureChromium } from './browser/chromium.js';
import { formatRocketMqClusterMap } from './env.js';
import { TestkitError } from './errors/testkit-error.js';
import { resolveRocketMqJars, resolveServiceJars } from './java/service-jars.js';
import { RocketMqCluster } from './rocketmq/rocketmq-cluster.js';
import { startServices } from './services.js';

const USAGE = `Usage: shardflow-services <command>

  install            fetch ZooKeeper, Kafka and RocketMQ from Maven Central into the cache (once; needs Java 17 and Maven)
  start              start ZooKeeper and two Kafka clusters (cluster_a, cluster_b), check MySQL, and print
                     the SHARDFLOW_* variables to export; runs until Ctrl-C
  start zookeeper    start ZooKeeper only and print SHARDFLOW_ZK
  rocketmq [name]    start one RocketMQ 5 cluster (name server and proxy; default name rocket_a) and
                     print SHARDFLOW_ROCKETMQ; runs until Ctrl-C
  --version          print the version
  --help             print this text

Services already named by SHARDFLOW_ZK, SHARDFLOW_KAFKA, SHARDFLOW_ROCKETMQ or SHARDFLOW_MYSQL_URL are used, not started.`;

const log = (line: string): void => console.log(line);
const args = process.argv.slice(2);
const [command, ...rest] = args;

try {
  if (command === '--version' || command === '-v') {
    const manifest = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
    console.log(manifest.version);
  } else if (command === '--help' || command === '-h') {
    console.log(USAGE);
  } else if (command === 'install' && rest.length === 0) {
    if (process.env['SHARDFLOW_ZK'] && process.env['SHARDFLOW_KAFKA']) {
      log('SHARDFLOW_ZK and SHARDFLOW_KAFKA are set: using those services, nothing to install');
    } else {
      log(`ZooKeeper and Kafka jars ready in ${await resolveServiceJars(log)}`);
    }
    if (process.env['SHARDFLOW_ROCKETMQ']) {
      log('SHARDFLOW_ROCKETMQ is set: using that RocketMQ, nothing to install');
    } else {
      log(`RocketMQ jars ready in ${await resolveRocketMqJars(log)}`);
    }
    log(`Chromium ready at ${ensureChromium()}`);
  } else if (command === 'start' && (rest.length === 0 || (rest.length === 1 && rest[0] === 'zookeeper'))) {
    const zookeeperOnly = rest[0] === 'zookeeper';
    const services = await startServices({ log, ...(zookeeperOnly ? { kafkaClusters: [], mysql: false } : {}) });
    log('Services are running. In each shell that should use them:');
    for (const [name, value] of Object.entries(services.env)) console.log(`export ${name}='${value}'`);
    log('Ctrl-C stops them.');
    const stop = (): void => void services.stopAll().then(() => process.exit(0));
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  } else if (command === 'rocketmq' && rest.length <= 1) {
    const name = rest[0] ?? 'rocket_a';
    await resolveRocketMqJars(log);
    const cluster = await RocketMqCluster.start({ name });
    console.log(`export SHARDFLOW_ROCKETMQ='${formatRocketMqClusterMap({ [name]: cluster.address })}'`);
    log('RocketMQ is running; Ctrl-C stops it.');
    const stop = (): void => void cluster.stopAll().then(() => process.exit(0));
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  } else {
    console.error(`shardflow-services: ${args.length === 0 ? 'no command given' : `unknown command '${args.join(' ')}'`}\n\n${USAGE}`);
    process.exit(2);
  }
} catch (error) {
  // A TestkitError's message already names the remedy; a stack trace would bury it.
  if (!(error instanceof TestkitError)) throw error;
  console.error(`shardflow-services: ${error.message}`);
  process.exit(1);
}
