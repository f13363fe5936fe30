import type { CoreErrorCode } from './core-error-codes.js';
import { ShardflowError } from './shardflow-error.js';

/** Base of the registry's errors; `path` is the node the operation was about, when there is one. */
export class RegistryError extends ShardflowError<CoreErrorCode> {
  constructor(
    code: CoreErrorCode,
    message: string,
    readonly path: string | undefined,
    options: { cause?: unknown; retriable?: boolean } = {},
  ) {
    super(code, message, options);
  }
}
