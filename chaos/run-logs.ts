/** Reads the run log of one relay process (examples/user-register-relay/src/run-log.ts) into item runs. */
import { existsSync, readFileSync } from 'node:fs';
import type { RunLogRecord } from '../examples/user-register-relay/src/run-log.js';
import type { ItemsAssigned } from './failover-times.js';
import type { ItemRun, Send } from './overlaps.js';

export interface ProcessRunLog {
  readonly runs: ItemRun[];
  readonly assigned: ItemsAssigned[];
}

export function readRunLog(process: string, path: string): ProcessRunLog {
  const lines = existsSync(path) ? readFileSync(path, 'utf8').split('\n') : [];
  const runs: ItemRun[] = [];
  const assigned: ItemsAssigned[] = [];
  const open = new Map<number, { item: number; epoch: number; start: number; sends: Send[] }>();
  const batchStarts = new Map<number, number>();
  const close = (item: number, end: number | undefined): void => {
    const run = open.get(item);
    if (!run) return;
    open.delete(item);
    runs.push({ process, item: run.item, epoch: run.epoch, start: run.start, sends: run.sends, end });
  };
  for (const line of lines) {
    // The last line of a killed process may be cut short.
    if (!line.endsWith('}')) continue;
    const record = JSON.parse(line) as RunLogRecord;
    switch (record.kind) {
      case 'items':
        assigned.push({ process, at: record.at, items: record.items });
        break;
      case 'start':
        close(record.item, record.at);
        open.set(record.item, { item: record.item, epoch: record.epoch, start: record.at, sends: [] });
        break;
      case 'batch':
        batchStarts.set(record.batch, record.at);
        break;
      case 'send':
        open.get(record.item)?.sends.push({ at: record.at, batchAt: batchStarts.get(record.batch) ?? record.at });
        break;
      case 'end':
        close(record.item, record.at);
        break;
    }
  }
  for (const item of [...open.keys()]) close(item, undefined);
  return { runs, assigned };
}
