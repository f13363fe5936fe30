import type { Pool } from 'mysql2/promise';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  createOutbox, DueTimeAlarm, InvalidOutboxConfigError, NewRowPoller, RelayWakeup, resolveWakeupOptions, WakeupThrottle,
  type MessageSink, type OutboxConfig, type WakeupSource,
} from '../../src/index.js';

describe('WakeupThrottle', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('wakes at once on the first signal, folds the signals of the window into one wakeup at its end', () => {
    const wakes: number[] = [];
    const throttle = new WakeupThrottle(() => wakes.push(Date.now()), 50);
    const start = Date.now();
    throttle.signal();
    expect(wakes).toEqual([start]);
    for (let i = 0; i < 10; i++) {
      vi.advanceTimersByTime(4);
      throttle.signal();
    }
    expect(wakes).toHaveLength(1);
    vi.advanceTimersByTime(10);
    expect(wakes).toEqual([start, start + 50]);
    // The trailing wakeup opened a window of its own; nothing was signalled in it.
    vi.advanceTimersByTime(200);
    expect(wakes).toHaveLength(2);
  });

  it('under a steady stream of signals wakes once per window, never more', () => {
    let wakes = 0;
    const throttle = new WakeupThrottle(() => (wakes += 1), 50);
    for (let ms = 0; ms < 1_000; ms++) {
      throttle.signal();
      vi.advanceTimersByTime(1);
    }
    // At 0, 50, 100, ..., 1000 ms.
    expect(wakes).toBe(21);
  });

  it('an idle throttle keeps no timer; stop drops a pending wakeup', () => {
    let wakes = 0;
    const throttle = new WakeupThrottle(() => (wakes += 1), 50);
    expect(vi.getTimerCount()).toBe(0);
    throttle.signal();
    throttle.signal();
    throttle.stop();
    vi.advanceTimersByTime(100);
    expect(wakes).toBe(1);
    expect(vi.getTimerCount()).toBe(0);
  });
});

describe('NewRowPoller', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('signals when the newest id moves, reads every minMs while rows arrive and doubles the wait up to maxMs when idle', async () => {
    let newest = 10;
    const reads: number[] = [];
    let signals = 0;
    const start = Date.now();
    const poller = new NewRowPoller(async () => {
      reads.push(Date.now() - start);
      return newest;
    }, () => (signals += 1), (error) => {
      throw error;
    }, 50, 400);
    poller.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(reads).toEqual([0]);
    await vi.advanceTimersByTimeAsync(400);
    expect(signals).toBe(0);
    newest = 11;
    await vi.advanceTimersByTimeAsync(400);
    expect(signals).toBe(1);
    // Idle again: 50 after the read that saw rows, then 100, 200, 400, 400; the first read that
    // finds nothing new signals once more (rows committed out of order), the others do not.
    await vi.advanceTimersByTimeAsync(50);
    expect(signals).toBe(2);
    await vi.advanceTimersByTimeAsync(100 + 200 + 400 + 400);
    expect(signals).toBe(2);
    expect(reads).toEqual([0, 400, 800, 850, 950, 1150, 1550, 1950]);
    poller.stop();
    await vi.advanceTimersByTimeAsync(5_000);
    expect(reads).toHaveLength(8);
  });

  it('keeps reading every minMs while every read finds new rows', async () => {
    let newest = 0;
    let signals = 0;
    const poller = new NewRowPoller(async () => (newest += 5), () => (signals += 1), () => undefined, 50, 1_000);
    poller.start();
    await vi.advanceTimersByTimeAsync(1_000 + 50 * 10);
    // The first read only records where the ids stand; each one after it finds new rows.
    expect(signals).toBe(11);
    poller.stop();
    await vi.advanceTimersByTimeAsync(5_000);
    expect(signals).toBe(11);
  });

  it('reports a failed read and waits maxMs before the next', async () => {
    const errors: unknown[] = [];
    let reads = 0;
    const poller = new NewRowPoller(async () => {
      reads += 1;
      throw new Error('database down');
    }, () => undefined, (error) => errors.push(error), 50, 300);
    poller.start();
    await vi.advanceTimersByTimeAsync(299);
    expect(reads).toBe(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(reads).toBe(2);
    expect(errors.map((error) => (error as Error).message)).toEqual(['database down', 'database down']);
    poller.stop();
  });
});

describe('RelayWakeup', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("folds its sources' signals into the scheduler's wakeups, and wakes nothing once stopped", () => {
    const signals: Array<() => void> = [];
    const started: string[] = [];
    const wakeup = new RelayWakeup(resolveWakeupOptions({ coalesceMs: 20 }, true), (signal) => {
      signals.push(signal);
      const source: WakeupSource = { start: () => started.push('start'), stop: () => started.push('stop') };
      return [source];
    });
    let woken = 0;
    let events = 0;
    wakeup.on('wakeup', () => (events += 1));
    wakeup.start({ wake: () => (woken += 1) });
    const signal = signals[0] as () => void;
    for (let i = 0; i < 100; i++) signal();
    vi.advanceTimersByTime(20);
    expect([woken, events]).toEqual([2, 2]);
    wakeup.stop();
    signal();
    vi.advanceTimersByTime(100);
    expect(woken).toBe(2);
    expect(started).toEqual(['start', 'stop']);
  });

  it('wakes the scheduler when rows come due again (dueAt), only while started', () => {
    vi.setSystemTime(new Date('2026-01-01T00:00:00Z'));
    const wakeup = new RelayWakeup(resolveWakeupOptions({ coalesceMs: 20 }, true), () => []);
    const start = Date.now();
    wakeup.dueAt(start + 100);
    const woken: number[] = [];
    wakeup.start({ wake: () => woken.push(Date.now() - start) });
    vi.advanceTimersByTime(1_000);
    expect(woken).toEqual([]);
    wakeup.dueAt(new Date(start + 1_500));
    wakeup.dueAt(start + 1_510);
    vi.advanceTimersByTime(1_000);
    expect(woken).toEqual([1_500, 1_520]);
    wakeup.dueAt(start + 3_000);
    wakeup.stop();
    vi.advanceTimersByTime(2_000);
    expect(woken).toHaveLength(2);
  });
});

describe('DueTimeAlarm', () => {
  beforeEach(() => {
    vi.useFakeTimers();
    // Due times round to whole multiples of the resolution: start on a round time.
    vi.setSystemTime(new Date('2026-01-01T00:00:00Z'));
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('rings at each due time, rounded up to its resolution, with one timer for the earliest', () => {
    const start = Date.now();
    const rings: number[] = [];
    const alarm = new DueTimeAlarm(() => rings.push(Date.now() - start), 50);
    alarm.at(start + 1_030);
    alarm.at(start + 210);
    alarm.at(start + 240);
    alarm.at(start + 1_010);
    expect(vi.getTimerCount()).toBe(1);
    vi.advanceTimersByTime(2_000);
    // 210 and 240 round up to 250, 1 010 and 1 030 to 1 050.
    expect(rings).toEqual([250, 1_050]);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('a time already past rings at once; stop forgets every time', () => {
    const start = Date.now();
    let rings = 0;
    const alarm = new DueTimeAlarm(() => (rings += 1), 10);
    alarm.at(start - 5_000);
    vi.advanceTimersByTime(0);
    expect(rings).toBe(1);
    alarm.at(start + 100);
    alarm.at(start + 900);
    alarm.stop();
    vi.advanceTimersByTime(1_000);
    expect(rings).toBe(1);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('keeps at most 256 times, and never drops the last: a dropped time rings later, not never', () => {
    const start = Date.now();
    const rings: number[] = [];
    const alarm = new DueTimeAlarm(() => rings.push(Date.now() - start), 1);
    for (let i = 1; i <= 1_000; i++) alarm.at(start + i * 10);
    vi.advanceTimersByTime(20_000);
    expect(rings).toHaveLength(256);
    expect(rings.slice(0, 3)).toEqual([10, 20, 30]);
    expect(rings.at(-1)).toBe(10_000);
  });

  it('a time beyond the longest timer is re-armed from there, not fired early', () => {
    const start = Date.now();
    let rings = 0;
    const alarm = new DueTimeAlarm(() => (rings += 1), 1_000);
    const thirtyDays = 30 * 24 * 3_600_000;
    alarm.at(start + thirtyDays);
    vi.advanceTimersByTime(thirtyDays - 1_000);
    expect(rings).toBe(0);
    vi.advanceTimersByTime(1_000);
    expect(rings).toBe(1);
  });
});

describe('resolveWakeupOptions', () => {
  it('defaults to notify on PostgreSQL and poll on MySQL', () => {
    expect(resolveWakeupOptions({}, true).mode).toBe('notify');
    expect(resolveWakeupOptions({}, false)).toEqual({ mode: 'poll', coalesceMs: 50, pollMinMs: 50, pollMaxMs: 1_000, channel: 'shardflow_outbox' });
  });

  it.each([
    [{ mode: 'notify' as const }, false, 'wakeup.mode'],
    [{ mode: 'listen' as never }, true, 'wakeup.mode'],
    [{ coalesceMs: 0 }, true, 'wakeup.coalesceMs'],
    [{ coalesceMs: 2.5 }, true, 'wakeup.coalesceMs'],
    [{ pollMinMs: -1 }, false, 'wakeup.pollMinMs'],
    [{ pollMinMs: 500, pollMaxMs: 100 }, false, 'wakeup.pollMaxMs'],
    [{ channel: '' }, true, 'wakeup.channel'],
    [{ channel: 'x'.repeat(64) }, true, 'wakeup.channel'],
  ])('rejects %j (PostgreSQL: %s) naming %s', (options, postgres, field) => {
    let thrown: unknown;
    try {
      resolveWakeupOptions(options, postgres);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(InvalidOutboxConfigError);
    expect((thrown as InvalidOutboxConfigError).field).toBe(field);
    expect((thrown as InvalidOutboxConfigError).code).toBe('INVALID_OUTBOX_CONFIG');
  });
});

describe('createOutbox with a wakeup', () => {
  // createOutbox opens no connection: a stand-in pool and sink are enough to check the config.
  const pool = {} as Pool;
  const sink: MessageSink = { send: async () => [], close: async () => undefined };

  it.each([
    [{ wakeup: 'yes' }, 'wakeup'],
    [{ wakeup: { mode: 'notify' } }, 'wakeup.mode'],
    [{ wakeup: { pollMaxMs: 10 } }, 'wakeup.pollMaxMs'],
    [{ wakeup: { pollMin: 10 } }, 'wakeup.pollMin'],
  ])('%j on MySQL: InvalidOutboxConfigError naming %s', (config, field) => {
    let thrown: unknown;
    try {
      createOutbox({ databases: [pool], sink, ...config } as OutboxConfig);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(InvalidOutboxConfigError);
    expect((thrown as InvalidOutboxConfigError).field).toBe(field);
  });

  it('polls on MySQL, and only when asked', () => {
    expect(createOutbox({ databases: [pool], sink, wakeup: true }).wakeup?.options.mode).toBe('poll');
    expect(createOutbox({ databases: [pool], sink }).wakeup).toBeUndefined();
  });
});
