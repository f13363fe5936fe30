import { readFileSync } from 'node:fs';
import { ensureChromium } from '../browser/chromium.js';
import { formatRocketMqClusterMap } from '../env.js';
import { TestkitError } from '../errors/testkit-error.js';
import { resolveRocketMqJars, resolveServiceJars } from '../java/service-jars.js';
import { RocketMqCluster } from '../rocketmq/rocketmq-cluster.js';
import { startServices } from '../services.js';

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

export interface CliOutput {
  readonly out: (line: string) => void;
  readonly err: (line: string) => void;
}

/**
 * `shardflow-services` without the process around it: runs one command and returns the exit code.
 * `start` and `rocketmq` return 0 once the services run; they stay up until SIGINT or SIGTERM.
 */
export async function runCli(args: readonly string[], output: CliOutput): Promise<number> {
  const { out: log, err } = output;
  const [command, ...rest] = args;
  try {
    if (command === '--version' || command === '-v') {
      const manifest = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
      log(manifest.version);
    } else if (command === '--help' || command === '-h') {
      log(USAGE);
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
      for (const [name, value] of Object.entries(services.env)) log(`export ${name}='${value}'`);
      log('Ctrl-C stops them.');
      stopOnSignal(() => services.stopAll());
    } else if (command === 'rocketmq' && rest.length <= 1) {
      const name = rest[0] ?? 'rocket_a';
      await resolveRocketMqJars(log);
      const cluster = await RocketMqCluster.start({ name });
      log(`export SHARDFLOW_ROCKETMQ='${formatRocketMqClusterMap({ [name]: cluster.address })}'`);
      log('RocketMQ is running; Ctrl-C stops it.');
      stopOnSignal(() => cluster.stopAll());
    } else {
      err(`shardflow-services: ${args.length === 0 ? 'no command given' : `unknown command '${args.join(' ')}'`}\n\n${USAGE}`);
      return 2;
    }
    return 0;
  } catch (error) {
    // A TestkitError's message already names the remedy; a stack trace would bury it.
    if (!(error instanceof TestkitError)) throw error;
    err(`shardflow-services: ${error.message}`);
    return 1;
  }
}

function stopOnSignal(stopAll: () => Promise<void>): void {
  const stop = (): void => void stopAll().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}
