import { EventEmitter } from 'eventemitter3';
import type { ResolvedWakeupOptions } from './wakeup-options.js';
import { DueTimeAlarm } from './due-time-alarm.js';
import { WakeupThrottle } from './wakeup-throttle.js';

/** What a wakeup runs: a `JobScheduler` (its `wake()` runs the owned items as a cron fire would). */
export interface WakeupTarget {
  wake(): void;
}

/** Something that signals when rows may have arrived: a LISTENing connection, a poll. */
export interface WakeupSource {
  start(): void;
  stop(): void;
}

export interface RelayWakeupEvents {
  /** The target was woken (at most once per `coalesceMs`). */
  wakeup: () => void;
  /** A source failed (a lost listening connection, a failed poll); it retries on its own. */
  error: (error: Error) => void;
}

/**
 * Wakes the relay's scheduler when new rows arrive, instead of leaving them to the next cron
 * fire. The sources signal; the throttle folds their signals into at most one wakeup per
 * `coalesceMs`; the scheduler runs the items through the same permits, run locks and ownership
 * checks as a cron fire, and a running item gets at most one more run however often it is woken.
 * Rows this relay failed wake it too when they come due again (`dueAt`), and so do rows a
 * recovered cluster's circuit released: neither waits for the cron.
 */
export class RelayWakeup extends EventEmitter<RelayWakeupEvents> {
  private target: WakeupTarget | undefined;
  private readonly throttle: WakeupThrottle;
  private readonly alarm: DueTimeAlarm;
  private readonly sources: readonly WakeupSource[];

  constructor(
    readonly options: ResolvedWakeupOptions,
    createSources: (signal: () => void, onError: (error: unknown) => void) => readonly WakeupSource[],
  ) {
    super();
    this.throttle = new WakeupThrottle(() => {
      this.target?.wake();
      this.emit('wakeup');
    }, options.coalesceMs);
    this.alarm = new DueTimeAlarm(() => this.throttle.signal(), options.coalesceMs);
    this.sources = createSources(
      () => this.throttle.signal(),
      (error) => this.emit('error', error instanceof Error ? error : new Error(String(error))),
    );
  }

  /** Starts listening (or polling) and waking `target`; call it once the scheduler has started. */
  start(target: WakeupTarget): void {
    if (this.target) return;
    this.target = target;
    for (const source of this.sources) source.start();
  }

  /**
   * Wakes the relay when `time` comes (at once if it has passed): when rows it failed are due for
   * their retry, or rows a circuit released are due now. Only while started.
   */
  dueAt(time: Date | number): void {
    if (this.target) this.alarm.at(typeof time === 'number' ? time : time.getTime());
  }

  stop(): void {
    this.target = undefined;
    for (const source of this.sources) source.stop();
    this.alarm.stop();
    this.throttle.stop();
  }
}
