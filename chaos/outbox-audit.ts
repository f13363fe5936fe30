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
