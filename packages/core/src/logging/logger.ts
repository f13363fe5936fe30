/** One level of a logger: an object of fields first, then the message (pino's argument order). */
export type LogMethod = (fields: Record<string, unknown>, message?: string) => void;

/** Any pino-compatible logger (pino itself, or a child of one) fits: shardflow logs only through these four. */
export interface Logger {
  debug: LogMethod;
  info: LogMethod;
  warn: LogMethod;
  error: LogMethod;
}

export type LogLevel = keyof Logger;

export const LOG_LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error'];
