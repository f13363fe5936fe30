import type { ConnectionState, Registry } from '../registry/registry.js';
import type { Logger, LogLevel } from './logger.js';

const LEVEL_OF_STATE: Readonly<Record<ConnectionState, LogLevel>> = {
  connected: 'info', reconnected: 'info', closed: 'info', suspended: 'warn', lost: 'error',
};

/**
 * Logs the registry's session: each state change at the level it deserves (`suspended` warn, `lost`
 * error, the others info) with the session id, and its background errors at warn. The ZooKeeper
 * client logs nothing itself; this is what there is to say about it. Returns the unsubscribe.
 */
export function logRegistryStates(registry: Registry, logger: Logger): () => void {
  const onState = (state: ConnectionState): void => {
    logger[LEVEL_OF_STATE[state]]({ component: 'registry', state, session: registry.sessionId }, `registry session ${state}`);
  };
  const onError = (error: Error): void => {
    logger.warn({ component: 'registry', err: error }, `registry: ${error.message}`);
  };
  registry.on('state', onState);
  registry.on('error', onError);
  return () => {
    registry.off('state', onState);
    registry.off('error', onError);
  };
}
