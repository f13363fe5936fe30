import { afterEach, describe, expect, it } from 'vitest';
import { FaultProxy, testServices, uniqueNamespace, waitUntil } from '@shardflow/testkit';
import { JobScheduler, RegistryConnectionError, ZookeeperRegistry, type ConnectionState, type Registry } from '../../../src/index.js';
import { describeRegistryConformance } from '../../registry-conformance.js';


describeRegistryConformance('ZooKeeper', () => {
  const namespace = uniqueNamespace('conformance');
  const opened: ZookeeperRegistry[] = [];
  const proxies = new Map<Registry, FaultProxy>();
  return {
    open: async () => {
      // Each registry goes through its own fault proxy, so `expire` can cut exactly that one off.
      const proxy = await FaultProxy.start({ target: testServices().zookeeper });
      const registry = new ZookeeperRegistry({ connectString: proxy.address, namespace, sessionTimeoutMs: 2_000 });
      await registry.connect();
      opened.push(registry);
      proxies.set(registry, proxy);
      return registry;
    },
    expire: async (registry: Registry) => {
      const proxy = proxies.get(registry) as FaultProxy;
      const before = registry.sessionId;
      proxy.blackhole();
      await waitUntil(() => registry.state === 'lost', { timeoutMs: 10_000 });
      proxy.pass();
      await waitUntil(() => registry.state === 'connected' && registry.sessionId !== before, { timeoutMs: 15_000 });
    },
    cleanup: async () => {
      for (const registry of opened) await registry.close();
      for (const proxy of proxies.values()) await proxy.close();
    },
  };
});

describe('ZookeeperRegistry against a real server', () => {
  const cleanups: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  it('digest ACL: a client without the credentials cannot change our nodes', async () => {
    const namespace = uniqueNamespace('acl');
    const owner = new ZookeeperRegistry({ connectString: testServices().zookeeper, namespace, digest: 'shardflow:secret' });
    await owner.connect();
    cleanups.push(() => owner.close());
    await owner.create('/guarded', 'mine');
    const stranger = new ZookeeperRegistry({ connectString: testServices().zookeeper, namespace });
    await stranger.connect();
    cleanups.push(() => stranger.close());
    await expect(stranger.set('/guarded', 'theirs')).rejects.toThrow(/guarded/);
    expect((await owner.get('/guarded'))?.data).toBe('mine');
  });

  it('names the connect string when no server answers in time', async () => {
    const registry = new ZookeeperRegistry({ connectString: '127.0.0.1:1', namespace: 'nowhere', connectionTimeoutMs: 1_500 });
    await expect(registry.connect()).rejects.toSatisfy((error: unknown) => error instanceof RegistryConnectionError && error.message.includes('127.0.0.1:1'));
    await registry.close();
  });

  it('partitioned: suspended after a third of the timeout, lost after the timeout, then a new session with its ephemeral node back', async () => {
    const proxy = await FaultProxy.start({ target: testServices().zookeeper });
    cleanups.push(() => proxy.close());
    const registry = new ZookeeperRegistry({ connectString: proxy.address, namespace: uniqueNamespace('partition'), sessionTimeoutMs: 3_000 });
    await registry.connect();
    cleanups.push(() => registry.close());
    await registry.create('/me', 'alive', { ephemeral: true, restoreOnNewSession: true });
    const timeout = registry.sessionTimeoutMs;
    const states: Array<{ state: ConnectionState; at: number }> = [];
    registry.on('state', (state) => states.push({ state, at: Date.now() }));
    const session = registry.sessionId;
    const cutAt = Date.now();
    proxy.blackhole();
    await waitUntil(() => states.some((entry) => entry.state === 'suspended'), { timeoutMs: timeout });
    const contactAtSuspension = registry.lastServerContactAt();
    expect(contactAtSuspension).toBeLessThanOrEqual(cutAt);
    await waitUntil(() => states.some((entry) => entry.state === 'lost'), { timeoutMs: timeout * 2 });
    const lost = states.find((entry) => entry.state === 'lost') as { at: number };
    expect(lost.at - contactAtSuspension).toBeGreaterThanOrEqual(timeout);
    expect(registry.lastServerContactAt()).toBe(contactAtSuspension);
    proxy.pass();
    await waitUntil(() => registry.state === 'connected', { timeoutMs: 20_000 });
    expect(registry.sessionId).not.toBe(session);
    expect((await registry.get('/me'))?.data).toBe('alive');
  });

  // node-zookeeper-client may never answer a request sent while the server is gone; before every
  // request had a deadline, a Ctrl-C in this window waited forever.
  it.each([0.3, 0.5, 0.8])('a scheduler stops, and its registry closes, when ZooKeeper went away %s of a session timeout earlier', async (fraction) => {
    const proxy = await FaultProxy.start({ target: testServices().zookeeper });
    const registry = new ZookeeperRegistry({ connectString: proxy.address, namespace: uniqueNamespace('gone'), sessionTimeoutMs: 3_000 });
    registry.on('error', () => undefined);
    await registry.connect();
    const scheduler = new JobScheduler(registry, { execute: () => new Promise((resolve) => setTimeout(resolve, 50)) }, { jobName: 'gone', cron: '* * * * * ?', shardingTotalCount: 4 });
    scheduler.on('error', () => undefined);
    scheduler.on('itemFailed', () => undefined);
    await scheduler.start();
    await waitUntil(() => scheduler.items.length === 4, { timeoutMs: 15_000 });
    await proxy.close();
    await new Promise((resolve) => setTimeout(resolve, registry.sessionTimeoutMs * fraction));
    const hung = new Promise<'hung'>((resolve) => setTimeout(() => resolve('hung'), 30_000).unref());
    const stopped = (async () => {
      await scheduler.shutdown();
      await registry.close();
      return 'stopped' as const;
    })();
    expect(await Promise.race([stopped, hung])).toBe('stopped');
    expect(registry.state).toBe('closed');
  }, 60_000);
});
