import type { CronSchedule } from './cron-schedule.js';

/** setTimeout cannot wait longer than 2^31-1 ms; longer waits are split. */
const MAX_TIMER_MS = 2_147_483_647;

/**
 * Fires a callback at each time of a cron schedule. A fire that comes late (blocked event loop,
 * suspended laptop) still fires once, and the next time is computed from the actual fire time,
 * so a late process never fires a burst of missed times.
 */
export class CronTrigger {
  private timer: NodeJS.Timeout | undefined;
  private schedule: CronSchedule | undefined;

  constructor(private readonly onFire: (scheduledAt: Date) => void) {}

  /** Starts, or replaces the schedule of a running trigger. */
  start(schedule: CronSchedule): void {
    this.schedule = schedule;
    this.arm(new Date());
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.schedule = undefined;
  }

  private arm(after: Date): void {
    if (this.timer) clearTimeout(this.timer);
    const schedule = this.schedule;
    if (!schedule) return;
    const at = schedule.next(after);
    // An expression limited to years that are now past has fired for the last time.
    if (!at) return;
    const wait = (): void => {
      const remaining = at.getTime() - Date.now();
      if (remaining > 0) {
        this.timer = setTimeout(wait, Math.min(remaining, MAX_TIMER_MS));
        return;
      }
      this.arm(new Date(Math.max(Date.now(), at.getTime())));
      this.onFire(at);
    };
    wait();
  }
}
