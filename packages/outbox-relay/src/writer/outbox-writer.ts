import { EventEmitter } from 'eventemitter3';
import { UnserializablePayloadError } from '../errors/unserializable-payload-error.js';
import { InvalidOutboxConfigError } from '../errors/invalid-outbox-config-error.js';
import type { Partitioning } from '../partition/partitioning.js';
import { OutboxValueTooLargeError } from '../errors/outbox-value-too-large-error.js';
import { OUTBOX_COLUMN_LIMITS as LIMITS, type OutboxTable } from '../schema/outbox-table.js';
import type { MessageSink } from '../sink/message-sink.js';
import type { RelayStore } from '../store/outbox-store.js';
import type { OutboxEvents } from '../stats/outbox-events.js';
import type { OutboxMessage } from './outbox-message.js';
import { groupBy } from '../util/group-by.js';
import { toOutboundMessage } from '../sink/to-outbound-message.js';
import { sendChannel, writeChannel, type WriteChannelMessage } from '../tracing/outbox-channels.js';
import { traced } from '@shardflow/core';
import { MysqlRowInserter, type MysqlTransaction } from './mysql-row-inserter.js';
import type { RowInserter } from './row-inserter.js';
import { MESSAGE_FIELDS, sizeOf, type StoredValues } from './stored-values.js';

export interface FastPathOptions {
  sink: MessageSink;
  store: Pick<RelayStore, 'findUnfenced' | 'markSent'>;
  /**
   * Rows written for the fast path become due for the relay only after this many ms, so the relay
   * does not race the publish that follows the commit. Default 5 000.
   */
  graceMs?: number;
}

/**
 * Writes outbox rows on the caller's connection, inside the caller's transaction: the row exists
 * if and only if the business data commits. `Tx` is what the caller's transaction runs on: a
 * mysql2 connection by default, whatever the inserter takes otherwise (a pg client, a Knex transaction).
 * With a fast path, `publishNow(ids)` right after the commit sends at once and marks sent; if that
 * fails the rows simply wait for the relay.
 */
export class OutboxWriter<Tx = MysqlTransaction> extends EventEmitter<Pick<OutboxEvents, 'sent' | 'fastPathPublished'>> {
  private readonly graceMs: number;
  private readonly waiting: Array<{ ids: readonly number[]; calledAt: number; resolve: (marked: number) => void; reject: (error: unknown) => void }> = [];
  private flushing = false;
  private readonly inserter: RowInserter<Tx>;

  constructor(
    private readonly table: OutboxTable,
    private readonly partitioning: Pick<Partitioning, 'partitionOf'>,
    private readonly fastPath?: FastPathOptions,
    /** How rows reach the database; default MySQL's (then `Tx` must be a mysql2 connection). */
    inserter?: RowInserter<Tx>,
  ) {
    super();
    this.graceMs = fastPath?.graceMs ?? 5_000;
    if (!(this.graceMs >= 0)) throw new InvalidOutboxConfigError('fastPath.graceMs', this.graceMs, 'must be >= 0');
    this.inserter = inserter ?? (new MysqlRowInserter(table) as unknown as RowInserter<Tx>);
  }

  /** Inserts one row; returns its id. */
  async add(transaction: Tx, message: OutboxMessage): Promise<number> {
    const [id] = await this.addMany(transaction, [message]);
    return id as number;
  }

  /**
   * Inserts rows in one statement; returns their ids in order. A value the table cannot hold is an
   * OutboxValueTooLargeError before anything is sent, and the caller's transaction goes on.
   */
  async addMany(transaction: Tx, messages: readonly OutboxMessage[]): Promise<number[]> {
    if (messages.length === 0) return [];
    const added = headersFromSubscribers(messages.length);
    const rows = messages.map((message, index) => this.row(withChannelHeaders(message, added), index));
    return this.inserter.insert(transaction, rows, this.fastPath ? this.graceMs : 0);
  }

  /**
   * Fast path: publishes the given rows now and marks them sent. Rows the relay has already
   * written an outcome for are left to it. Resolves with how many of these rows were marked sent;
   * failures are left for the relay to retry. Calls that arrive while a publish is on its way are
   * sent together in the next one (one Kafka request and one UPDATE for all of them), so a busy
   * service does not queue one request per row behind the producer.
   */
  publishNow(ids: readonly number[]): Promise<number> {
    if (!this.fastPath || ids.length === 0) return Promise.resolve(0);
    return new Promise((resolve, reject) => {
      this.waiting.push({ ids, calledAt: performance.now(), resolve, reject });
      void this.flush();
    });
  }

  private async flush(): Promise<void> {
    if (this.flushing) return;
    this.flushing = true;
    try {
      while (this.waiting.length > 0) {
        const callers = this.waiting.splice(0);
        try {
          const marked = await this.publish(callers.flatMap((caller) => caller.ids));
          const ackedAt = performance.now();
          for (const caller of callers) {
            const count = caller.ids.filter((id) => marked.has(id)).length;
            this.emit('fastPathPublished', { rows: caller.ids.length, marked: count, latencyMs: ackedAt - caller.calledAt });
            caller.resolve(count);
          }
        } catch (error) {
          for (const caller of callers) caller.reject(error);
        }
      }
    } finally {
      this.flushing = false;
    }
  }

  /** Sends the rows, marks the delivered ones sent, returns the ids marked. */
  private async publish(ids: readonly number[]): Promise<Set<number>> {
    const { sink, store } = this.fastPath as FastPathOptions;
    const records = await store.findUnfenced({ database: 0, table: this.table }, ids);
    const marked = new Set<number>();
    for (const [cluster, group] of groupBy(records, (record) => record.cluster)) {
      const messages = group.map(toOutboundMessage);
      const outcomes = await traced(sendChannel, () => ({ cluster, messages, fastPath: true }), () => sink.send(cluster, messages));
      const delivered = group.filter((_, index) => outcomes[index]?.ok);
      if (delivered.length === 0) continue;
      const changed = await store.markSent(delivered, undefined);
      // markSent skips rows a relay item wrote meanwhile; those count as the relay's.
      if (changed === delivered.length) for (const record of delivered) marked.add(record.id);
      this.emit('sent', { cluster, count: changed, fastPath: true });
    }
    return marked;
  }

  /** The column values of one message, each checked against its column. */
  private row(message: OutboxMessage, index: number): StoredValues {
    for (const field of ['key', 'topic', 'cluster'] as const) {
      const value = message[field];
      if (typeof value !== 'string' || value === '') throw new UnserializablePayloadError(`${field} must be a non-empty string`);
    }
    const values: StoredValues = {
      key: message.key, topic: message.topic, cluster: message.cluster, payload: toBytes(message.payload), headers: serializeHeaders(message.headers),
      partition: this.partitioning.partitionOf(message.key),
    };
    for (const field of MESSAGE_FIELDS) {
      const value = values[field];
      const { max, unit, sqlType } = LIMITS[field];
      // A string's length in UTF-16 units is never below its length in characters: count only when it may be over.
      if (value === null || (typeof value === 'string' && unit === 'characters' && value.length <= max)) continue;
      const size = sizeOf(field, value);
      if (size > max) throw new OutboxValueTooLargeError(field, size, max, unit, `the ${sqlType} column ${this.table.columns[field]}`, index);
    }
    return values;
  }
}

function toBytes(payload: OutboxMessage['payload']): Buffer {
  if (Buffer.isBuffer(payload)) return payload;
  if (typeof payload === 'string') return Buffer.from(payload, 'utf8');
  try {
    const json = JSON.stringify(payload);
    if (json === undefined) throw new Error('JSON.stringify returned nothing');
    return Buffer.from(json, 'utf8');
  } catch (error) {
    throw new UnserializablePayloadError(`payload is not JSON-serialisable: ${(error as Error).message}`, error);
  }
}

function serializeHeaders(headers: OutboxMessage['headers']): string | null {
  if (headers === undefined) return null;
  for (const [name, value] of Object.entries(headers)) {
    if (typeof value !== 'string') throw new UnserializablePayloadError(`header '${name}' must be a string`);
  }
  return JSON.stringify(headers);
}

/** Headers the write channel's subscribers add to every row of one call (a trace context); none without subscribers. */
function headersFromSubscribers(rows: number): Readonly<Record<string, string>> | undefined {
  if (!writeChannel.hasSubscribers) return undefined;
  const message: WriteChannelMessage = { rows, headers: {} };
  writeChannel.publish(message);
  return Object.keys(message.headers).length === 0 ? undefined : message.headers;
}

function withChannelHeaders(message: OutboxMessage, added: Readonly<Record<string, string>> | undefined): OutboxMessage {
  return added === undefined ? message : { ...message, headers: { ...added, ...message.headers } };
}
