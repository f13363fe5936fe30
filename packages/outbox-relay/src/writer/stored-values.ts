import { OUTBOX_COLUMN_LIMITS as LIMITS } from '../schema/outbox-table.js';

/** A message as it goes into its sized columns: the payload as bytes, the headers as JSON (null without headers). */
export interface StoredValues {
  readonly key: string;
  readonly topic: string;
  readonly cluster: string;
  readonly payload: Buffer;
  readonly headers: string | null;
  /** The partition number the partitioning computes from the key. */
  readonly partition: number;
}

export type MessageField = Exclude<keyof StoredValues, 'partition'>;
export const MESSAGE_FIELDS: readonly MessageField[] = ['key', 'topic', 'cluster', 'payload', 'headers'];

/** A value's size in the unit its column counts: characters for VARCHAR, bytes for BLOB and TEXT. */
export function sizeOf(field: MessageField, value: Buffer | string): number {
  if (LIMITS[field].unit === 'characters') return [...value.toString()].length;
  return Buffer.isBuffer(value) ? value.length : Buffer.byteLength(value);
}
