import { RegistryError } from './registry-error.js';

/** A multi-operation applied nothing because operation `failedIndex` failed. */
export class RegistryTransactionError extends RegistryError {
  constructor(
    readonly failedIndex: number,
    path: string | undefined,
    readonly reason: string,
    cause?: unknown,
  ) {
    super('REGISTRY_TRANSACTION_FAILED', `Registry transaction failed at operation ${failedIndex} (${path ?? '?'}): ${reason}`, path, { cause });
  }
}
