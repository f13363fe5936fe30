/** What the demo's live view shows, gathered every half second. */
export interface LiveViewState {
  readonly registered: number;
  readonly users: number;
  readonly pending: number;
  readonly sent: number;
  readonly coupons: number;
  readonly points: number;
  readonly duplicatesIgnored: number;
  /** Each relay's last reported items; a killed relay's are the ones it held when it died. */
  readonly relays: ReadonlyArray<{ readonly name: string; readonly items: readonly number[]; readonly killed: boolean }>;
  readonly failovers: readonly string[];
}

export const LIVE_VIEW_WIDTH = 80;
/** Always this many lines, so that a terminal redraw overwrites the previous view exactly. */
export const LIVE_VIEW_LINES = 6;

/**
 * The demo's live view: fits an 80-column terminal, and shows a killed relay as killed, never as
 * still owning its items; those items show as failing over until a survivor reports them.
 */
export function renderLiveView(state: LiveViewState): string[] {
  const live = state.relays.filter((relay) => !relay.killed);
  const owned = new Set(live.flatMap((relay) => relay.items));
  const failingOver = state.relays.filter((relay) => relay.killed).flatMap((relay) => relay.items).filter((item) => !owned.has(item));
  const relays = state.relays.map((relay) => (relay.killed ? `${relay.name} killed` : `${relay.name} ${list(relay.items)}`));
  if (failingOver.length > 0) relays.push(`failing over ${list(failingOver)}`);
  const failovers = state.failovers.slice(-(LIVE_VIEW_LINES - 3)).map((line) => `failover  ${line}`);
  const lines = [
    `users ${state.registered}/${state.users}   outbox rows pending ${state.pending}, sent ${state.sent}`,
    `grants  coupons ${state.coupons}  points ${state.points}  duplicates ignored ${state.duplicatesIgnored}`,
    `items   ${relays.join('  ')}`,
    ...failovers,
    ...Array.from({ length: LIVE_VIEW_LINES - 3 - failovers.length }, () => ''),
  ];
  return lines.map((line) => (line.length > LIVE_VIEW_WIDTH ? `${line.slice(0, LIVE_VIEW_WIDTH - 3)}...` : line));
}

function list(items: readonly number[]): string {
  return `[${[...items].sort((a, b) => a - b).join(',')}]`;
}
