import { EventEmitter } from 'eventemitter3';
import { RegistryNoNodeError } from '../../errors/registry-no-node-error.js';
import { RegistryNodeExistsError } from '../../errors/registry-node-exists-error.js';
import { RegistryVersionConflictError } from '../../errors/registry-version-conflict-error.js';
import { RegistryTransactionError } from '../../errors/registry-transaction-error.js';
import type { NodeData, RegistryOperation } from '../registry.js';
import { childOf, parentOf } from '../node-path.js';

interface StoredNode {
  data: string;
  version: number;
  revision: number;
  /** Session that owns an ephemeral node. */
  owner: string | undefined;
  sequence: number;
}

/**
 * The "server" behind in-memory registries: one tree shared by every `InMemoryRegistry` built on
 * it, so several schedulers in one process behave like several ZooKeeper sessions. Emits `change`
 * with the path whose data changed and `children` with the parent whose child list changed.
 */
export class InMemoryRegistryStore extends EventEmitter<{ change: (path: string) => void; children: (path: string) => void }> {
  private readonly nodes = new Map<string, StoredNode>([['/', { data: '', version: 0, revision: 0, owner: undefined, sequence: 0 }]]);
  private revision = 0;

  get(path: string): NodeData | undefined {
    const node = this.nodes.get(path);
    return node && { data: node.data, version: node.version, modifiedRevision: node.revision, ephemeralOwner: node.owner };
  }

  children(path: string): string[] {
    const prefix = path === '/' ? '/' : `${path}/`;
    const names: string[] = [];
    for (const key of this.nodes.keys()) {
      if (key !== '/' && key.startsWith(prefix) && !key.slice(prefix.length).includes('/')) names.push(key.slice(prefix.length));
    }
    return names.sort();
  }

  /** Creates missing parents as persistent empty nodes, then the node itself. */
  create(path: string, data: string, options: { owner?: string; sequential?: boolean; parents?: boolean }): string {
    const parent = parentOf(path);
    if (!this.nodes.has(parent)) {
      if (options.parents === false) throw new RegistryNoNodeError(parent);
      this.create(parent, '', {});
    }
    const parentNode = this.nodes.get(parent) as StoredNode;
    let actual = path;
    if (options.sequential) {
      actual = `${path}${String(parentNode.sequence).padStart(10, '0')}`;
      parentNode.sequence += 1;
    }
    if (this.nodes.has(actual)) throw new RegistryNodeExistsError(actual);
    this.revision += 1;
    this.nodes.set(actual, { data, version: 0, revision: this.revision, owner: options.owner, sequence: 0 });
    this.emit('change', actual);
    this.emit('children', parent);
    return actual;
  }

  set(path: string, data: string, version = -1): NodeData {
    const node = this.nodes.get(path);
    if (!node) throw new RegistryNoNodeError(path);
    if (version >= 0 && node.version !== version) throw new RegistryVersionConflictError(path);
    this.revision += 1;
    node.data = data;
    node.version += 1;
    node.revision = this.revision;
    this.emit('change', path);
    return { data, version: node.version, modifiedRevision: node.revision, ephemeralOwner: node.owner };
  }

  remove(path: string, version = -1): void {
    const node = this.nodes.get(path);
    if (!node) return;
    if (version >= 0 && node.version !== version) throw new RegistryVersionConflictError(path);
    for (const child of this.children(path)) this.remove(childOf(path, child));
    this.nodes.delete(path);
    this.revision += 1;
    this.emit('change', path);
    this.emit('children', parentOf(path));
  }

  /** All or nothing: checks every operation against the current tree before applying any. */
  transaction(operations: readonly RegistryOperation[], owner: string): void {
    operations.forEach((operation, index) => {
      const node = this.nodes.get(operation.path);
      const fail = (reason: string): never => {
        throw new RegistryTransactionError(index, operation.path, reason);
      };
      if (operation.op === 'create') {
        if (node) fail('node exists');
        if (!this.nodes.has(parentOf(operation.path)) && !operations.slice(0, index).some((o) => o.op === 'create' && o.path === parentOf(operation.path))) fail('parent does not exist');
      } else {
        if (!node) fail('node does not exist');
        const expected = 'version' in operation ? operation.version : undefined;
        if (expected !== undefined && expected >= 0 && node?.version !== expected) fail('version conflict');
      }
    });
    for (const operation of operations) {
      if (operation.op === 'create') this.create(operation.path, operation.data, { owner: operation.ephemeral ? owner : undefined });
      else if (operation.op === 'set') this.set(operation.path, operation.data);
      else if (operation.op === 'remove') this.remove(operation.path);
    }
  }

  /** Drops every ephemeral node of a session, as a ZooKeeper server does when it expires it. */
  endSession(owner: string): void {
    for (const [path, node] of [...this.nodes]) if (node.owner === owner) this.remove(path);
  }
}
