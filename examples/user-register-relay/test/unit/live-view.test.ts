import { describe, expect, it } from 'vitest';
import { LIVE_VIEW_LINES, renderLiveView, type LiveViewState } from '../../src/live-view.js';

const busy: LiveViewState = {
  registered: 1_000_000, users: 1_000_000, pending: 1_000_000, sent: 1_000_000,
  coupons: 1_000_000, points: 1_000_000, duplicatesIgnored: 1_000_000,
  relays: [
    { name: 'relay-1', items: [0, 1, 2, 3], killed: false },
    { name: 'relay-2', items: [0, 1, 2, 3], killed: true },
    { name: 'relay-3', items: [], killed: false },
  ],
  failovers: Array.from({ length: 5 }, (_, index) => `item ${index}: relay-2 -> relay-1 12.3 s after the kill`),
};

describe('the demo live view', () => {
  it('fits 80 columns in a fixed number of lines, even with seven-digit counts', () => {
    const lines = renderLiveView(busy);
    expect(lines).toHaveLength(LIVE_VIEW_LINES);
    expect(lines.filter((line) => line.length > 80)).toEqual([]);
    expect(lines[0]).toContain('users 1000000/1000000');
  });

  it('shows a killed relay as killed, never with items, and its unclaimed items as failing over', () => {
    const state: LiveViewState = {
      ...busy,
      relays: [
        { name: 'relay-1', items: [0], killed: false },
        { name: 'relay-2', items: [1, 2], killed: true },
        { name: 'relay-3', items: [3, 2], killed: false },
      ],
      failovers: [],
    };
    expect(renderLiveView(state)[2]).toBe('items   relay-1 [0]  relay-2 killed  relay-3 [2,3]  failing over [1]');
  });

  it('says nothing is failing over once survivors hold every item', () => {
    const state: LiveViewState = {
      ...busy,
      relays: [
        { name: 'relay-1', items: [0, 1], killed: false },
        { name: 'relay-2', items: [1, 2], killed: true },
        { name: 'relay-3', items: [2, 3], killed: false },
      ],
    };
    expect(renderLiveView(state)[2]).toBe('items   relay-1 [0,1]  relay-2 killed  relay-3 [2,3]');
  });
});
