import { ShardflowError } from '@shardflow/core';

/**
 * `OutboxWriter.add`/`addMany` was given a value larger than the table or the server takes.
 * Thrown before the INSERT is sent, so nothing was written and the caller's transaction goes on.
 */
export class OutboxValueTooLargeError extends ShardflowError {
  constructor(
    /** The message field (`key`, `topic`, `cluster`, `payload`, `headers`), or `statement` for the whole INSERT. */
    readonly field: string,
    /** How large the value is, in `unit`s. */
    readonly size: number,
    /** The most the column or the server takes, in `unit`s. */
    readonly limit: number,
    readonly unit: 'characters' | 'bytes',
    /** What sets the limit: the column and its type, or the server's `max_allowed_packet`. */
    readonly limitedBy: string,
    /** Position of the message in the `addMany` call; undefined for the statement. */
    readonly index?: number,
  ) {
    const subject = index === undefined ? 'the outbox INSERT' : `outbox message #${index} ${field}`;
    super('OUTBOX_VALUE_TOO_LARGE', `${subject} is ${size} ${unit}, over the limit of ${limit} set by ${limitedBy}; nothing was written`);
  }
}
