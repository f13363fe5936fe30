import { CronExpressionParser, type CronExpression } from 'cron-parser';
import { InvalidJobConfigError } from '../errors/invalid-job-config-error.js';
import { isValidTimeZone } from './time-zone.js';

/** Searching this many years ahead for a year-restricted expression is enough for any real job. */
const YEAR_HORIZON = 200;

/**
 * A cron expression in one of two dialects, chosen by the number of fields:
 * - 6 or 7 fields: Quartz, as ElasticJob and XXL-Job use it (`0 0/2 * * * ?`): seconds first, `?`
 *   allowed in day-of-month/day-of-week, day-of-week numbers 1-7 meaning SUN-SAT, optional year.
 * - 5 fields: Unix cron (minute first, day-of-week 0-7 with 0 and 7 meaning Sunday).
 * Times are computed in an IANA time zone, so DST follows that zone's rules.
 */
export class CronSchedule {
  private constructor(
    readonly expression: string,
    readonly timeZone: string,
    private readonly parserExpression: string,
    private readonly yearAllowed: ((year: number) => boolean) | undefined,
  ) {}

  static parse(expression: string, timeZone: string = Intl.DateTimeFormat().resolvedOptions().timeZone): CronSchedule {
    if (!isValidTimeZone(timeZone)) {
      throw new InvalidJobConfigError([{ field: 'timeZone', value: timeZone, message: 'must be an IANA time zone such as Europe/Berlin or UTC' }]);
    }
    const fields = expression.trim().split(/\s+/);
    let parserExpression: string;
    let yearAllowed: ((year: number) => boolean) | undefined;
    try {
      if (fields.length === 5) {
        parserExpression = fields.join(' ');
      } else if (fields.length === 6 || fields.length === 7) {
        const [second, minute, hour, dayOfMonth, month, dayOfWeek, year] = fields as [string, string, string, string, string, string, string | undefined];
        parserExpression = [second, minute, hour, dayOfMonth, month, quartzDayOfWeek(dayOfWeek)].join(' ');
        yearAllowed = year === undefined ? undefined : parseYearField(year);
      } else {
        throw new Error(`expected 5 (Unix) or 6-7 (Quartz) fields, got ${fields.length}`);
      }
      CronExpressionParser.parse(parserExpression, { tz: timeZone }).next();
    } catch (error) {
      throw new InvalidJobConfigError([{ field: 'cron', value: expression, message: `is not a valid cron expression: ${(error as Error).message}` }]);
    }
    return new CronSchedule(expression, timeZone, parserExpression, yearAllowed);
  }

  /** The first fire time strictly after `after`. */
  next(after: Date): Date {
    let from = after;
    for (let attempt = 0; attempt < YEAR_HORIZON; attempt++) {
      const candidate = this.iterator(from).next().toDate();
      const year = yearIn(candidate, this.timeZone);
      if (!this.yearAllowed || this.yearAllowed(year)) return candidate;
      // Jump to the start of the next year (UTC midnight, minus a day for zones ahead of UTC).
      from = new Date(Date.UTC(year + 1, 0, 1) - 86_400_000);
    }
    throw new InvalidJobConfigError([{ field: 'cron', value: this.expression, message: `has no fire time within ${YEAR_HORIZON} years` }]);
  }

  private iterator(after: Date): CronExpression {
    return CronExpressionParser.parse(this.parserExpression, { currentDate: after, tz: this.timeZone });
  }
}

/** Quartz counts SUN=1..SAT=7; the parser counts SUN=0..SAT=6. Names and `?` pass unchanged. */
function quartzDayOfWeek(field: string): string {
  return field.replace(/\d+/g, (digits, offset: number, whole: string) => {
    // The number after '#' is the week of the month, not a day.
    if (whole[offset - 1] === '#') return digits;
    const day = Number(digits);
    if (day < 1 || day > 7) throw new Error(`Quartz day-of-week ${day} is out of range 1-7 (SUN=1)`);
    return String(day - 1);
  });
}

function parseYearField(field: string): (year: number) => boolean {
  if (field === '*' || field === '?') return () => true;
  const tests = field.split(',').map((part) => {
    const match = /^(\d{4})(?:-(\d{4}))?(?:\/(\d+))?$/.exec(part);
    if (!match) throw new Error(`year field '${field}' must be *, YYYY, YYYY-YYYY or a list, with an optional /step`);
    const start = Number(match[1]);
    const end = match[2] ? Number(match[2]) : match[3] ? Number.POSITIVE_INFINITY : start;
    const step = match[3] ? Number(match[3]) : 1;
    return (year: number) => year >= start && year <= end && (year - start) % step === 0;
  });
  return (year) => tests.some((test) => test(year));
}

function yearIn(date: Date, timeZone: string): number {
  return Number(new Intl.DateTimeFormat('en-US', { timeZone, year: 'numeric' }).format(date));
}
