import { describe, expect, it } from 'vitest';
import { readRelaySettings } from '../../src/relay-settings.js';

describe('the example relay settings', () => {
  it.each([
    [undefined, true],
    ['', true],
    ['on', true],
    ['off', false],
  ])('RELAY_WAKEUP=%j turns the wakeup %s', (value, wakeup) => {
    expect(readRelaySettings(value === undefined ? {} : { RELAY_WAKEUP: value }).wakeup).toBe(wakeup);
  });

  it.each([
    [undefined, false],
    ['on', true],
    ['off', false],
  ])('RELAY_HISTORY=%j records the runs: %s', (value, history) => {
    expect(readRelaySettings(value === undefined ? {} : { RELAY_HISTORY: value }).history).toBe(history);
  });

  it('names RELAY_HISTORY and its value when it is neither on nor off', () => {
    expect(() => readRelaySettings({ RELAY_HISTORY: 'yes' })).toThrow("RELAY_HISTORY must be on or off (got 'yes')");
  });

  it.each(['false', 'OFF', '0'])('names RELAY_WAKEUP and its value when it is neither on nor off (%j)', (value) => {
    expect(() => readRelaySettings({ RELAY_WAKEUP: value })).toThrow(`RELAY_WAKEUP must be on or off (got '${value}')`);
  });
});
