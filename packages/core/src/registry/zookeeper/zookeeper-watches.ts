import zookeeper from 'node-zookeeper-client';
import type { NodeData, Unsubscribe } from '../registry.js';
import { WatchDelivery } from '../watch-delivery.js';
import { toError } from '../../util/to-error.js';
import { isRetriableZookeeperError, toRegistryError, zookeeperCode } from './zookeeper-errors.js';
import { toNodeData } from './zookeeper-encoding.js';
import type { ZookeeperSession } from './zookeeper-session.js';

interface Watch {
  readonly kind: 'data' | 'children';
  readonly path: string;
  readonly delivery: WatchDelivery<never>;
  generation: number;
}

/**
 * Persistent watches over ZooKeeper's one-shot ones: each firing re-reads the node and arms the
 * next watch in the same request. After a suspension or a new session every watch is re-read and
 * re-armed, and delivers again even if the value did not change (listeners may have missed
 * changes while we were cut off). A generation number makes watchers left over from an earlier
 * arm do nothing.
 */
export class ZookeeperWatches {
  private readonly watches = new Set<Watch>();

  constructor(
    private readonly session: ZookeeperSession,
    private readonly fullPath: (path: string) => string,
    private readonly onError: (error: Error) => void,
  ) {}

  watchData(path: string, listener: (node: NodeData | undefined) => void): Unsubscribe {
    return this.add('data', path, listener);
  }

  watchChildren(path: string, listener: (children: string[]) => void): Unsubscribe {
    return this.add('children', path, listener);
  }

  rearmAll(): void {
    for (const watch of this.watches) {
      watch.delivery.forgetLast();
      this.arm(watch);
    }
  }

  closeAll(): void {
    for (const watch of this.watches) watch.delivery.close();
    this.watches.clear();
  }

  private add<T>(kind: Watch['kind'], path: string, listener: (value: T) => void): Unsubscribe {
    const watch: Watch = {
      kind,
      path,
      delivery: new WatchDelivery<T>(listener, (error) => this.onError(toError(error))) as WatchDelivery<never>,
      generation: 0,
    };
    this.watches.add(watch);
    this.arm(watch);
    return () => {
      watch.delivery.close();
      this.watches.delete(watch);
    };
  }

  private arm(watch: Watch): void {
    const client = this.session.currentClient;
    if (!watch.delivery.isActive || !client) return;
    watch.generation += 1;
    const generation = watch.generation;
    const full = this.fullPath(watch.path);
    const rearm = (): void => {
      if (watch.delivery.isActive && watch.generation === generation) this.arm(watch);
    };
    const sentAt = Date.now();
    const deliver = (value: NodeData | string[] | undefined): void => {
      this.session.touch(sentAt);
      (watch.delivery as WatchDelivery<NodeData | string[] | undefined>).deliver(value);
    };
    const failed = (error: unknown): void => {
      // Connection trouble: the session re-arms every watch once it answers again.
      if (!isRetriableZookeeperError(error) && zookeeperCode(error) !== zookeeper.Exception.SESSION_EXPIRED) this.onError(toRegistryError(error, watch.path));
    };
    // A missing node is watched for creation with `exists`; if it appeared meanwhile, read again.
    const whenMissing = (absent: NodeData | string[] | undefined): void => {
      client.exists(full, rearm, (error, stat) => {
        if (error) failed(error);
        else if (stat) rearm();
        else deliver(absent);
      });
    };
    if (watch.kind === 'children') {
      client.getChildren(full, rearm, (error, children) => {
        if (zookeeperCode(error) === zookeeper.Exception.NO_NODE) whenMissing([]);
        else if (error) failed(error);
        else deliver([...children].sort());
      });
      return;
    }
    client.getData(full, rearm, (error, data, stat) => {
      if (zookeeperCode(error) === zookeeper.Exception.NO_NODE) whenMissing(undefined);
      else if (error) failed(error);
      else deliver(toNodeData(data, stat));
    });
  }
}
