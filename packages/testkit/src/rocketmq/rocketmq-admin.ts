import { execFile } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { resolveRocketMqJars } from '../java/service-jars.js';
import { TestkitError } from '../errors/testkit-error.js';
import type { RocketMqAddress } from '../env.js';
import { waitUntil } from '../wait-until.js';
import { rocketMqTopicRouted } from './rocketmq-probe.js';

/** Broker cluster name of the testkit's clusters, and what an existing RocketMQ is assumed to use (RocketMQ's default). */
export const ROCKETMQ_BROKER_CLUSTER = 'DefaultCluster';

export interface RocketMqTopicOptions {
  /** A FIFO topic: accepts only messages with a message group, kept in order per group. Default false. */
  readonly fifo?: boolean;
  /** Read and write queues. Default 4. */
  readonly queues?: number;
}

const run = promisify(execFile);

/**
 * Creates (or updates) a topic with RocketMQ's own admin tool, then waits until the proxy serves
 * its route: clients (and so the relay) see the topic from then on. Clients reach topics only
 * through the proxy, which never creates one on demand, so every test topic is made here first.
 */
export async function createRocketMqTopic(address: RocketMqAddress, topic: string, options: RocketMqTopicOptions = {}): Promise<void> {
  const queues = String(options.queues ?? 4);
  const home = join(tmpdir(), 'shardflow-rocketmq-admin');
  mkdirSync(home, { recursive: true });
  const args = [
    '-Xmx128m', '-XX:+UseSerialGC', '-XX:TieredStopAtLevel=1', `-Duser.home=${home}`,
    '-cp', `${await resolveRocketMqJars()}/*`, 'org.apache.rocketmq.tools.command.MQAdminStartup',
    'updateTopic', '-n', address.namesrv, '-c', ROCKETMQ_BROKER_CLUSTER, '-t', topic, '-r', queues, '-w', queues,
    ...(options.fifo ? ['-a', '+message.type=FIFO'] : []),
  ];
  let output: string;
  try {
    const { stdout, stderr } = await run('java', args, { timeout: 60_000, maxBuffer: 4 * 1024 * 1024 });
    output = `${stdout}${stderr}`;
  } catch (error) {
    throw new TestkitError('SERVICE_UNREACHABLE', `RocketMQ admin could not run for topic ${topic}`, { cause: error });
  }
  // The admin tool exits 0 whatever happened; only its report says whether a broker took the topic.
  if (!/create topic to \S+ success/.test(output)) {
    throw new TestkitError('SERVICE_UNREACHABLE', `RocketMQ (${address.namesrv}) did not create topic ${topic}:\n${output.slice(-1500)}`);
  }
  await waitUntil(() => rocketMqTopicRouted(address.endpoints, topic), {
    what: `the RocketMQ proxy ${address.endpoints} to route topic ${topic}`,
    timeoutMs: 30_000,
    intervalMs: 500,
  });
}
