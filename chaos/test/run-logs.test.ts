import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readRunLog } from '../run-logs.js';

describe('readRunLog', () => {
  it('pairs starts with ends, ties each send to its batch, and leaves open the run a kill cut short', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'run-log-test-')), 'relay.jsonl');
    writeFileSync(path, [
      { kind: 'items', at: 1, items: [0, 2] },
      { kind: 'start', at: 10, item: 0, epoch: 3 },
      { kind: 'batch', at: 12, item: 0, epoch: 3, batch: 1 },
      { kind: 'send', at: 13, item: 0, epoch: 3, batch: 1, cluster: 'cluster_a', count: 5 },
      { kind: 'start', at: 14, item: 2, epoch: 3 },
      { kind: 'send', at: 20, item: 0, epoch: 3, batch: 1, cluster: 'cluster_b', count: 5 },
      { kind: 'end', at: 30, item: 0, epoch: 3, outcome: 'drained' },
      { kind: 'batch', at: 31, item: 2, epoch: 3, batch: 2 },
    ].map((record) => JSON.stringify(record)).join('\n') + '\n{"kind":"send","at":3');
    expect(readRunLog('relay-1.1', path)).toEqual({
      assigned: [{ process: 'relay-1.1', at: 1, items: [0, 2] }],
      runs: [
        { process: 'relay-1.1', item: 0, epoch: 3, start: 10, end: 30, sends: [{ at: 13, batchAt: 12 }, { at: 20, batchAt: 12 }] },
        { process: 'relay-1.1', item: 2, epoch: 3, start: 14, end: undefined, sends: [] },
      ],
    });
  });

  it('reads a process that never wrote its log as no runs', () => {
    expect(readRunLog('relay-9.9', join(tmpdir(), 'no-such-run-log.jsonl'))).toEqual({ runs: [], assigned: [] });
  });
});
