/** Command-line options of `npm run chaos`; a bad flag fails at start naming the flag and the value. */
import { MIN_DURATION_MS } from './fault-schedule.js';

export interface ChaosOptions {
  /** Length of the chaos (faults and inserts); the drain and the checks come after. Default 5. */
  readonly minutes: number;
  /** Rows inserted per second, spread over the clusters. Default 100. */
  readonly rowsPerSecond: number;
  /** Seed of the fault schedule and of the choice of victims. Default: random, printed. */
  readonly seed: number;
}

export class ChaosOptionError extends Error {
  readonly code = 'INVALID_CHAOS_OPTION';
  readonly retriable = false;
}

const USAGE = 'usage: npm run chaos -- [--minutes N (default 5, fractional ok)] [--rate ROWS_PER_SECOND (default 100)] [--seed N]';

export function parseChaosOptions(args: readonly string[]): ChaosOptions {
  const values = new Map<string, string>();
  for (let i = 0; i < args.length; i += 2) {
    const flag = args[i] as string;
    if (!['--minutes', '--rate', '--seed'].includes(flag)) throw new ChaosOptionError(`unknown option '${flag}'; ${USAGE}`);
    const value = args[i + 1];
    if (value === undefined) throw new ChaosOptionError(`${flag} needs a value; ${USAGE}`);
    values.set(flag, value);
  }
  const number = (flag: string, fallback: number, valid: (n: number) => boolean, rule: string): number => {
    const raw = values.get(flag);
    if (raw === undefined) return fallback;
    const value = Number(raw);
    if (raw.trim() === '' || !valid(value)) throw new ChaosOptionError(`${flag} ${rule} (got '${raw}')`);
    return value;
  };
  const minMinutes = MIN_DURATION_MS / 60_000;
  return {
    minutes: number('--minutes', 5, (n) => Number.isFinite(n) && n >= minMinutes && n <= 24 * 60, `must be a number of minutes from ${minMinutes} to 1440`),
    rowsPerSecond: number('--rate', 100, (n) => Number.isInteger(n) && n >= 1 && n <= 10_000, 'must be an integer from 1 to 10000'),
    seed: number('--seed', Math.floor(Math.random() * 2 ** 31), (n) => Number.isSafeInteger(n) && n >= 0, 'must be an integer >= 0'),
  };
}
