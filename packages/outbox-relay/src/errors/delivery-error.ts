import { ShardflowError } from '@shardflow/core';

export const DELIVERY_ERROR_CODES = [
  'BROKER_UNAVAILABLE',
  'DELIVERY_TIMEOUT',
  'SINK_FAILED',
  'DELIVERY_FAILED',
  'MESSAGE_TOO_LARGE',
  'TOPIC_NOT_FOUND',
  'UNKNOWN_CLUSTER',
  'UNSERIALIZABLE_RECORD',
] as const;

export type DeliveryErrorCode = (typeof DELIVERY_ERROR_CODES)[number];

/**
 * Whose failure it is. 'destination': the cluster (or the sink as a whole) failed, and any row
 * would have failed the same way; that is an outage, and an outage is not an attempt of the row.
 * 'record': the row's own failure; it counts against `maxRetries`.
 */
export type DeliveryFault = 'destination' | 'record';

/** The codes of the destination's failures (as stored at the head of `last_error`); every other code is the record's. */
export const DESTINATION_FAULT_CODES = ['BROKER_UNAVAILABLE', 'DELIVERY_TIMEOUT', 'SINK_FAILED'] as const satisfies readonly DeliveryErrorCode[];

const DESTINATION = new Set<string>(DESTINATION_FAULT_CODES);
const PERMANENT = new Set<DeliveryErrorCode>(['MESSAGE_TOO_LARGE', 'TOPIC_NOT_FOUND', 'UNKNOWN_CLUSTER', 'UNSERIALIZABLE_RECORD']);

/** Whose failure a code names (a stored `last_error` code too); undefined for a code that is not ours. */
export function faultOf(code: string): DeliveryFault | undefined {
  if (DESTINATION.has(code)) return 'destination';
  return (DELIVERY_ERROR_CODES as readonly string[]).includes(code) ? 'record' : undefined;
}

/**
 * Why a message could not be delivered. `fault` says whether the failure is an attempt of the row
 * (only 'record' failures count against `maxRetries`); `retriable` says whether a record failure
 * may be tried again or parks the row as dead at once, because trying again cannot help.
 */
export class DeliveryError extends ShardflowError {
  declare readonly code: DeliveryErrorCode;
  readonly fault: DeliveryFault;

  constructor(code: DeliveryErrorCode, message: string, cause?: unknown) {
    super(code, message, { cause, retriable: !PERMANENT.has(code) });
    this.fault = DESTINATION.has(code) ? 'destination' : 'record';
  }
}
