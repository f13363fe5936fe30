export interface WaitUntilOptions {
  /** What is awaited, for the timeout error. Default 'a condition'. */
  readonly what?: string;
  /** Default 10 000 ms. */
  readonly timeoutMs?: number;
  /** Pause between checks. Default 10 ms. */
  readonly intervalMs?: number;
  /** Extra context for the timeout error (a process's last output, say). */
  readonly detail?: () => string;
  /**
   * How the time between checks passes; default a real timer. A test on fake timers passes
   * `(ms) => vi.advanceTimersByTimeAsync(ms)`: the wait then costs no wall-clock time, and
   * `timeoutMs` counts fake milliseconds.
   */
  readonly pause?: (ms: number) => Promise<unknown>;
}

const realPause = (ms: number): Promise<unknown> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Polls `condition` until it holds, or fails naming what it waited for. A check that throws counts
 * as "not yet" (a service still starting refuses connections); the last error is in the message.
 */
export async function waitUntil(condition: () => boolean | Promise<boolean>, options: WaitUntilOptions = {}): Promise<void> {
  const { what = 'a condition', timeoutMs = 10_000, intervalMs = 10, detail = () => '', pause = realPause } = options;
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      if (await condition()) return;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() >= deadline) break;
    await pause(intervalMs);
  }
  const reason = lastError instanceof Error ? ` (last error: ${lastError.message})` : '';
  throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}${reason}\n${detail()}`.trimEnd());
}

/**
 * Waits, as `waitUntil` does, until `promise` settles, and returns its outcome. On fake timers this
 * lets time pass for work that waits on timers (a watch's delivery, a shutdown's grace period).
 */
export async function untilSettled<T>(promise: Promise<T>, options: WaitUntilOptions = {}): Promise<T> {
  let settled = false;
  promise.then(() => (settled = true), () => (settled = true));
  await waitUntil(() => settled, { what: 'a promise to settle', ...options });
  return promise;
}
