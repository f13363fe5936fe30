import { DeliveryError } from '../errors/delivery-error.js';
import type { DeliveryOutcome } from './message-sink.js';

/** Every message of a send to a cluster the sink was not configured with fails as UNKNOWN_CLUSTER, which parks them at once: no retry can help. */
export function unknownClusterOutcomes(kind: string, cluster: string, count: number): DeliveryOutcome[] {
  const error = new DeliveryError('UNKNOWN_CLUSTER', `No ${kind} cluster named '${cluster}' is configured`);
  return Array.from({ length: count }, () => ({ ok: false, error }));
}
