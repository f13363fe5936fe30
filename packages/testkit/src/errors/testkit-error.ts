/**
 * A service the tests need cannot be provided. `code` says which kind of problem; the message
 * names what is missing and how to get it.
 */
export class TestkitError extends Error {
  constructor(
    readonly code: 'MISSING_TOOL' | 'SERVICE_START_FAILED' | 'SERVICE_UNREACHABLE' | 'INVALID_SERVICE_ENV',
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'TestkitError';
  }
}
