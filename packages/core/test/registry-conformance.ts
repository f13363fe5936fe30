import { setTimeout as sleep } from 'node:timers/promises';
import { waitUntil, type WaitUntilOptions } from '@shardflow/testkit/wait-until';
import { describe, expect, it } from 'vitest';
import {
  RegistryNodeExistsError, RegistrySessionChangedError, RegistryTransactionError, RegistryVersionConflictError,
  type NodeData, type Registry,
} from '../src/index.js';

export interface RegistryHarness {
  /** A connected registry on a fresh namespace shared by every call within one test. */
  open(): Promise<Registry>;
  /** Ends the session of `registry` the way a server expiry does, and waits for the new session. */
  expire(registry: Registry): Promise<void>;
  /** Closes everything opened by this harness. */
  cleanup(): Promise<void>;
  /** How time passes while a test waits; default a real timer (a harness on fake timers advances them). */
  readonly pause?: (ms: number) => Promise<unknown>;
}

/** Polls `condition` on the harness's clock. */
function until(h: RegistryHarness, condition: () => boolean | Promise<boolean>, options: WaitUntilOptions = {}): Promise<void> {
  return waitUntil(condition, { ...options, pause: h.pause });
}


/** The behaviour every Registry implementation must have; run against each of them. */
export function describeRegistryConformance(name: string, harness: () => RegistryHarness): void {
  describe(`${name} registry conformance`, () => {
    async function withHarness(test: (h: RegistryHarness) => Promise<void>): Promise<void> {
      const h = harness();
      try {
        await test(h);
      } finally {
        await h.cleanup();
      }
    }

    it('creates with parents, reads, sets with versions and removes recursively', () => withHarness(async (h) => {
      const registry = await h.open();
      expect(await registry.create('/a/b/c', 'data')).toBe('/a/b/c');
      expect(await registry.exists('/a/b')).toBe(true);
      const node = (await registry.get('/a/b/c')) as NodeData;
      expect(node.data).toBe('data');
      const updated = await registry.set('/a/b/c', 'next', node.version);
      expect(updated.version).toBe(node.version + 1);
      expect(updated.modifiedRevision).toBeGreaterThan(node.modifiedRevision);
      await expect(registry.set('/a/b/c', 'stale', node.version)).rejects.toBeInstanceOf(RegistryVersionConflictError);
      await expect(registry.create('/a/b/c')).rejects.toBeInstanceOf(RegistryNodeExistsError);
      await registry.put('/a/b/c', 'put');
      await registry.put('/a/new', 'fresh');
      expect((await registry.get('/a/b/c'))?.data).toBe('put');
      expect(await registry.getChildren('/a')).toEqual(['b', 'new']);
      await registry.remove('/a');
      expect(await registry.get('/a/b/c')).toBeUndefined();
      expect(await registry.getChildren('/a')).toEqual([]);
      await registry.remove('/never-there');
    }));

    it('numbers sequential nodes in creation order', () => withHarness(async (h) => {
      const registry = await h.open();
      const first = await registry.create('/seq/member-', 'x', { sequential: true });
      const second = await registry.create('/seq/member-', 'y', { sequential: true });
      expect(first < second).toBe(true);
      expect(first).toMatch(/^\/seq\/member-\d{10}$/);
    }));

    it('applies a multi-operation atomically', () => withHarness(async (h) => {
      const registry = await h.open();
      await registry.create('/tx/a', 'a');
      await expect(registry.transaction([
        { op: 'set', path: '/tx/a', data: 'changed' },
        { op: 'create', path: '/tx/b', data: 'b' },
        { op: 'check', path: '/tx/missing' },
      ])).rejects.toSatisfy((error: unknown) => error instanceof RegistryTransactionError && error.failedIndex === 2);
      expect((await registry.get('/tx/a'))?.data).toBe('a');
      expect(await registry.exists('/tx/b')).toBe(false);
      const version = (await registry.get('/tx/a'))?.version as number;
      await registry.transaction([{ op: 'check', path: '/tx/a', version }, { op: 'set', path: '/tx/a', data: 'both', version }, { op: 'create', path: '/tx/b', data: 'b' }]);
      expect((await registry.get('/tx/a'))?.data).toBe('both');
      expect(await registry.exists('/tx/b')).toBe(true);
    }));

    it('drops ephemeral nodes with the session; restores only those marked restoreOnNewSession', () => withHarness(async (h) => {
      const owner = await h.open();
      const observer = await h.open();
      await owner.create('/eph/restored', 'me', { ephemeral: true, restoreOnNewSession: true });
      await owner.create('/eph/lock', 'me', { ephemeral: true });
      await owner.create('/eph/persistent', 'stays');
      const before = owner.sessionId;
      await h.expire(owner);
      expect(owner.sessionId).not.toBe(before);
      await until(h, () => owner.state === 'connected');
      // The server ends the old session on its own clock, which may run a little behind ours.
      await until(h, async () => !(await observer.exists('/eph/lock')), { timeoutMs: 15_000 });
      // The restored node belongs to the new session (once the old session's copy is gone).
      await until(h, async () => (await observer.get('/eph/restored'))?.ephemeralOwner === owner.sessionId, { timeoutMs: 15_000 });
      expect((await observer.get('/eph/restored'))?.data).toBe('me');
      expect(await observer.exists('/eph/persistent')).toBe(true);
      await owner.close(); // resolves once the session has ended: its ephemerals are gone for everyone
      expect(await observer.exists('/eph/restored')).toBe(false);
    }));

    it('names the owning session of an ephemeral node; removeOwned removes only a node of the given, current session', () => withHarness(async (h) => {
      const owner = await h.open();
      const other = await h.open();
      await owner.create('/owned/lock', 'mine', { ephemeral: true });
      await owner.create('/owned/persistent', 'stays');
      expect((await other.get('/owned/lock'))?.ephemeralOwner).toBe(owner.sessionId);
      expect((await other.get('/owned/persistent'))?.ephemeralOwner).toBeUndefined();
      expect(await other.removeOwned('/owned/lock', other.sessionId)).toBe(false);
      expect(await other.removeOwned('/owned/lock', owner.sessionId)).toBe(false);
      expect(await owner.removeOwned('/owned/persistent', owner.sessionId)).toBe(false);
      expect(await other.exists('/owned/lock')).toBe(true);

      // The old session ends while its owner is cut off; another session takes the path. A late
      // removal in the old session's name (a resumed process, a retry) must not touch the new node.
      const oldSession = owner.sessionId;
      await h.expire(owner);
      await until(h, async () => !(await other.exists('/owned/lock')), { timeoutMs: 15_000 });
      await other.create('/owned/lock', 'theirs', { ephemeral: true });
      expect(await owner.removeOwned('/owned/lock', oldSession)).toBe(false);
      expect((await other.get('/owned/lock'))?.data).toBe('theirs');
      expect(await other.removeOwned('/owned/lock', other.sessionId)).toBe(true);
      expect(await other.exists('/owned/lock')).toBe(false);
    }));

    it('a create bound to a session that has ended is refused, never made in the new session', () => withHarness(async (h) => {
      const registry = await h.open();
      const oldSession = registry.sessionId;
      await h.expire(registry);
      await expect(registry.create('/bound/lock', 'late', { ephemeral: true, session: oldSession }))
        .rejects.toBeInstanceOf(RegistrySessionChangedError);
      expect(await registry.exists('/bound/lock')).toBe(false);
      await registry.create('/bound/lock', 'now', { ephemeral: true, session: registry.sessionId });
      expect((await registry.get('/bound/lock'))?.ephemeralOwner).toBe(registry.sessionId);
    }));

    it('watches data: current value first, then every change, latest last', () => withHarness(async (h) => {
      const registry = await h.open();
      const writer = await h.open();
      const seen: Array<string | undefined> = [];
      const unsubscribe = registry.watchData('/watched', (node) => seen.push(node?.data));
      await until(h, () => seen.length === 1);
      expect(seen).toEqual([undefined]);
      await writer.create('/watched', 'one');
      await until(h, () => seen[seen.length - 1] === 'one');
      await writer.set('/watched', 'two');
      await writer.set('/watched', 'three');
      await until(h, () => seen[seen.length - 1] === 'three');
      await writer.remove('/watched');
      await until(h, () => seen[seen.length - 1] === undefined && seen.length > 2);
      unsubscribe();
      const count = seen.length;
      await writer.create('/watched', 'after');
      await (h.pause ?? sleep)(300);
      expect(seen).toHaveLength(count);
    }));

    it('watches children, also of a node that does not exist yet', () => withHarness(async (h) => {
      const registry = await h.open();
      const writer = await h.open();
      const seen: string[][] = [];
      registry.watchChildren('/parent', (children) => seen.push(children));
      await until(h, () => seen.length === 1);
      expect(seen[0]).toEqual([]);
      await writer.create('/parent/x');
      await until(h, () => seen[seen.length - 1]?.join() === 'x');
      await writer.create('/parent/y', '', { ephemeral: true });
      await until(h, () => seen[seen.length - 1]?.join() === 'x,y');
      await writer.close();
      await until(h, () => seen[seen.length - 1]?.join() === 'x');
    }));

    it('keeps watching across a session loss', () => withHarness(async (h) => {
      const registry = await h.open();
      const writer = await h.open();
      const seen: Array<string | undefined> = [];
      registry.watchData('/survives', (node) => seen.push(node?.data));
      await until(h, () => seen.length === 1);
      await h.expire(registry);
      await writer.put('/survives', 'after-expiry');
      await until(h, () => seen[seen.length - 1] === 'after-expiry');
    }));

    it('isolates namespaces', () => withHarness(async (h) => {
      const registry = await h.open();
      await registry.create('/isolated', 'mine');
      const other = harness();
      try {
        const foreign = await other.open();
        expect(await foreign.exists('/isolated')).toBe(false);
      } finally {
        await other.cleanup();
      }
    }));
  });
}
