import { describe, expect, it } from 'vitest';
import { CronSchedule, InvalidJobConfigError } from '../../../src/index.js';

function fires(expression: string, timeZone: string, from: string, count: number): string[] {
  const schedule = CronSchedule.parse(expression, timeZone);
  const times: string[] = [];
  let at = new Date(from);
  for (let i = 0; i < count; i++) {
    at = schedule.next(at);
    times.push(at.toISOString());
  }
  return times;
}

describe('CronSchedule', () => {
  it("runs the seeds' Quartz expressions unchanged", () => {
    expect(fires('0 0/2 * * * ?', 'UTC', '2026-03-01T00:00:00Z', 2)).toEqual(['2026-03-01T00:02:00.000Z', '2026-03-01T00:04:00.000Z']);
    expect(fires('0/10 * * * * ?', 'UTC', '2026-03-01T00:00:00Z', 2)).toEqual(['2026-03-01T00:00:10.000Z', '2026-03-01T00:00:20.000Z']);
  });

  it('reads Quartz day-of-week numbers as 1=SUN..7=SAT', () => {
    // 2026-03-02 is a Monday: Quartz 2 = MON.
    expect(fires('0 0 12 ? * 2', 'UTC', '2026-03-01T00:00:00Z', 1)).toEqual(['2026-03-02T12:00:00.000Z']);
    expect(fires('0 0 12 ? * 1', 'UTC', '2026-03-01T13:00:00Z', 1)).toEqual(['2026-03-08T12:00:00.000Z']);
    expect(fires('0 0 12 ? * MON-FRI', 'UTC', '2026-03-06T13:00:00Z', 1)).toEqual(['2026-03-09T12:00:00.000Z']);
    // Second Thursday (Quartz 5#2) of March 2026 is the 12th.
    expect(fires('0 0 12 ? * 5#2', 'UTC', '2026-03-01T00:00:00Z', 1)).toEqual(['2026-03-12T12:00:00.000Z']);
  });

  it('reads 5-field expressions as Unix cron (0 = Sunday)', () => {
    expect(fires('30 9 * * 0', 'UTC', '2026-03-01T10:00:00Z', 1)).toEqual(['2026-03-08T09:30:00.000Z']);
  });

  it('honours a Quartz year field', () => {
    expect(fires('0 0 0 1 1 ? 2028', 'UTC', '2026-03-01T00:00:00Z', 1)).toEqual(['2028-01-01T00:00:00.000Z']);
    expect(() => CronSchedule.parse('0 0 0 1 1 ? 2020', 'UTC').next(new Date('2026-01-01T00:00:00Z'))).toThrow(InvalidJobConfigError);
  });

  it('follows the time zone across DST: the spring gap fires once an hour late, the autumn hour fires once', () => {
    // Europe/Berlin jumps 02:00 -> 03:00 on 2026-03-29: 02:30 does not exist that day, so the
    // job fires at 03:30 CEST (01:30Z) once, then at 02:30 CEST (00:30Z) the next day.
    expect(fires('0 30 2 * * ?', 'Europe/Berlin', '2026-03-28T12:00:00Z', 2)).toEqual(['2026-03-29T01:30:00.000Z', '2026-03-30T00:30:00.000Z']);
    // America/New_York falls back 02:00 -> 01:00 on 2026-11-01: 01:30 exists twice, fires once.
    const autumn = fires('0 30 1 * * ?', 'America/New_York', '2026-10-31T12:00:00Z', 3);
    expect(autumn.filter((time) => time.startsWith('2026-11-01'))).toHaveLength(1);
  });

  it('always returns a time strictly after the given one', () => {
    const schedule = CronSchedule.parse('* * * * * ?', 'UTC');
    const at = new Date('2026-03-01T00:00:00.000Z');
    expect(schedule.next(at).getTime()).toBe(at.getTime() + 1000);
  });

  it.each([
    ['not a cron', 'UTC', 'cron'],
    ['0 0 12 ? * 8', 'UTC', 'cron'],
    ['61 * * * * ?', 'UTC', 'cron'],
    ['0 0 * * * ?', 'Mars/Olympus', 'timeZone'],
  ])('rejects %j in %s, naming the field %s', (expression, zone, field) => {
    expect(() => CronSchedule.parse(expression, zone)).toThrow(expect.objectContaining({ field, code: 'INVALID_JOB_CONFIG' }));
  });
});
