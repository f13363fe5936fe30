/**
 * Follows a live relay's run log to tell whether it is in the middle of an item run right now, and
 * whether that run has begun sending, so that a freeze can be aimed at a process holding a run lock
 * with a send on the wire (where a stale run can do harm) rather than at an idle one.
 */
import { closeSync, openSync, readSync } from 'node:fs';
import type { RunLogRecord } from '../examples/user-register-relay/src/run-log.js';

export class RunLogTail {
  private offset = 0;
  private partial = '';
  /** Item -> sends so far, of each run started and not yet ended. */
  private readonly open = new Map<number, number>();

  constructor(private readonly path: string) {}

  /** Item -> sends so far, of each run started and not yet ended, after reading what was appended since the last call. */
  openRuns(): ReadonlyMap<number, number> {
    let fd: number;
    try {
      fd = openSync(this.path, 'r');
    } catch {
      return this.open;
    }
    try {
      const buffer = Buffer.alloc(64 * 1024);
      for (let read = readSync(fd, buffer, 0, buffer.length, this.offset); read > 0; read = readSync(fd, buffer, 0, buffer.length, this.offset)) {
        this.offset += read;
        const lines = (this.partial + buffer.toString('utf8', 0, read)).split('\n');
        this.partial = lines.pop() ?? '';
        for (const line of lines) this.apply(JSON.parse(line) as RunLogRecord);
      }
    } finally {
      closeSync(fd);
    }
    return this.open;
  }

  private apply(record: RunLogRecord): void {
    if (record.kind === 'start') this.open.set(record.item, 0);
    if (record.kind === 'send' && this.open.has(record.item)) this.open.set(record.item, (this.open.get(record.item) ?? 0) + 1);
    if (record.kind === 'end') this.open.delete(record.item);
  }
}
