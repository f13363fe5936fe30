import { describe, expect, it } from 'vitest';
import { CIRCUIT_CHUNK, deferDueRows, type DeferralSteps } from '../../src/store/sql-fragments.js';

const deferral = { probeAt: new Date(1_000), probeRows: 3, parkUntil: new Date(2_000), reason: 'BROKER_UNAVAILABLE: down' };

/** A scope's due rows as a list: what is deferred leaves it; `stuck` rows are read but never change (sent or fenced meanwhile). */
function scope(due: number, stuck = 0): DeferralSteps & { readonly statements: Array<{ size: number; until: number }>; readonly remaining: () => number } {
  let rows = Array.from({ length: due }, (_, i) => i + 1);
  const unchangeable = new Set(rows.slice(0, stuck));
  const statements: Array<{ size: number; until: number }> = [];
  return {
    statements,
    remaining: () => rows.length,
    dueIds: async (limit) => rows.slice(0, limit),
    defer: async (ids, until) => {
      statements.push({ size: ids.length, until: until.getTime() });
      const changed = new Set(ids.filter((id) => !unchangeable.has(id)));
      rows = rows.filter((id) => !changed.has(id));
      return changed.size;
    },
  };
}

describe('deferDueRows', () => {
  it('gives the probe time to the first rows and parks every other due row, at most a chunk a statement, over several reads', async () => {
    const steps = scope(45_003);
    expect(await deferDueRows(steps, deferral)).toBe(45_003);
    expect(steps.remaining()).toBe(0);
    expect(steps.statements[0]).toEqual({ size: 3, until: 1_000 });
    const parks = steps.statements.slice(1);
    expect(parks.every((statement) => statement.until === 2_000 && statement.size <= CIRCUIT_CHUNK)).toBe(true);
    expect(parks.reduce((sum, statement) => sum + statement.size, 0)).toBe(45_000);
  });

  it('parks past rows that did not change (sent or fenced meanwhile), and ends when a whole read changed nothing', async () => {
    const someStuck = scope(30_000, 5_000);
    expect(await deferDueRows(someStuck, deferral)).toBe(25_000);
    expect(someStuck.remaining()).toBe(5_000);

    const allStuck = scope(30_000, 25_000);
    expect(await deferDueRows(allStuck, deferral)).toBe(0);
    // The probe, then the statements of one read (20 000 rows, 2 000 a statement): it did not read the same rows again and again.
    expect(allStuck.statements).toHaveLength(11);
  });

  it('stops between statements once its signal is aborted, leaving the rest due', async () => {
    const stop = new AbortController();
    const steps = scope(45_003);
    const stopAfterFirstPark: DeferralSteps = {
      dueIds: steps.dueIds,
      defer: async (ids, until) => {
        const changed = await steps.defer(ids, until);
        if (until.getTime() === deferral.parkUntil.getTime()) stop.abort();
        return changed;
      },
    };
    expect(await deferDueRows(stopAfterFirstPark, { ...deferral, signal: stop.signal })).toBe(3 + CIRCUIT_CHUNK);
    expect(steps.remaining()).toBe(45_000 - CIRCUIT_CHUNK);
  });
});
