import type { Registry, Unsubscribe } from '../registry/registry.js';
import type { JobPaths } from '../registry/job-paths.js';
import { RegistryNodeExistsError } from '../errors/registry-node-exists-error.js';
import { parseRunLock, serializeRunLock } from '../state/run-lock.js';

/**
 * The per-item run lock: an ephemeral node /{job}/running/{item}. Whoever holds it runs the
 * item; a new owner waits until the previous one lets go (finished its batch after being
 * reassigned) or its session ends. This is what makes resharding safe without stopping the
 * whole job: only a moved item waits, and only for its own previous owner.
 */
export class ItemLock {
  constructor(
    private readonly registry: Registry,
    private readonly paths: JobPaths,
    private readonly instanceId: string,
    /** True while this process runs the item: a lock of ours that it does not explain is stale. */
    private readonly runningLocally: (item: number) => boolean,
  ) {}

  async acquire(item: number, epoch: number, signal: AbortSignal): Promise<void> {
    const path = this.paths.runningItem(item);
    const data = serializeRunLock({ instance: this.instanceId, epoch, startedAt: Date.now() });
    for (;;) {
      signal.throwIfAborted();
      try {
        await this.registry.create(path, data, { ephemeral: true });
        return;
      } catch (error) {
        if (!(error instanceof RegistryNodeExistsError)) throw error;
      }
      const holder = await this.registry.get(path);
      if (holder && parseRunLock(holder.data).instance === this.instanceId && !this.runningLocally(item)) {
        // Left by an earlier session of ours (or a failed release): nothing of ours runs it.
        await this.registry.remove(path);
        continue;
      }
      await this.waitUntilGone(path, signal);
    }
  }

  async release(item: number): Promise<void> {
    await this.registry.remove(this.paths.runningItem(item));
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
