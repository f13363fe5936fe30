import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveServiceJars } from '../java/service-jars.js';
import { JvmProcess } from '../java/jvm-process.js';
import { freePort } from '../ports.js';
import { waitUntil } from '../wait-until.js';
import { isServing } from './four-letter-word.js';

export interface ZooKeeperMember {
  readonly id: number;
  readonly clientPort: number;
  readonly quorumPort: number;
  readonly electionPort: number;
}

/** zoo.cfg of one member; `members` has one entry for a standalone server. */
export function renderZooCfg(dataDir: string, self: ZooKeeperMember, members: readonly ZooKeeperMember[]): string {
  const lines = [
    'tickTime=500',
    'initLimit=20',
    'syncLimit=10',
    `dataDir=${dataDir}`,
    `clientPort=${self.clientPort}`,
    'clientPortAddress=127.0.0.1',
    // Tests use session timeouts from 1 s (fencing) to 30 s.
    'minSessionTimeout=1000',
    'maxSessionTimeout=30000',
    'maxClientCnxns=0',
    '4lw.commands.whitelist=*',
    'admin.enableServer=false',
    'autopurge.purgeInterval=0',
  ];
  if (members.length > 1) {
    for (const member of members) lines.push(`server.${member.id}=127.0.0.1:${member.quorumPort}:${member.electionPort}`);
  }
  return `${lines.join('\n')}\n`;
}

class ZooKeeperNode {
  readonly process: JvmProcess;

  constructor(
    readonly member: ZooKeeperMember,
    members: readonly ZooKeeperMember[],
    workDir: string,
    classpathDir: string,
  ) {
    const dataDir = join(workDir, 'data');
    mkdirSync(dataDir, { recursive: true });
    if (members.length > 1) writeFileSync(join(dataDir, 'myid'), String(member.id));
    const cfg = join(workDir, 'zoo.cfg');
    writeFileSync(cfg, renderZooCfg(dataDir, member, members));
    this.process = new JvmProcess({
      name: `zookeeper-${member.id}`,
      classpathDir,
      mainClass: 'org.apache.zookeeper.server.quorum.QuorumPeerMain',
      args: [cfg],
      workDir,
      heapMb: 128,
    });
  }

  get address(): string {
    return `127.0.0.1:${this.member.clientPort}`;
  }
}

async function allocateMembers(size: number): Promise<ZooKeeperMember[]> {
  const members: ZooKeeperMember[] = [];
  for (let id = 1; id <= size; id++) {
    members.push({ id, clientPort: await freePort(), quorumPort: await freePort(), electionPort: await freePort() });
  }
  return members;
}

/**
 * ZooKeeper on loopback: one standalone server (`size` 1) or an ensemble whose members can be
 * stopped and started one by one. Data survives a restart of a member.
 */
export class ZooKeeperEnsemble {
  private constructor(private readonly nodes: readonly ZooKeeperNode[]) {}

  static async start(options: { size?: number; startTimeoutMs?: number } = {}): Promise<ZooKeeperEnsemble> {
    const size = options.size ?? 1;
    const classpathDir = await resolveServiceJars();
    const workRoot = mkdtempSync(join(tmpdir(), 'shardflow-zk-'));
    const members = await allocateMembers(size);
    const ensemble = new ZooKeeperEnsemble(members.map((member) => new ZooKeeperNode(member, members, join(workRoot, `member-${member.id}`), classpathDir)));
    for (const node of ensemble.nodes) node.process.start();
    await Promise.all(ensemble.nodes.map((node) => ensemble.waitServing(node, options.startTimeoutMs ?? 60_000)));
    return ensemble;
  }

  /** Client connect string naming every member. */
  get connectString(): string {
    return this.nodes.map((node) => node.address).join(',');
  }

  get size(): number {
    return this.nodes.length;
  }

  async stopMember(index: number): Promise<void> {
    await this.node(index).process.stop();
  }

  async startMember(index: number, timeoutMs = 60_000): Promise<void> {
    const node = this.node(index);
    node.process.start();
    await this.waitServing(node, timeoutMs);
  }

  async stop(): Promise<void> {
    await Promise.all(this.nodes.map((node) => node.process.stop()));
  }

  /** Restart of every member, same ports and data. */
  async start(timeoutMs = 60_000): Promise<void> {
    for (const node of this.nodes) node.process.start();
    await Promise.all(this.nodes.map((node) => this.waitServing(node, timeoutMs)));
  }

  private node(index: number): ZooKeeperNode {
    const node = this.nodes[index];
    if (!node) throw new RangeError(`ZooKeeper member index ${index} out of 0..${this.nodes.length - 1}`);
    return node;
  }

  private waitServing(node: ZooKeeperNode, timeoutMs: number): Promise<void> {
    return waitUntil(() => isServing('127.0.0.1', node.member.clientPort), { what: `ZooKeeper ${node.address} to serve`, timeoutMs, intervalMs: 250, detail: () => node.process.tail() });
  }
}
