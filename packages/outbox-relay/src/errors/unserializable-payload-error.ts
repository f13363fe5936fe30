import { ShardflowError } from '@shardflow/core';

/** `OutboxWriter.add` was given a payload or headers that cannot be turned into bytes. Nothing was written. */
export class UnserializablePayloadError extends ShardflowError {
  constructor(reason: string, cause?: unknown) {
    super('UNSERIALIZABLE_PAYLOAD', `Outbox message cannot be serialised: ${reason}`, { cause });
  }
}
