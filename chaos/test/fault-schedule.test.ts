import { describe, expect, it } from 'vitest';
import { faultSchedule, FREEZE_BEYOND_SESSION_MS, type Fault } from '../fault-schedule.js';
import { seededRandom as seeded } from '../seeded-random.js';

const settings = { durationMs: 90_000, sessionTimeoutMs: 4_000, maxRetries: 3, backoffCapMs: 1_000, clusters: ['cluster_a', 'cluster_b'] };
const of = <K extends Fault['kind']>(faults: readonly Fault[], kind: K): Array<Extract<Fault, { kind: K }>> =>
  faults.filter((fault): fault is Extract<Fault, { kind: K }> => fault.kind === kind);

describe('faultSchedule', () => {
  it('kills every 2-5 s, freezes past the session timeout, runs one outage longer than the retries can absorb, kills MySQL connections, all within the run', () => {
    for (const seed of [1, 2, 3, 42]) {
      const faults = faultSchedule(settings, seeded(seed));
      const kills = of(faults, 'kill').map((fault) => fault.at);
      expect(kills.length).toBeGreaterThanOrEqual(90 / 5 - 1);
      kills.slice(1).forEach((at, index) => {
        expect(at - (kills[index] as number)).toBeGreaterThanOrEqual(2_000);
        expect(at - (kills[index] as number)).toBeLessThanOrEqual(5_000);
      });
      const freezes = of(faults, 'freeze');
      expect(freezes.length).toBeGreaterThanOrEqual(3);
      for (const freeze of freezes) expect(freeze.forMs).toBe(settings.sessionTimeoutMs + FREEZE_BEYOND_SESSION_MS);
      freezes.slice(1).forEach((freeze, index) => expect(freeze.at).toBeGreaterThan((freezes[index] as Fault & { forMs: number }).at + freeze.forMs));
      const [outage, ...more] = of(faults, 'outage');
      expect(more).toEqual([]);
      expect(outage?.forMs).toBeGreaterThan(settings.maxRetries * settings.backoffCapMs);
      expect(settings.clusters).toContain(outage?.cluster);
      expect(of(faults, 'mysql-kill').length).toBeGreaterThanOrEqual(8);
      for (const fault of faults) expect(fault.at + ('forMs' in fault ? fault.forMs : 0)).toBeLessThan(settings.durationMs);
      expect(faults.map((fault) => fault.at)).toEqual([...faults.map((fault) => fault.at)].sort((a, b) => a - b));
    }
  });

  it('stretches the outage to twice maxRetries x the backoff cap when 30 % of the run is shorter', () => {
    const [outage] = of(faultSchedule({ ...settings, maxRetries: 10, backoffCapMs: 2_000 }, seeded(7)), 'outage');
    expect(outage?.forMs).toBe(40_000);
  });

  it('refuses a run too short for its faults, naming the field', () => {
    expect(() => faultSchedule({ ...settings, durationMs: 30_000 }, seeded(1))).toThrow(/durationMs/);
    expect(() => faultSchedule({ ...settings, maxRetries: 10, backoffCapMs: 10_000 }, seeded(1))).toThrow(/does not fit/);
  });
});
