import { describe, expect, it, vi } from 'vitest';
import { CronSchedule } from '../../../src/index.js';
import { CronTrigger } from '../../../src/schedule/cron-trigger.js';
import { onFakeTimers } from '../../fake-timers.js';

describe('CronTrigger', () => {
  onFakeTimers(new Date('2026-12-31T23:59:58Z'));

  it('fires at each time of the schedule', () => {
    const fired: string[] = [];
    const trigger = new CronTrigger((at) => fired.push(at.toISOString()));
    trigger.start(CronSchedule.parse('0 0 0 * * ? 2027', 'UTC'));
    vi.advanceTimersByTime(2000);
    expect(fired).toEqual(['2027-01-01T00:00:00.000Z']);
    trigger.stop();
  });

  it('stops arming once the last year of the schedule has passed, instead of throwing from a timer', () => {
    const fired: Date[] = [];
    const trigger = new CronTrigger((at) => fired.push(at));
    trigger.start(CronSchedule.parse('0 0 0 * * ? 2026', 'UTC'));
    expect(vi.getTimerCount()).toBe(0);
    vi.advanceTimersByTime(86_400_000);
    expect(fired).toEqual([]);
  });
});
