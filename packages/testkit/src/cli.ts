/**
 * `install`: resolve the ZooKeeper and Kafka jars from Maven Central into the cache (once), and
 * install Debian's chromium for the console's browser tests when it is missing.
 * `start`: start the services in the foreground and print the env lines for other shells.
 */
import { ensureChromium } from './browser/chromium.js';
import { resolveServiceJars } from './java/service-jars.js';
import { startServices } from './services.js';

const command = process.argv[2];

if (command === 'install') {
  if (process.env['SHARDFLOW_ZK'] && process.env['SHARDFLOW_KAFKA']) {
    console.log('SHARDFLOW_ZK and SHARDFLOW_KAFKA are set: using those services, nothing to install');
  } else {
    console.log(`ZooKeeper and Kafka jars ready in ${resolveServiceJars()}`);
  }
  console.log(`Chromium ready at ${ensureChromium()}`);
} else if (command === 'start') {
  const services = await startServices({ log: (line) => console.log(line) });
  for (const [name, value] of Object.entries(services.env)) console.log(`export ${name}='${value}'`);
  console.log('Services are running; Ctrl-C stops them.');
  const stop = (): void => void services.stopAll().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
} else {
  console.error('usage: cli.ts install | start');
  process.exit(2);
}
