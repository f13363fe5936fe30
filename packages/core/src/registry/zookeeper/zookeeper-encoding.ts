import { createHash } from 'node:crypto';
import zookeeper from 'node-zookeeper-client';
import type { CreateOptions, NodeData } from '../registry.js';

/** How node-zookeeper-client's data and stats become the registry's NodeData. */
export function toNodeData(data: Buffer | undefined, stat: zookeeper.Stat): NodeData {
  const revision = stat.mzxid.readBigUInt64BE(0);
  if (revision > BigInt(Number.MAX_SAFE_INTEGER)) throw new RangeError(`ZooKeeper zxid ${revision} exceeds 2^53`);
  return { data: data ? data.toString() : '', version: stat.version, modifiedRevision: Number(revision), ephemeralOwner: ownerOf(stat) };
}

/** The owning session's id in the registry's `sessionId` form, or undefined for a persistent node. */
export function ownerOf(stat: zookeeper.Stat): string | undefined {
  return stat.ephemeralOwner.every((byte) => byte === 0) ? undefined : stat.ephemeralOwner.toString('hex');
}

export function createMode(options: CreateOptions): number {
  if (options.ephemeral) return options.sequential ? zookeeper.CreateMode.EPHEMERAL_SEQUENTIAL : zookeeper.CreateMode.EPHEMERAL;
  return options.sequential ? zookeeper.CreateMode.PERSISTENT_SEQUENTIAL : zookeeper.CreateMode.PERSISTENT;
}

/** The ACLs of every node we create: open, or only for the digest user. */
export function nodeAcls(digest: string | undefined): zookeeper.ACL[] {
  return digest === undefined
    ? [new zookeeper.ACL(zookeeper.Permission.ALL, new zookeeper.Id('world', 'anyone'))]
    : [new zookeeper.ACL(zookeeper.Permission.ALL, new zookeeper.Id('digest', digestId(digest)))];
}

/** ZooKeeper's digest ACL id: `user:base64(sha1(user:password))`. */
function digestId(credentials: string): string {
  const user = credentials.slice(0, credentials.indexOf(':'));
  return `${user}:${createHash('sha1').update(credentials).digest('base64')}`;
}
