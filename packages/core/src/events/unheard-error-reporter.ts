import type { Logger } from '../logging/logger.js';

/**
 * The last resort for an error that nobody listens to. eventemitter3 drops an `error` event with
 * no listener without a word, so a failing job would leave no trace at all. Each kind of error
 * (its `code`, else its class name) is reported once per reporter through `process.emitWarning`,
 * which prints to stderr unless the application handles `process.on('warning')`, with the cause:
 * enough to notice and diagnose, never a flood from a job that fails every second. With a
 * `logger`, every such error goes to its `error` level instead (the logger decides what to keep).
 */
export class UnheardErrorReporter {
  private readonly reported = new Set<string>();

  constructor(
    private readonly source: string,
    private readonly logger?: Logger,
  ) {}

  report(error: Error): void {
    const code = (error as { code?: unknown }).code;
    const kind = typeof code === 'string' ? code : error.name;
    if (this.logger) {
      this.logger.error({ err: error, source: this.source, kind }, `${this.source}: ${kind}: ${error.message} (nothing listens to this error)`);
      return;
    }
    if (this.reported.has(kind)) return;
    this.reported.add(kind);
    const cause = error.cause instanceof Error ? ` (cause: ${error.cause.message})` : '';
    process.emitWarning(
      `${this.source}: ${kind}: ${error.message}${cause}. Nothing listens to this error; listen to 'error' (and 'itemFailed') to handle it. Further ${kind} errors are not reported here again.`,
      { type: 'ShardflowUnheardError', code: 'SHARDFLOW_UNHEARD_ERROR', detail: error.stack },
    );
  }
}
