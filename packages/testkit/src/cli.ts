#!/usr/bin/env node
/**
 * `shardflow-services`: real ZooKeeper, Kafka and RocketMQ on this machine for trying shardflow out
 * and for tests. `install` resolves the jars from Maven Central into the cache (once); `start` runs
 * the services in the foreground and prints the SHARDFLOW_* lines that point other shells at them;
 * `rocketmq [name]` does the same for one RocketMQ 5 cluster. `install` also installs Debian's
 * chromium for the console's browser tests when it is missing.
 */
import { runCli } from './cli/run-cli.js';

process.exitCode = await runCli(process.argv.slice(2), { out: (line) => console.log(line), err: (line) => console.error(line) });
