import { describe, expect, it } from 'vitest';
import { CronSchedule } from '../../../src/index.js';

/** The next `count` fire times after `from`, each as `YYYY-MM-DDTHH:MM:SSZ`. */
function fires(expression: string, timeZone: string, from: string, count: number): string[] {
  const schedule = CronSchedule.parse(expression, timeZone);
  const times: string[] = [];
  let at: Date | undefined = new Date(from);
  for (let i = 0; i < count && at; i++) {
    at = schedule.next(at);
    if (at) times.push(`${at.toISOString().slice(0, 19)}Z`);
  }
  return times;
}

type Row = [expression: string, timeZone: string, from: string, expected: string[]];

describe('CronSchedule', () => {
  // Quartz's documented examples (its CronTrigger tutorial and CronExpression reference) and each
  // special character, with years moved into the future. The expected times are the ones Quartz
  // 2.3.2's CronExpression.getTimeAfter returns for the same expression, zone and start.
  it.each<Row>([
    ['0 0 12 * * ?', 'UTC', '2026-03-01T00:00Z', ['2026-03-01T12:00:00Z', '2026-03-02T12:00:00Z']],
    ['0 15 10 ? * *', 'UTC', '2026-03-01T00:00Z', ['2026-03-01T10:15:00Z', '2026-03-02T10:15:00Z']],
    ['0 15 10 * * ?', 'UTC', '2026-03-01T00:00Z', ['2026-03-01T10:15:00Z', '2026-03-02T10:15:00Z']],
    ['0 15 10 * * ? *', 'UTC', '2026-03-01T00:00Z', ['2026-03-01T10:15:00Z', '2026-03-02T10:15:00Z']],
    ['0 15 10 * * ? 2027', 'UTC', '2026-03-01T00:00Z', ['2027-01-01T10:15:00Z', '2027-01-02T10:15:00Z']],
    ['0 * 14 * * ?', 'UTC', '2026-03-01T14:58Z', ['2026-03-01T14:59:00Z', '2026-03-02T14:00:00Z', '2026-03-02T14:01:00Z']],
    ['0 0/5 14 * * ?', 'UTC', '2026-03-01T14:50Z', ['2026-03-01T14:55:00Z', '2026-03-02T14:00:00Z', '2026-03-02T14:05:00Z']],
    ['0 0/5 14,18 * * ?', 'UTC', '2026-03-01T14:50Z', ['2026-03-01T14:55:00Z', '2026-03-01T18:00:00Z', '2026-03-01T18:05:00Z']],
    ['0 0-5 14 * * ?', 'UTC', '2026-03-01T14:04Z', ['2026-03-01T14:05:00Z', '2026-03-02T14:00:00Z', '2026-03-02T14:01:00Z']],
    ['0 10,44 14 ? 3 WED', 'UTC', '2026-03-24T00:00Z', ['2026-03-25T14:10:00Z', '2026-03-25T14:44:00Z', '2027-03-03T14:10:00Z']],
    ['0 15 10 ? * MON-FRI', 'UTC', '2026-03-06T11:00Z', ['2026-03-09T10:15:00Z', '2026-03-10T10:15:00Z']],
    ['0 15 10 15 * ?', 'UTC', '2026-03-01T00:00Z', ['2026-03-15T10:15:00Z', '2026-04-15T10:15:00Z']],
    ['0 15 10 L * ?', 'UTC', '2028-01-31T11:00Z', ['2028-02-29T10:15:00Z', '2028-03-31T10:15:00Z', '2028-04-30T10:15:00Z']],
    ['0 15 10 L-2 * ?', 'UTC', '2026-01-31T11:00Z', ['2026-02-26T10:15:00Z', '2026-03-29T10:15:00Z', '2026-04-28T10:15:00Z']],
    ['0 15 10 ? * 6L', 'UTC', '2026-03-01T00:00Z', ['2026-03-27T10:15:00Z', '2026-04-24T10:15:00Z', '2026-05-29T10:15:00Z']],
    ['0 15 10 ? * 6L 2027-2028', 'UTC', '2026-03-01T00:00Z', ['2027-01-29T10:15:00Z', '2027-02-26T10:15:00Z']],
    ['0 15 10 ? * 6#3', 'UTC', '2026-03-01T00:00Z', ['2026-03-20T10:15:00Z', '2026-04-17T10:15:00Z', '2026-05-15T10:15:00Z']],
    ['0 0 12 1/5 * ?', 'UTC', '2026-03-25T00:00Z', ['2026-03-26T12:00:00Z', '2026-03-31T12:00:00Z', '2026-04-01T12:00:00Z']],
    ['0 11 11 11 11 ?', 'UTC', '2026-03-01T00:00Z', ['2026-11-11T11:11:00Z', '2027-11-11T11:11:00Z']],
    ['0 0/5 * * * ?', 'UTC', '2026-03-01T00:00Z', ['2026-03-01T00:05:00Z', '2026-03-01T00:10:00Z']],
    ['10 0/5 * * * ?', 'UTC', '2026-03-01T00:00Z', ['2026-03-01T00:00:10Z', '2026-03-01T00:05:10Z']],
    ['0 30 10-13 ? * WED,FRI', 'UTC', '2026-03-06T12:00Z', ['2026-03-06T12:30:00Z', '2026-03-06T13:30:00Z', '2026-03-11T10:30:00Z']],
    ['0 0/30 8-9 5,20 * ?', 'UTC', '2026-03-05T09:00Z', ['2026-03-05T09:30:00Z', '2026-03-20T08:00:00Z', '2026-03-20T08:30:00Z']],
    ['0 0 12 15W * ?', 'UTC', '2026-03-01T00:00Z', ['2026-03-16T12:00:00Z', '2026-04-15T12:00:00Z', '2026-05-15T12:00:00Z']],
    ['0 0 12 1W * ?', 'UTC', '2026-07-31T00:00Z', ['2026-08-03T12:00:00Z', '2026-09-01T12:00:00Z']],
    ['0 0 12 LW * ?', 'UTC', '2026-01-01T00:00Z', ['2026-01-30T12:00:00Z', '2026-02-27T12:00:00Z', '2026-03-31T12:00:00Z']],
    ['0 0 12 L-3 * ?', 'UTC', '2026-01-01T00:00Z', ['2026-01-28T12:00:00Z', '2026-02-25T12:00:00Z', '2026-03-28T12:00:00Z']],
    ['0 0 12 L-3W * ?', 'UTC', '2026-02-01T00:00Z', ['2026-02-25T12:00:00Z', '2026-03-27T12:00:00Z', '2026-04-27T12:00:00Z']],
    ['0 0 12 L-0W * ?', 'UTC', '2026-05-01T00:00Z', ['2026-05-29T12:00:00Z']],
    ['0 0 12 L-27W 2 ?', 'UTC', '2026-03-01T00:00Z', ['2027-02-01T12:00:00Z', '2028-02-02T12:00:00Z']],
    ['0 0 12 L-30 * ?', 'UTC', '2026-01-01T00:00Z', ['2026-01-01T12:00:00Z', '2026-03-01T12:00:00Z', '2026-05-01T12:00:00Z']],
    ['0 0 12 ? * L', 'UTC', '2026-03-01T00:00Z', ['2026-03-07T12:00:00Z', '2026-03-14T12:00:00Z']],
    ['0 0 12 ? * FRIL', 'UTC', '2026-03-01T00:00Z', ['2026-03-27T12:00:00Z', '2026-04-24T12:00:00Z']],
    ['0 0 12 ? * 2#1', 'UTC', '2026-03-01T00:00Z', ['2026-03-02T12:00:00Z', '2026-04-06T12:00:00Z']],
    ['0 0 12 ? * 4#5', 'UTC', '2026-01-01T00:00Z', ['2026-04-29T12:00:00Z', '2026-07-29T12:00:00Z', '2026-09-30T12:00:00Z']],
    ['0 0 12 ? * 1', 'UTC', '2026-03-01T13:00Z', ['2026-03-08T12:00:00Z']],
    ['0 0 12 ? * 7', 'UTC', '2026-03-01T13:00Z', ['2026-03-07T12:00:00Z']],
    ['0 3/20 * * * ?', 'UTC', '2026-03-01T00:00Z', ['2026-03-01T00:03:00Z', '2026-03-01T00:23:00Z', '2026-03-01T00:43:00Z']],
    ['0 */20 * * * ?', 'UTC', '2026-03-01T00:00:05Z', ['2026-03-01T00:20:00Z', '2026-03-01T00:40:00Z', '2026-03-01T01:00:00Z']],
    ['0 0 0 1 1 ? 2026/2', 'UTC', '2026-03-01T00:00Z', ['2028-01-01T00:00:00Z', '2030-01-01T00:00:00Z']],
    ['0 0 0 29 2 ?', 'UTC', '2026-03-01T00:00Z', ['2028-02-29T00:00:00Z']],
  ])('fires Quartz example %j in %s after %s at %j', (expression, timeZone, from, expected) => {
    expect(fires(expression, timeZone, from, expected.length)).toEqual(expected);
  });

  // The same features in zones ahead of and behind UTC, at the date line, at half-hour offsets,
  // and across DST changes that fall between two fire times (also checked against Quartz).
  it.each<Row>([
    ['0 0 12 * * ? 2027', 'Asia/Shanghai', '2026-03-01T00:00Z', ['2027-01-01T04:00:00Z', '2027-01-02T04:00:00Z']],
    ['0 0 12 * * ? 2027', 'America/New_York', '2026-03-01T00:00Z', ['2027-01-01T17:00:00Z', '2027-01-02T17:00:00Z']],
    ['0 0 0 1 1 ? 2027', 'Pacific/Kiritimati', '2026-03-01T00:00Z', ['2026-12-31T10:00:00Z']],
    ['0 0 0 1 1 ? 2027', 'Pacific/Pago_Pago', '2026-03-01T00:00Z', ['2027-01-01T11:00:00Z']],
    ['0 15 10 L-2 * ?', 'Asia/Shanghai', '2026-01-31T11:00Z', ['2026-02-26T02:15:00Z', '2026-03-29T02:15:00Z', '2026-04-28T02:15:00Z']],
    ['0 0 0 L-3 * ?', 'America/New_York', '2026-02-01T00:00Z', ['2026-02-25T05:00:00Z', '2026-03-28T04:00:00Z', '2026-04-27T04:00:00Z']],
    ['0 0 0 L-1 * ?', 'Pacific/Kiritimati', '2026-02-01T00:00Z', ['2026-02-26T10:00:00Z', '2026-03-29T10:00:00Z']],
    ['0 0 9 LW * ?', 'Asia/Kolkata', '2026-01-01T00:00Z', ['2026-01-30T03:30:00Z', '2026-02-27T03:30:00Z', '2026-03-31T03:30:00Z']],
    ['0 0 0 L * ?', 'Asia/Tokyo', '2026-01-01T00:00Z', ['2026-01-30T15:00:00Z', '2026-02-27T15:00:00Z']],
    ['0 0 12 15W * ?', 'Australia/Sydney', '2026-03-01T00:00Z', ['2026-03-16T01:00:00Z', '2026-04-15T02:00:00Z', '2026-05-15T02:00:00Z']],
    ['0 15 10 ? * 6#3', 'America/Sao_Paulo', '2026-03-01T00:00Z', ['2026-03-20T13:15:00Z', '2026-04-17T13:15:00Z']],
    ['0 15 10 ? * 6L', 'Europe/Berlin', '2026-03-01T00:00Z', ['2026-03-27T09:15:00Z', '2026-04-24T08:15:00Z']],
    ['0 0 0 L-2 * ?', 'Europe/Berlin', '2026-03-20T00:00Z', ['2026-03-28T23:00:00Z', '2026-04-27T22:00:00Z']],
  ])('fires %j in %s after %s at %j', (expression, timeZone, from, expected) => {
    expect(fires(expression, timeZone, from, expected.length)).toEqual(expected);
  });

  // Where a DST change falls on a fire time, Quartz skips a time the clock jumps over, fires a
  // fixed time the clock passes twice at its second pass, and drops the interval fires of the
  // first pass. Here every day keeps its fire: a skipped time fires when the gap ends, a fixed
  // time fires once at its first pass, an interval job fires at every real time that matches.
  it.each<Row>([
    // Berlin springs from 02:00 to 03:00 on 29 March 2026: 02:30 fires at 03:00 CEST.
    ['0 30 2 * * ?', 'Europe/Berlin', '2026-03-28T12:00Z', ['2026-03-29T01:00:00Z', '2026-03-30T00:30:00Z', '2026-03-31T00:30:00Z']],
    ['0 30 2 * * ?', 'America/New_York', '2026-03-07T12:00Z', ['2026-03-08T07:00:00Z', '2026-03-09T06:30:00Z', '2026-03-10T06:30:00Z']],
    ['0 0 2 * * ?', 'Australia/Sydney', '2026-10-03T00:00Z', ['2026-10-03T16:00:00Z', '2026-10-04T15:00:00Z', '2026-10-05T15:00:00Z']],
    // Lord Howe moves by half an hour, from 02:00 to 02:30.
    ['0 0 2 * * ?', 'Australia/Lord_Howe', '2026-10-03T00:00Z', ['2026-10-03T15:30:00Z', '2026-10-04T15:00:00Z', '2026-10-05T15:00:00Z']],
    // Santiago's midnight does not exist on 6 September 2026: the day still fires, at 01:00.
    ['0 0 0 * * ?', 'America/Santiago', '2026-09-04T00:00Z', ['2026-09-04T04:00:00Z', '2026-09-05T04:00:00Z', '2026-09-06T04:00:00Z']],
    // New York falls back from 02:00 to 01:00 on 1 November 2026: 01:30 fires once, in EDT.
    ['0 30 1 * * ?', 'America/New_York', '2026-10-31T12:00Z', ['2026-11-01T05:30:00Z', '2026-11-02T06:30:00Z', '2026-11-03T06:30:00Z']],
    ['0 30 1,13 * * ?', 'America/New_York', '2026-10-31T12:00Z', ['2026-10-31T17:30:00Z', '2026-11-01T05:30:00Z', '2026-11-01T18:30:00Z']],
    ['0 30 2 * * ?', 'Europe/Berlin', '2026-10-24T12:00Z', ['2026-10-25T00:30:00Z', '2026-10-26T01:30:00Z', '2026-10-27T01:30:00Z']],
    ['0 0 2 * * ?', 'Australia/Sydney', '2026-04-03T00:00Z', ['2026-04-03T15:00:00Z', '2026-04-04T15:00:00Z', '2026-04-05T16:00:00Z']],
    // Every half hour stays every half hour of real time through both changes.
    ['0 0/30 * * * ?', 'Europe/Berlin', '2026-10-25T00:10Z', ['2026-10-25T00:30:00Z', '2026-10-25T01:00:00Z', '2026-10-25T01:30:00Z', '2026-10-25T02:00:00Z', '2026-10-25T02:30:00Z']],
    ['0 0/30 * * * ?', 'Europe/Berlin', '2026-03-29T00:10Z', ['2026-03-29T00:30:00Z', '2026-03-29T01:00:00Z', '2026-03-29T01:30:00Z', '2026-03-29T02:00:00Z']],
  ])('fires %j in %s after %s across DST at %j', (expression, timeZone, from, expected) => {
    expect(fires(expression, timeZone, from, expected.length)).toEqual(expected);
  });

  it('moves L-nW off a weekend without leaving the month, and skips months too short for it', () => {
    // 1 August 2026 is a Saturday; September, a 30-day month, has no L-30.
    // (Quartz 2.3.2 never returns from this expression.)
    expect(fires('0 0 12 L-30W * ?', 'UTC', '2026-07-01T00:00Z', 3)).toEqual(['2026-07-01T12:00:00Z', '2026-08-03T12:00:00Z', '2026-10-01T12:00:00Z']);
  });

  it('fires a year-limited expression in that year (regression: the year jump landed on 31 December and looped)', () => {
    expect(fires('0 0 12 * * ? 2027', 'UTC', '2026-03-01T00:00Z', 3)).toEqual(['2027-01-01T12:00:00Z', '2027-01-02T12:00:00Z', '2027-01-03T12:00:00Z']);
    expect(fires('0 0 12 31 12 ? 2027', 'UTC', '2027-12-31T12:00Z', 1)).toEqual([]);
    expect(fires('0 0 12 1 1 ? 2027,2029', 'UTC', '2026-03-01T00:00Z', 3)).toEqual(['2027-01-01T12:00:00Z', '2029-01-01T12:00:00Z']);
  });

  it('reads Quartz day-of-week numbers as 1=SUN..7=SAT', () => {
    // 2026-03-02 is a Monday: Quartz 2 = MON.
    expect(fires('0 0 12 ? * 2', 'UTC', '2026-03-01T00:00Z', 1)).toEqual(['2026-03-02T12:00:00Z']);
    expect(fires('0 0 12 ? * MON-FRI', 'UTC', '2026-03-06T13:00Z', 1)).toEqual(['2026-03-09T12:00:00Z']);
  });

  it('reads 5-field expressions as Unix cron (0 = Sunday)', () => {
    expect(fires('30 9 * * 0', 'UTC', '2026-03-01T10:00Z', 1)).toEqual(['2026-03-08T09:30:00Z']);
    // Both day fields given: either matches (2 and 9 March 2026 are Mondays).
    expect(fires('0 12 15 * 1', 'UTC', '2026-03-01T00:00Z', 3)).toEqual(['2026-03-02T12:00:00Z', '2026-03-09T12:00:00Z', '2026-03-15T12:00:00Z']);
  });

  it('always returns a time strictly after the given one', () => {
    const schedule = CronSchedule.parse('* * * * * ?', 'UTC');
    const at = new Date('2026-03-01T00:00:00.000Z');
    expect(schedule.next(at)?.getTime()).toBe(at.getTime() + 1000);
  });

  it.each([
    ['not a cron', 'UTC', 'cron'],
    ['0 0 12 ? * 8', 'UTC', 'cron'],
    ['0 0 12 ? * 0', 'UTC', 'cron'],
    ['61 * * * * ?', 'UTC', 'cron'],
    ['0 0 12 15 * MON', 'UTC', 'cron'],
    ['0 0 12 L-31 * ?', 'UTC', 'cron'],
    ['0 0 12 1-5W * ?', 'UTC', 'cron'],
    ['0 0 12 ? * 6#6', 'UTC', 'cron'],
    ['0 0 * * * ?', 'Mars/Olympus', 'timeZone'],
  ])('rejects %j in %s, naming the field %s and repeating the value', (expression, zone, field) => {
    expect(() => CronSchedule.parse(expression, zone)).toThrow(
      expect.objectContaining({ field, value: field === 'cron' ? expression : zone, code: 'INVALID_JOB_CONFIG' }),
    );
  });

  it.each(['0 15 10 * * ? 2005', '0 0 0 30 2 ?'])('has no fire time for %j (config validation rejects it, a stored config keeps it)', (expression) => {
    expect(CronSchedule.parse(expression, 'UTC').next(new Date('2026-03-01T00:00Z'))).toBeUndefined();
  });
});
