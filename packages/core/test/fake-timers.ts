import { afterEach, beforeEach, vi } from 'vitest';

/**
 * Runs every test of the calling file or describe block on fake timers (from `now` if given): a
 * wait costs no wall-clock time. Called before the block's own hooks, it restores real timers
 * after them, so their cleanup (a shutdown's grace period) still runs on fake time.
 */
export function onFakeTimers(now?: Date): void {
  beforeEach(() => {
    vi.useFakeTimers(now ? { now } : {});
  });
  afterEach(() => {
    vi.useRealTimers();
  });
}
