import type { JobScheduler } from '@shardflow/core';
import type { JobHistoryStats } from '@shardflow/history';
import type { OutboxRelayJob } from '../relay/outbox-relay-job.js';

/**
 * Counters of one relay service process, kept from the relay's and the scheduler's events (no
 * query per scrape), written in Prometheus's text format. Labels: the cluster, and for item runs
 * what triggered them (cron, wakeup, failover...).
 */
export class RelayMetrics {
  private readonly sent = new Map<string, number>();
  private readonly retried = new Map<string, number>();
  private readonly dead = new Map<string, number>();
  private readonly circuitOpen = new Map<string, number>();
  private readonly itemRuns = new Map<string, number>();
  private itemRunsFailed = 0;

  constructor(
    relay: OutboxRelayJob,
    private readonly scheduler: JobScheduler,
    private readonly ready: () => boolean,
    private readonly historyStats: (() => JobHistoryStats) | undefined,
  ) {
    relay.on('sent', ({ cluster, count }) => add(this.sent, cluster, count));
    relay.on('retrying', ({ cluster, count }) => add(this.retried, cluster, count));
    relay.on('dead', ({ cluster, ids }) => add(this.dead, cluster, ids.length));
    relay.on('circuitOpened', ({ cluster }) => this.circuitOpen.set(cluster, 1));
    relay.on('circuitClosed', ({ cluster }) => this.circuitOpen.set(cluster, 0));
    scheduler.on('itemStarted', ({ trigger }) => add(this.itemRuns, trigger, 1));
    scheduler.on('itemFailed', () => {
      this.itemRunsFailed += 1;
    });
  }

  render(): string {
    return [
      family('shardflow_outbox_sent_total', 'counter', 'Rows delivered to Kafka and marked sent by this process.', 'cluster', this.sent),
      family('shardflow_outbox_retried_total', 'counter', 'Failed deliveries that will be retried after their backoff.', 'cluster', this.retried),
      family('shardflow_outbox_dead_total', 'counter', 'Rows parked as dead by this process.', 'cluster', this.dead),
      family('shardflow_outbox_circuit_open', 'gauge', '1 while the circuit of the cluster is open.', 'cluster', this.circuitOpen),
      family('shardflow_relay_item_runs_total', 'counter', 'Item runs started, by what triggered them.', 'trigger', this.itemRuns),
      single('shardflow_relay_item_runs_failed_total', 'counter', 'Item runs that ended with an error.', this.itemRunsFailed),
      single('shardflow_relay_items_owned', 'gauge', 'Items of the relay job this instance owns.', this.scheduler.items.length),
      single('shardflow_relay_leader', 'gauge', '1 while this instance is the job leader.', this.scheduler.isLeader ? 1 : 0),
      single('shardflow_relay_ready', 'gauge', '1 while this instance is ready (see /readyz).', this.ready() ? 1 : 0),
      ...(this.historyStats ? historyFamilies(this.historyStats()) : []),
    ].join('');
  }
}

/** The execution history's queue: rows queued or dropped say the history database is slow or down. */
function historyFamilies(stats: JobHistoryStats): string[] {
  return [
    single('shardflow_history_rows_written_total', 'counter', 'History rows (executions and states) written.', stats.written),
    single('shardflow_history_rows_dropped_total', 'counter', 'History rows dropped because the queue was full.', stats.dropped),
    single('shardflow_history_write_failures_total', 'counter', 'History writes that failed (their rows are written again later).', stats.failedWrites),
    single('shardflow_history_rows_queued', 'gauge', 'History rows waiting to be written.', stats.queued),
  ];
}

function add(counts: Map<string, number>, labelValue: string, count: number): void {
  counts.set(labelValue, (counts.get(labelValue) ?? 0) + count);
}

function family(name: string, type: string, help: string, label: string, byLabel: ReadonlyMap<string, number>): string {
  const lines = [...byLabel].map(([labelValue, value]) => `${name}{${label}="${escapeLabel(labelValue)}"} ${value}\n`);
  return `# HELP ${name} ${help}\n# TYPE ${name} ${type}\n${lines.join('')}`;
}

function single(name: string, type: string, help: string, value: number): string {
  return `# HELP ${name} ${help}\n# TYPE ${name} ${type}\n${name} ${value}\n`;
}

function escapeLabel(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}
