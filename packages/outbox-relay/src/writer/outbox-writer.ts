import type { Connection, PoolConnection, ResultSetHeader, RowDataPacket } from 'mysql2/promise';
import { EventEmitter } from 'eventemitter3';
import { UnserializablePayloadError } from '../errors/unserializable-payload-error.js';
import { InvalidOutboxConfigError } from '../errors/invalid-outbox-config-error.js';
import type { Partitioning } from '../partition/partitioning.js';
import { OutboxValueTooLargeError } from '../errors/outbox-value-too-large-error.js';
import { OUTBOX_COLUMN_LIMITS as LIMITS, type OutboxTable } from '../schema/outbox-table.js';
import { schemaErrorOf } from '../store/mysql-schema-check.js';
import type { MessageSink } from '../sink/message-sink.js';
import type { RelayStore } from '../store/outbox-store.js';
import type { OutboxEvents } from '../stats/outbox-events.js';
import type { OutboxMessage } from './outbox-message.js';
import { groupBy } from '../util/group-by.js';
import { toOutboundMessage } from '../sink/to-outbound-message.js';

/** A connection the caller's transaction runs on: the row commits or rolls back with the business data. */
export type TransactionConnection = Connection | PoolConnection;

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
 * if and only if the business data commits. With a fast path, `publishNow(ids)` right after the
 * commit sends at once and marks sent; if that fails the rows simply wait for the relay.
 */
export class OutboxWriter extends EventEmitter<Pick<OutboxEvents, 'sent'>> {
  private readonly graceMs: number;
  private readonly waiting: Array<{ ids: readonly number[]; resolve: (marked: number) => void; reject: (error: unknown) => void }> = [];
  private flushing = false;
  private packetLimit: number | undefined;

  constructor(
    private readonly table: OutboxTable,
    private readonly partitioning: Pick<Partitioning, 'partitionOf'>,
    private readonly fastPath?: FastPathOptions,
  ) {
    super();
    this.graceMs = fastPath?.graceMs ?? 5_000;
    if (!(this.graceMs >= 0)) throw new InvalidOutboxConfigError('fastPath.graceMs', this.graceMs, 'must be >= 0');
  }

  /** Inserts one row; returns its id. */
  async add(connection: TransactionConnection, message: OutboxMessage): Promise<number> {
    const [id] = await this.addMany(connection, [message]);
    return id as number;
  }

  /**
   * Inserts rows in one statement; returns their ids in order. A value the table cannot hold, or a
   * statement over the server's `max_allowed_packet` (which would make MySQL drop the connection
   * and with it the caller's transaction), is an OutboxValueTooLargeError before anything is sent.
   */
  async addMany(connection: TransactionConnection, messages: readonly OutboxMessage[]): Promise<number[]> {
    if (messages.length === 0) return [];
    const { c } = this.table;
    const rows = messages.map((message, index) => this.row(message, index));
    const delayMs = this.fastPath ? this.graceMs : 0;
    const sql = connection.format(
      `INSERT INTO ${this.table.quotedName} (${c.key}, ${c.topic}, ${c.cluster}, ${c.payload}, ${c.headers}, ${c.partition}, ${c.nextSelectTime})
       VALUES ${rows.map(() => '(?, ?, ?, ?, ?, ?, NOW(3) + INTERVAL ? MICROSECOND)').join(', ')}`,
      rows.flatMap((row) => [row.key, row.topic, row.cluster, row.payload, row.headers, this.partitioning.partitionOf(row.key), delayMs * 1000]),
    );
    const packetLimit = await this.maxAllowedPacket(connection);
    // The packet is the statement's bytes plus one byte naming the command.
    const packetSize = Buffer.byteLength(sql) + 1;
    if (packetSize > packetLimit) throw new OutboxValueTooLargeError('statement', packetSize, packetLimit, 'bytes', "the server's max_allowed_packet");
    let result: ResultSetHeader;
    try {
      [result] = await connection.query<ResultSetHeader>(sql);
    } catch (error) {
      throw schemaErrorOf(error, { database: 0, table: this.table }) ?? (await this.narrowColumnError(connection, error, rows).catch(() => undefined)) ?? error;
    }
    // One multi-row INSERT receives consecutive auto-increment ids (InnoDB "simple insert").
    return messages.map((_, index) => result.insertId + index);
  }

  /** The server's `max_allowed_packet`, read once on the caller's connection (a read leaves its transaction as it is). */
  private async maxAllowedPacket(connection: TransactionConnection): Promise<number> {
    if (this.packetLimit === undefined) {
      const [rows] = await connection.query<RowDataPacket[]>('SELECT @@max_allowed_packet AS bytes');
      this.packetLimit = Number(rows[0]?.['bytes']);
    }
    return this.packetLimit;
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
      this.waiting.push({ ids, resolve, reject });
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
          for (const caller of callers) caller.resolve(caller.ids.filter((id) => marked.has(id)).length);
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
      const outcomes = await sink.send(cluster, group.map(toOutboundMessage));
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

  /**
   * MySQL's ER_DATA_TOO_LONG as the same typed error the checks above throw, for an existing table
   * whose columns are narrower than the migration's; the column's size is read from the server.
   * MySQL fails only the statement, so the caller's transaction goes on.
   */
  private async narrowColumnError(connection: TransactionConnection, error: unknown, rows: readonly StoredValues[]): Promise<OutboxValueTooLargeError | undefined> {
    const { errno, sqlMessage } = (error ?? {}) as { errno?: number; sqlMessage?: string };
    const match = errno === DATA_TOO_LONG ? /column '([^']+)' at row (\d+)/.exec(sqlMessage ?? '') : null;
    const field = MESSAGE_FIELDS.find((name) => this.table.columns[name] === match?.[1]);
    const index = Number(match?.[2]) - 1;
    const value = field === undefined ? undefined : rows[index]?.[field];
    if (!match || field === undefined || value === null || value === undefined) return undefined;
    const [[column]] = await connection.query<RowDataPacket[]>(
      `SELECT COLUMN_TYPE AS type, CHARACTER_MAXIMUM_LENGTH AS max FROM information_schema.COLUMNS
       WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ? AND COLUMN_NAME = ?`, [this.table.name, match[1]]);
    const limitedBy = `the ${String(column?.['type']).toUpperCase()} column ${match[1]}`;
    return new OutboxValueTooLargeError(field, sizeOf(field, value), Number(column?.['max']), LIMITS[field].unit, limitedBy, index);
  }
}

const DATA_TOO_LONG = 1406;

/** A message as it goes into its sized columns: the payload as bytes, the headers as JSON (null without headers). */
interface StoredValues {
  readonly key: string;
  readonly topic: string;
  readonly cluster: string;
  readonly payload: Buffer;
  readonly headers: string | null;
}

type MessageField = keyof StoredValues;
const MESSAGE_FIELDS: readonly MessageField[] = ['key', 'topic', 'cluster', 'payload', 'headers'];

/** A value's size in the unit its column counts: characters for VARCHAR, bytes for BLOB and TEXT. */
function sizeOf(field: MessageField, value: Buffer | string): number {
  if (LIMITS[field].unit === 'characters') return [...value.toString()].length;
  return Buffer.isBuffer(value) ? value.length : Buffer.byteLength(value);
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
