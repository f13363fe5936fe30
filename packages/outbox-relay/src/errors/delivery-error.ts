import { ShardflowError } from '@shardflow/core';

export const DELIVERY_ERROR_CODES = [
  'BROKER_UNAVAILABLE',
  'DELIVERY_TIMEOUT',
  'DELIVERY_FAILED',
  'MESSAGE_TOO_LARGE',
  'TOPIC_NOT_FOUND',
  'UNKNOWN_CLUSTER',
  'UNSERIALIZABLE_RECORD',
] as const;

export type DeliveryErrorCode = (typeof DELIVERY_ERROR_CODES)[number];

const PERMANENT = new Set<DeliveryErrorCode>(['MESSAGE_TOO_LARGE', 'TOPIC_NOT_FOUND', 'UNKNOWN_CLUSTER', 'UNSERIALIZABLE_RECORD']);

/**
 * Why a message could not be delivered. `retriable` decides the row's fate: retriable errors back
 * off and try again; the others park the row as dead at once, because trying again cannot help.
 */
export class DeliveryError extends ShardflowError {
  declare readonly code: DeliveryErrorCode;

  constructor(code: DeliveryErrorCode, message: string, cause?: unknown) {
    super(code, message, { cause, retriable: !PERMANENT.has(code) });
  }
}
