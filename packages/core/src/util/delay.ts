/**
 * Resolves after `ms`. It goes through the global `setTimeout` (not `node:timers/promises`), so a
 * test on fake timers controls every wait of the scheduler. `unref` lets the process exit meanwhile.
 */
export function delay(ms: number, options: { readonly unref?: boolean } = {}): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    if (options.unref) timer.unref();
  });
}
