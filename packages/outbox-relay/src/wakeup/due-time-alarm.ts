/** The longest delay a Node.js timer takes (2^31 - 1 ms, about 24.8 days); a later time is re-armed from there. */
const MAX_TIMER_MS = 2_147_483_647;

/** Times kept at most; past it, the last time but one is dropped, which the last time still covers. */
const MAX_TIMES = 256;

/**
 * Rings when rows the relay failed come due again, so that a retry waits for its backoff and not
 * for the next cron fire. It keeps the due times it is given, rounded up to `resolutionMs` so that
 * the rows of one page share a time, and one timer for the earliest. Dropping a time only delays
 * its rows to a later time still kept, never past the last one, so the set is bounded without
 * losing a retry.
 */
export class DueTimeAlarm {
  private readonly times: number[] = [];
  private timer: NodeJS.Timeout | undefined;
  private armedFor: number | undefined;

  constructor(
    private readonly ring: () => void,
    private readonly resolutionMs: number,
  ) {}

  /** Rings at `time` (at once if it has passed), besides the times already set. */
  at(time: number): void {
    const rounded = Math.ceil(time / this.resolutionMs) * this.resolutionMs;
    const index = this.times.findIndex((kept) => kept >= rounded);
    if (this.times[index] === rounded) return;
    this.times.splice(index === -1 ? this.times.length : index, 0, rounded);
    if (this.times.length > MAX_TIMES) this.times.splice(this.times.length - 2, 1);
    this.arm();
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.armedFor = undefined;
    this.times.length = 0;
  }

  private arm(): void {
    const next = this.times[0];
    if (next === undefined || next === this.armedFor) return;
    if (this.timer) clearTimeout(this.timer);
    this.armedFor = next;
    this.timer = setTimeout(() => this.fire(), Math.min(MAX_TIMER_MS, Math.max(0, next - Date.now())));
  }

  private fire(): void {
    this.timer = undefined;
    this.armedFor = undefined;
    const now = Date.now();
    const due = this.times.findIndex((time) => time > now);
    const rang = due === -1 ? this.times.length : due;
    this.times.splice(0, rang);
    if (rang > 0) this.ring();
    this.arm();
  }
}
