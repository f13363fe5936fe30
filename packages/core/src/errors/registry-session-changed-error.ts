import { RegistryError } from './registry-error.js';

/**
 * A request bound to one registry session (see `CreateOptions.session`) was about to go out on a
 * newer session. Whatever the caller held under the old session is gone with it, so trying again
 * cannot help: the caller must start over under the new session.
 */
export class RegistrySessionChangedError extends RegistryError {
  constructor(path: string, readonly expectedSession: string, readonly currentSession: string) {
    super(
      'REGISTRY_SESSION_CHANGED',
      `request on ${path} belongs to registry session ${expectedSession || '(none)'}, but the session is now ${currentSession || '(none)'}`,
      path,
    );
  }
}
