/** What the outbox table says at the end of a run: every committed row and its state. */
import type { Pool, RowDataPacket } from 'mysql2/promise';
import { resolveOutboxTable } from '@shardflow/outbox-relay';

/** The example's table: default name, columns and states. */
const table = resolveOutboxTable({});

export interface DeadRow {
  readonly id: number;
  readonly retryCount: number;
  readonly lastError: string;
}

export interface OutboxAudit {
  readonly rows: number;
  readonly sentIds: readonly number[];
  readonly pendingIds: readonly number[];
  readonly dead: readonly DeadRow[];
  /** Rows charged at least one failed attempt, and the most attempts any row was charged. */
  readonly retried: number;
  readonly maxRetryCount: number;
}

export async function pendingCount(pool: Pool): Promise<number> {
  const [rows] = await pool.query<RowDataPacket[]>(`SELECT COUNT(*) AS n FROM ${table.quotedName} WHERE ${table.c.state} = ?`, [table.states.pending]);
  return Number(rows[0]?.['n']);
}

export async function auditOutbox(pool: Pool): Promise<OutboxAudit> {
  const { c, states } = table;
  const [rows] = await pool.query<RowDataPacket[]>(`SELECT ${c.id} AS id, ${c.state} AS state, ${c.retryCount} AS retry_count, ${c.lastError} AS last_error FROM ${table.quotedName}`);
  const inState = (state: number): RowDataPacket[] => rows.filter((row) => Number(row['state']) === state);
  return {
    rows: rows.length,
    sentIds: inState(states.sent).map((row) => Number(row['id'])),
    pendingIds: inState(states.pending).map((row) => Number(row['id'])),
    dead: inState(states.dead).map((row) => ({ id: Number(row['id']), retryCount: Number(row['retry_count']), lastError: String(row['last_error'] ?? '') })),
    retried: rows.filter((row) => Number(row['retry_count']) > 0).length,
    maxRetryCount: rows.reduce((max, row) => Math.max(max, Number(row['retry_count'])), 0),
  };
}

/** Where a row went and when it was marked, for the rows the report names (lost rows). */
export async function describeRows(pool: Pool, ids: readonly number[]): Promise<string[]> {
  if (ids.length === 0) return [];
  const { c } = table;
  const [rows] = await pool.query<RowDataPacket[]>(
    `SELECT ${c.id} AS id, ${c.cluster} AS cluster, ${c.key} AS row_key, ${c.createTime} AS created, ${c.sentTime} AS sent, ${c.fenceEpoch} AS epoch, ${c.retryCount} AS retries
     FROM ${table.quotedName} WHERE ${c.id} IN (?) ORDER BY ${c.id}`, [ids]);
  const at = (value: unknown): string => (value instanceof Date ? value.toISOString().slice(11, 23) : String(value));
  return rows.map((row) => `id ${row['id']}: ${row['cluster']}, key ${row['row_key']}, created ${at(row['created'])}, marked sent ${at(row['sent'])} under epoch ${row['epoch']}, retry_count ${row['retries']}`);
}
