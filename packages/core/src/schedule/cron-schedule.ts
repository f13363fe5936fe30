import { Cron, type CronOptions } from 'croner';
import { InvalidJobConfigError } from '../errors/invalid-job-config-error.js';
import { isValidTimeZone, localDate } from './time-zone.js';

/** Quartz's `L-n` and `L-nW` in day-of-month: croner has `L` and `LW` but not these two. */
const DAYS_BEFORE_LAST = /^L-(\d{1,2})(W?)$/i;

/** Days a schedule may fire on beyond what croner checks, and local midnights to skip the others. */
interface DayFilter {
  readonly allows: (year: number, month: number, day: number) => boolean;
  readonly midnight: Cron;
}

/**
 * A cron expression in one of two dialects, chosen by the number of fields:
 * - 6 or 7 fields: Quartz, as ElasticJob and XXL-Job use it (`0 0/2 * * * ?`): seconds first,
 *   day-of-week 1-7 meaning SUN-SAT, `?`, `L`, `W`, `LW`, `L-n`, `#` and an optional year.
 * - 5 fields: Unix cron (minute first, day-of-week 0-7 with 0 and 7 meaning Sunday).
 * Times are computed in an IANA time zone. On a DST change a time the clock skips fires once, at
 * the end of the gap, and a fixed time the clock passes twice fires once, at its first pass; a
 * job with a step or wildcard in its time fields fires at every real time that matches.
 */
export class CronSchedule {
  private constructor(
    readonly expression: string,
    readonly timeZone: string,
    private readonly cron: Cron,
    private readonly dayFilter: DayFilter | undefined,
  ) {}

  /** Rejects a malformed expression, naming the field `cron`; one whose years are past parses, and `next` says so. */
  static parse(expression: string, timeZone: string = Intl.DateTimeFormat().resolvedOptions().timeZone): CronSchedule {
    if (!isValidTimeZone(timeZone)) {
      throw new InvalidJobConfigError([{ field: 'timeZone', value: timeZone, message: 'must be an IANA time zone such as Europe/Berlin or UTC' }]);
    }
    try {
      const fields = expression.trim().split(/\s+/);
      // A time with no wildcard or step is a fixed time (once per day even when DST repeats it), lists included.
      let options: CronOptions = { timezone: timeZone, mode: '5-part', fixedTimeRule: 'no-wildcard' };
      let dayFilter: DayFilter | undefined;
      if (fields.length === 6 || fields.length === 7) {
        // sloppyRanges admits Quartz's `0/5` (from 0, every 5), which croner otherwise spells `*/5`.
        options = { ...options, mode: '6-or-7-parts', alternativeWeekdays: true, sloppyRanges: true };
        const dayOfMonth = fields[3] as string;
        const dayOfWeek = fields[5] as string;
        if (!isAnyDay(dayOfMonth) && !isAnyDay(dayOfWeek)) {
          throw new Error(`day-of-month '${dayOfMonth}' and day-of-week '${dayOfWeek}' both name days: Quartz needs '?' in one of them`);
        }
        for (const [number] of dayOfWeek.matchAll(/(?<!#)\d+/g)) {
          if (Number(number) < 1 || Number(number) > 7) throw new Error(`Quartz day-of-week ${number} is out of range 1-7 (SUN=1)`);
        }
        // A lone L in day-of-week is Saturday, the last day of Quartz's week.
        if (dayOfWeek.toUpperCase() === 'L') fields[5] = '7';
        const beforeLast = DAYS_BEFORE_LAST.exec(dayOfMonth);
        if (beforeLast) {
          dayFilter = { allows: daysBeforeLast(Number(beforeLast[1]), beforeLast[2] !== ''), midnight: new Cron('0 0 0 * * *', { timezone: timeZone }) };
          fields[3] = '*';
        }
      } else if (fields.length !== 5) {
        throw new Error(`expected 5 (Unix) or 6-7 (Quartz) fields, got ${fields.length}`);
      }
      return new CronSchedule(expression, timeZone, new Cron(fields.join(' '), options), dayFilter);
    } catch (error) {
      throw new InvalidJobConfigError([{ field: 'cron', value: expression, message: `is not a valid cron expression: ${(error as Error).message}` }]);
    }
  }

  /** The first fire time strictly after `after`, or undefined when the expression has no later one (its years are past). */
  next(after: Date): Date | undefined {
    let candidate = this.cron.nextRun(after);
    const filter = this.dayFilter;
    while (candidate && filter) {
      const { year, month, day } = localDate(candidate, this.timeZone);
      if (filter.allows(year, month, day)) break;
      // Skip the rest of that day: a job firing every second would otherwise be tried 86,400 times.
      const nextDay = filter.midnight.nextRun(candidate);
      candidate = nextDay && this.cron.nextRun(new Date(nextDay.getTime() - 1000));
    }
    return candidate ?? undefined;
  }
}

function isAnyDay(field: string): boolean {
  return field === '*' || field === '?';
}

/** `L-n`: n days before the month's last day; with W, the weekday nearest it within the month. */
function daysBeforeLast(offset: number, nearestWeekday: boolean): (year: number, month: number, day: number) => boolean {
  if (offset > 30) throw new Error(`L-${offset}: the offset from the last day must be at most 30`);
  return (year, month, day) => {
    const last = new Date(Date.UTC(year, month, 0)).getUTCDate();
    let target = last - offset;
    if (nearestWeekday && target >= 1) {
      const weekday = new Date(Date.UTC(year, month - 1, target)).getUTCDay();
      // Saturday moves to Friday and Sunday to Monday, unless that leaves the month.
      if (weekday === 6) target += target === 1 ? 2 : -1;
      else if (weekday === 0) target += target === last ? -2 : 1;
    }
    return day === target;
  };
}
