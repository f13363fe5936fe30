export interface WaitUntilOptions {
  /** What is awaited, for the timeout error. Default 'a condition'. */
  readonly what?: string;
  /** Default 10 000 ms. */
  readonly timeoutMs?: number;
  /** Pause between checks. Default 10 ms. */
  readonly intervalMs?: number;
  /** Extra context for the timeout error (a process's last output, say). */
  readonly detail?: () => string;
}

/**
 * Polls `condition` until it holds, or fails naming what it waited for. A check that throws counts
 * as "not yet" (a service still starting refuses connections); the last error is in the message.
 */
export async function waitUntil(condition: () => boolean | Promise<boolean>, options: WaitUntilOptions = {}): Promise<void> {
  const { what = 'a condition', timeoutMs = 10_000, intervalMs = 10, detail = () => '' } = options;
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      if (await condition()) return;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() >= deadline) break;
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
  const reason = lastError instanceof Error ? ` (last error: ${lastError.message})` : '';
  throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}${reason}\n${detail()}`.trimEnd());
}
