/**
 * Turns any number of signals into at most one wakeup per `intervalMs`, without delaying the
 * first: a signal while idle wakes at once and opens a window; signals within the window are
 * folded into one wakeup at its end, which opens the next window. An idle source costs no timer;
 * a busy one wakes the relay at a bounded rate however many rows arrive.
 */
export class WakeupThrottle {
  private window: NodeJS.Timeout | undefined;
  private pending = false;

  constructor(
    private readonly wake: () => void,
    private readonly intervalMs: number,
  ) {}

  signal(): void {
    if (this.window) {
      this.pending = true;
      return;
    }
    this.wake();
    this.window = setTimeout(() => {
      this.window = undefined;
      if (!this.pending) return;
      this.pending = false;
      this.signal();
    }, this.intervalMs);
  }

  stop(): void {
    if (this.window) clearTimeout(this.window);
    this.window = undefined;
    this.pending = false;
  }
}
