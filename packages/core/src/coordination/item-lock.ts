import type { Registry, Unsubscribe } from '../registry/registry.js';
import type { JobPaths } from './job-paths.js';
import { RegistryNodeExistsError } from '../errors/registry-node-exists-error.js';
import { ShardflowError } from '../errors/shardflow-error.js';
import { serializeRunLock } from './run-lock.js';
import { delay } from '../util/delay.js';

const RELEASE_RETRY_BASE_MS = 50;
const RELEASE_RETRY_MAX_MS = 1_000;

/**
 * The per-item run lock: an ephemeral node /{job}/running/{item}. Whoever holds it runs the
 * item; a new owner waits until the previous one lets go (finished its batch after being
 * reassigned) or its session ends. This is what makes resharding safe without stopping the
 * whole job: only a moved item waits, and only for its own previous owner.
 *
 * A lock belongs to the registry session that took it, and every request about it is bound to
 * that session: a process that was frozen past its session timeout and then resumes can neither
 * take the lock under a newer session for its stale run nor release the lock that the item's new
 * owner holds at the same path.
 */
export class ItemLock {
  constructor(
    private readonly registry: Registry,
    private readonly paths: JobPaths,
    private readonly instanceId: string,
  ) {}

  /** Takes the item's lock for `session`; waits while another session holds it. */
  async acquire(item: number, epoch: number, session: string, signal: AbortSignal): Promise<void> {
    const path = this.paths.runningItem(item);
    const data = serializeRunLock({ instance: this.instanceId, epoch, startedAt: Date.now() });
    for (;;) {
      signal.throwIfAborted();
      try {
        await this.registry.create(path, data, { ephemeral: true, session });
        return;
      } catch (error) {
        if (!(error instanceof RegistryNodeExistsError)) throw error;
      }
      const holder = await this.registry.get(path);
      if (holder?.ephemeralOwner === session) {
        // Ours, from this very session: a create whose answer a connection loss swallowed, or a
        // release that failed. This process runs an item once at a time, so nothing else of ours
        // stands behind it; take it again with this run's data.
        await this.registry.removeOwned(path, session);
        continue;
      }
      await this.waitUntilGone(path, signal);
    }
  }

  /**
   * Lets go of the lock if `session` still holds it; never touches another session's lock. A
   * connection hiccup is waited out while the session lasts: a lock left behind would make the
   * item's next owner wait until our session ends.
   */
  async release(item: number, session: string): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      try {
        await this.registry.removeOwned(this.paths.runningItem(item), session);
        return;
      } catch (error) {
        const worthWaiting = ShardflowError.is(error) && error.retriable && this.registry.state !== 'closed' && this.registry.sessionId === session;
        if (!worthWaiting) throw error;
        await delay(Math.min(RELEASE_RETRY_MAX_MS, RELEASE_RETRY_BASE_MS * 2 ** attempt), { unref: true });
      }
    }
  }

  private async waitUntilGone(path: string, signal: AbortSignal): Promise<void> {
    let unsubscribe: Unsubscribe | undefined;
    let onAbort: (() => void) | undefined;
    try {
      await new Promise<void>((resolve, reject) => {
        onAbort = () => reject(signal.reason);
        signal.addEventListener('abort', onAbort, { once: true });
        unsubscribe = this.registry.watchData(path, (node) => {
          if (!node) resolve();
        });
      });
    } finally {
      unsubscribe?.();
      if (onAbort) signal.removeEventListener('abort', onAbort);
    }
  }
}
