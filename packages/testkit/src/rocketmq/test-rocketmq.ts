import { parseRocketMqClusterMap, type RocketMqAddress } from '../env.js';
import { TestkitError } from '../errors/testkit-error.js';
import { sweepOrphanJvms } from '../java/jvm-process.js';
import { createRocketMqTopic, type RocketMqTopicOptions } from './rocketmq-admin.js';
import { RocketMqCluster } from './rocketmq-cluster.js';

/** A RocketMQ cluster for one test file: started by it, or named by SHARDFLOW_ROCKETMQ. */
export interface TestRocketMq {
  readonly name: string;
  readonly address: RocketMqAddress;
  /** False for a cluster named by SHARDFLOW_ROCKETMQ: tests cannot stop what they do not own. */
  readonly controllable: boolean;
  createTopic(topic: string, options?: RocketMqTopicOptions): Promise<void>;
  /** Takes the proxy and broker away (clients see the outage) and brings them back. */
  stop(): Promise<void>;
  start(): Promise<void>;
  /** Stops what this handle started; leaves a named cluster alone. */
  close(): Promise<void>;
}

/**
 * RocketMQ is started per test file, by the files that need it, rather than by the global setup:
 * its two JVMs are the heaviest services of the testkit and most files never touch them.
 * `SHARDFLOW_ROCKETMQ` (`name=proxy:port@namesrv:port;...`) points at running clusters instead.
 */
export async function startTestRocketMq(name = 'rocket_a'): Promise<TestRocketMq> {
  const named = process.env['SHARDFLOW_ROCKETMQ'];
  if (named) {
    const address = parseRocketMqClusterMap(named)[name];
    if (!address) throw new TestkitError('INVALID_SERVICE_ENV', `SHARDFLOW_ROCKETMQ names no cluster '${name}': ${named}`);
    const notOurs = (): Promise<void> => Promise.reject(new TestkitError('INVALID_SERVICE_ENV', `RocketMQ cluster '${name}' was named by SHARDFLOW_ROCKETMQ; the testkit does not stop or start it`));
    return { name, address, controllable: false, createTopic: (topic, options) => createRocketMqTopic(address, topic, options), stop: notOurs, start: notOurs, close: async () => undefined };
  }
  sweepOrphanJvms();
  const cluster = await RocketMqCluster.start({ name });
  return {
    name,
    address: cluster.address,
    controllable: true,
    createTopic: (topic, options) => createRocketMqTopic(cluster.address, topic, options),
    stop: () => cluster.stop(),
    start: () => cluster.start(),
    close: () => cluster.stopAll(),
  };
}
