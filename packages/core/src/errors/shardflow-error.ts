/**
 * Base class of every error shardflow throws. `code` is stable across releases and is what callers
 * should branch on; `retriable` tells a retry layer whether trying again can help.
 */
export class ShardflowError<Code extends string = string> extends Error {
  readonly code: Code;
  readonly retriable: boolean;

  constructor(code: Code, message: string, options: { cause?: unknown; retriable?: boolean } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.retriable = options.retriable ?? false;
  }

  static is(value: unknown, code?: string): value is ShardflowError {
    return value instanceof ShardflowError && (code === undefined || value.code === code);
  }
}
