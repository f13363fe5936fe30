import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveRocketMqJars } from '../java/service-jars.js';
import { JvmProcess } from '../java/jvm-process.js';
import { freePort, freePortWithNeighbour } from '../ports.js';
import { waitUntil } from '../wait-until.js';
import type { RocketMqAddress } from '../env.js';
import { createRocketMqTopic, ROCKETMQ_BROKER_CLUSTER } from './rocketmq-admin.js';
import { rocketMqSendProbe, PROBE_TOPIC } from './rocketmq-probe.js';

export interface RocketMqPorts {
  readonly namesrv: number;
  /** The broker's remoting port; the broker also listens on `broker - 2` (its "fast" channel). */
  readonly broker: number;
  readonly brokerHa: number;
  readonly proxyGrpc: number;
  readonly proxyRemoting: number;
}

/** namesrv.conf: a name server bound to loopback. */
export function renderNamesrvProperties(ports: RocketMqPorts): string {
  return [`listenPort=${ports.namesrv}`, 'bindAddress=127.0.0.1', ''].join('\n');
}

/**
 * broker.conf of the broker the proxy embeds (local mode): small mapped files and index, so a test
 * broker costs megabytes of disk, not gigabytes (the timer wheel stays on: pop consumption, which
 * the gRPC consumers use, needs it).
 */
export function renderBrokerProperties(name: string, storeDir: string, ports: RocketMqPorts): string {
  return [
    `brokerClusterName=${ROCKETMQ_BROKER_CLUSTER}`,
    `brokerName=broker-${name}`,
    'brokerId=0',
    'brokerIP1=127.0.0.1',
    'bindAddress=127.0.0.1',
    `listenPort=${ports.broker}`,
    `haListenPort=${ports.brokerHa}`,
    `namesrvAddr=127.0.0.1:${ports.namesrv}`,
    `storePathRootDir=${storeDir}`,
    `storePathCommitLog=${join(storeDir, 'commitlog')}`,
    'autoCreateTopicEnable=false',
    'autoCreateSubscriptionGroup=true',
    'mappedFileSizeCommitLog=67108864',
    'mappedFileSizeConsumeQueue=600000',
    'maxHashSlotNum=50000',
    'maxIndexNum=200000',
    'flushDiskType=ASYNC_FLUSH',
    '',
  ].join('\n');
}

/** rmq-proxy.json: local mode, a short shutdown, and a short topic route cache so new topics show up fast. */
export function renderProxyConfig(ports: RocketMqPorts): string {
  return JSON.stringify({
    rocketMQClusterName: ROCKETMQ_BROKER_CLUSTER,
    proxyMode: 'local',
    namesrvAddr: `127.0.0.1:${ports.namesrv}`,
    grpcServerPort: ports.proxyGrpc,
    remotingListenPort: ports.proxyRemoting,
    grpcShutdownTimeSeconds: 1,
    topicRouteServiceCacheExpiredSeconds: 3,
    topicRouteServiceCacheRefreshSeconds: 1,
  }, null, 2);
}

/**
 * One RocketMQ 5 cluster on loopback: a name server JVM and a proxy JVM in local mode, which embeds
 * the broker (one process serves clients over gRPC and stores messages). `stop()` really takes the
 * proxy and broker away, so clients fail the way they do in production; `start()` brings them back
 * on the same ports and store. The name server stays up across stop/start, like in production
 * where it is a separate, replicated service.
 */
export class RocketMqCluster {
  private constructor(
    readonly name: string,
    private readonly ports: RocketMqPorts,
    private readonly workDir: string,
    private readonly namesrv: JvmProcess,
    private readonly proxy: JvmProcess,
  ) {}

  static async start(options: { name: string; startTimeoutMs?: number }): Promise<RocketMqCluster> {
    const classpathDir = await resolveRocketMqJars();
    const workDir = mkdtempSync(join(tmpdir(), `shardflow-rocketmq-${options.name}-`));
    const storeDir = join(workDir, 'store');
    mkdirSync(join(workDir, 'conf'), { recursive: true });
    const ports: RocketMqPorts = {
      namesrv: await freePort(),
      broker: await freePortWithNeighbour(-2),
      brokerHa: await freePort(),
      proxyGrpc: await freePort(),
      proxyRemoting: await freePort(),
    };
    writeFileSync(join(workDir, 'namesrv.conf'), renderNamesrvProperties(ports));
    writeFileSync(join(workDir, 'broker.conf'), renderBrokerProperties(options.name, storeDir, ports));
    writeFileSync(join(workDir, 'rmq-proxy.json'), renderProxyConfig(ports));
    // The proxy insists on an access-control file even with ACL off (the default); this one grants nothing.
    writeFileSync(join(workDir, 'conf', 'plain_acl.yml'), 'globalWhiteRemoteAddresses:\n  - 127.0.0.1\naccounts: []\n');
    // RocketMQ logs under ${user.home}/logs and reads conf/ under its home: both point into workDir.
    const jvmArgs = [`-Duser.home=${workDir}`, `-Drocketmq.home.dir=${workDir}`];
    const namesrv = new JvmProcess({
      name: `rocketmq-namesrv-${options.name}`, classpathDir, mainClass: 'org.apache.rocketmq.namesrv.NamesrvStartup',
      args: ['-c', join(workDir, 'namesrv.conf')], workDir, heapMb: 128, jvmArgs,
    });
    const proxy = new JvmProcess({
      name: `rocketmq-proxy-${options.name}`, classpathDir, mainClass: 'org.apache.rocketmq.proxy.ProxyStartup',
      args: ['-pm', 'local', '-bc', join(workDir, 'broker.conf'), '-pc', join(workDir, 'rmq-proxy.json'), '-n', `127.0.0.1:${ports.namesrv}`],
      workDir, heapMb: 384, jvmArgs,
    });
    const cluster = new RocketMqCluster(options.name, ports, workDir, namesrv, proxy);
    try {
      namesrv.start();
      proxy.start();
      const timeoutMs = options.startTimeoutMs ?? 240_000;
      await waitUntil(() => createRocketMqTopic(cluster.address, PROBE_TOPIC).then(() => true), {
        what: `RocketMQ cluster ${options.name} to accept its probe topic`, timeoutMs, intervalMs: 1_000, detail: () => proxy.tail(),
      });
      await cluster.waitUsable(timeoutMs);
    } catch (error) {
      // The work dir stays: its logs/rocketmqlogs say why the broker or proxy did not come up.
      await cluster.stopProcesses();
      throw error;
    }
    return cluster;
  }

  get address(): RocketMqAddress {
    return { endpoints: `127.0.0.1:${this.ports.proxyGrpc}`, namesrv: `127.0.0.1:${this.ports.namesrv}` };
  }

  get running(): boolean {
    return this.proxy.running;
  }

  /** Starts a stopped proxy and broker again and waits until a message can be sent. */
  async start(timeoutMs = 240_000): Promise<void> {
    this.namesrv.start();
    this.proxy.start();
    await this.waitUsable(timeoutMs);
  }

  /** Stops the proxy and its broker (the name server stays). */
  async stop(): Promise<void> {
    await this.proxy.stop(5_000);
  }

  /** Stops everything and removes the store and logs, for the end of a test run. */
  async stopAll(): Promise<void> {
    await this.stopProcesses();
    rmSync(this.workDir, { recursive: true, force: true });
  }

  private async stopProcesses(): Promise<void> {
    await this.proxy.stop(5_000);
    await this.namesrv.stop(5_000);
  }

  private async waitUsable(timeoutMs: number): Promise<void> {
    await waitUntil(() => rocketMqSendProbe(this.address.endpoints), {
      what: `RocketMQ cluster ${this.name} (${this.address.endpoints}) to store a message`,
      timeoutMs,
      intervalMs: 500,
      detail: () => this.proxy.tail(),
    });
  }
}
