import { RegistryError } from './registry-error.js';

/** The registry cannot be reached, or the session is not usable right now. Retriable. */
export class RegistryConnectionError extends RegistryError {
  constructor(message: string, cause?: unknown) {
    super('REGISTRY_CONNECTION', message, undefined, { cause, retriable: true });
  }
}
