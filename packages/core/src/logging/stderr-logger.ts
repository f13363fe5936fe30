import { InvalidJobConfigError } from '../errors/invalid-job-config-error.js';
import { LOG_LEVELS, type Logger, type LogLevel } from './logger.js';

export interface StderrLoggerOptions {
  /** Lowest level written. Default 'warn'. */
  level?: LogLevel;
  /** One JSON object a line (pino's shape: level, time, msg, fields) instead of text. Default false. */
  json?: boolean;
  /** Default process.stderr. */
  stream?: { write(line: string): unknown };
}

/**
 * A small logger for when you have none: warnings and errors to stderr, as text or JSON lines.
 * An `err` field holding an Error is written with its name, message, code and stack.
 */
export function createStderrLogger(options: StderrLoggerOptions = {}): Logger {
  const level = options.level ?? 'warn';
  if (!LOG_LEVELS.includes(level)) throw new InvalidJobConfigError([{ field: 'logger.level', value: level, message: `must be one of ${LOG_LEVELS.join(', ')}` }]);
  const stream = options.stream ?? process.stderr;
  const lowest = LOG_LEVELS.indexOf(level);
  const method = (name: LogLevel) => (fields: Record<string, unknown>, message = ''): void => {
    if (LOG_LEVELS.indexOf(name) < lowest) return;
    const plain = Object.fromEntries(Object.entries(fields).map(([key, value]) => [key, value instanceof Error ? errorFields(value) : value]));
    const time = new Date();
    if (options.json) {
      stream.write(`${JSON.stringify({ level: name, time: time.getTime(), msg: message, ...plain })}\n`);
      return;
    }
    const rest = Object.keys(plain).length === 0 ? '' : ` ${JSON.stringify(plain)}`;
    stream.write(`${time.toISOString()} ${name.toUpperCase()} ${message}${rest}\n`);
  };
  return { debug: method('debug'), info: method('info'), warn: method('warn'), error: method('error') };
}

function errorFields(error: Error): Record<string, unknown> {
  const code = (error as { code?: unknown }).code;
  return { type: error.name, message: error.message, ...(code === undefined ? {} : { code }), stack: error.stack };
}
