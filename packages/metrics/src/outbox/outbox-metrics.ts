import { Counter, Gauge, Histogram, register as defaultRegister, type Metric, type Registry } from 'prom-client';
import { traceChannel } from '@shardflow/core';
import { OUTBOX_TRACE_CHANNELS, type ClusterBacklog, type Outbox, type OutboxStore, type OutboxEvents, type SendTraceContext } from '@shardflow/outbox-relay';
import { InvalidMetricsConfigError } from '../errors/invalid-metrics-config-error.js';
import { DURATION_BUCKETS } from '../prometheus/buckets.js';
import { sharedMetric } from '../prometheus/shared-metric.js';
import { timeChannel } from '../tracing/channel-timer.js';
import { BacklogCache } from './backlog-cache.js';
import { listen } from '../events/listen.js';

export interface OutboxMetricsOptions {
  /** Where the metrics live; default prom-client's global registry. */
  register?: Registry;
  /** How long a backlog read serves scrapes, ms. Default 5 000. */
  backlogCacheMs?: number;
  /**
   * Pending rows counted per table and cluster at most; past it the gauge says "at least" and
   * `shardflow_outbox_pending_rows_capped` is 1. Each read walks up to this many index entries. Default 10 000.
   */
  backlogCap?: number;
}

/** What an outbox offers to observe: `createOutbox`'s result fits. */
export type ObservableOutbox = Pick<Outbox, 'relayJob' | 'writer'> & { readonly store: Pick<OutboxStore, 'backlog'> };

/**
 * Outbox metrics: rows sent, retried, dead and released by cluster (from the relay's and the writer's
 * events), send latency (from the send tracing channel), circuit state, fast-path latency, and
 * the backlog gauges, read from the due index when scraped (cached, see BacklogCache).
 */
export class OutboxMetrics {
  private readonly register: Registry;
  private readonly cap: number;
  private readonly cacheMs: number;
  private readonly sent: Counter<'cluster' | 'source'>;
  private readonly retried: Counter<'cluster' | 'code'>;
  private readonly dead: Counter<'cluster' | 'code'>;
  private readonly released: Counter<'cluster'>;
  private readonly fencedMarks: Counter;
  private readonly circuitOpen: Gauge<'cluster'>;
  private readonly sendDuration: Histogram<'cluster' | 'result'>;
  private readonly fastPathLatency: Histogram;
  private readonly backlogErrors: Counter;
  private readonly backlogs = new Set<BacklogCache>();
  private stopTiming: (() => void) | undefined;

  constructor(options: OutboxMetricsOptions = {}) {
    this.register = options.register ?? defaultRegister;
    this.cacheMs = options.backlogCacheMs ?? 5_000;
    this.cap = options.backlogCap ?? 10_000;
    if (!(this.cacheMs >= 0)) throw new InvalidMetricsConfigError('backlogCacheMs', this.cacheMs, 'must be >= 0');
    if (!Number.isInteger(this.cap) || this.cap < 1) throw new InvalidMetricsConfigError('backlogCap', this.cap, 'must be an integer >= 1');
    const registers = [this.register];
    const shared = <M extends Metric>(name: string, create: () => M): M => sharedMetric(this.register, name, create);
    this.sent = shared('shardflow_outbox_rows_sent_total', () => new Counter({
      name: 'shardflow_outbox_rows_sent_total', help: 'Rows delivered and marked sent, by cluster and by who sent them (relay, fast-path).', labelNames: ['cluster', 'source'], registers,
    }));
    this.retried = shared('shardflow_outbox_rows_retried_total', () => new Counter({
      name: 'shardflow_outbox_rows_retried_total', help: 'Failed deliveries that will be retried after their backoff, by cluster and error code.', labelNames: ['cluster', 'code'], registers,
    }));
    this.dead = shared('shardflow_outbox_rows_dead_total', () => new Counter({
      name: 'shardflow_outbox_rows_dead_total', help: 'Rows parked as dead (retries exhausted or a non-retriable error), by cluster and error code.', labelNames: ['cluster', 'code'], registers,
    }));
    this.released = shared('shardflow_outbox_rows_released_total', () => new Counter({
      name: 'shardflow_outbox_rows_released_total', help: 'Rows an outage had deferred, made due again once a probe found their cluster back, by cluster.', labelNames: ['cluster'], registers,
    }));
    this.fencedMarks = shared('shardflow_outbox_fenced_marks_total', () => new Counter({
      name: 'shardflow_outbox_fenced_marks_total', help: 'Row outcomes not written because a newer owner of the item wrote first.', registers,
    }));
    this.circuitOpen = shared('shardflow_outbox_circuit_open', () => new Gauge({
      name: 'shardflow_outbox_circuit_open', help: '1 while the cluster\'s circuit is open or half-open (its rows wait), 0 when closed.', labelNames: ['cluster'], registers,
    }));
    this.sendDuration = shared('shardflow_outbox_send_duration_seconds', () => new Histogram({
      name: 'shardflow_outbox_send_duration_seconds', help: 'Latency of one send of a batch to a cluster, by result (ok, failed: some message failed, error: the sink threw).', labelNames: ['cluster', 'result'], buckets: [...DURATION_BUCKETS], registers,
    }));
    this.fastPathLatency = shared('shardflow_outbox_fast_path_latency_seconds', () => new Histogram({
      name: 'shardflow_outbox_fast_path_latency_seconds', help: 'From publishNow (right after the commit) to the broker\'s ack and the rows marked sent.', buckets: [...DURATION_BUCKETS], registers,
    }));
    this.backlogErrors = shared('shardflow_outbox_backlog_read_errors_total', () => new Counter({
      name: 'shardflow_outbox_backlog_read_errors_total', help: 'Backlog reads that failed; the backlog gauges kept their last values.', registers,
    }));
    const backlogs = this.backlogs;
    // A cluster whose backlog emptied reads 0, not "no series": alerts on it keep working.
    const known = new Set<string>();
    const read = async (): Promise<ClusterBacklog[]> => {
      const merged = mergeBacklogs(await Promise.all([...backlogs].map((cache) => cache.get())));
      for (const { cluster } of merged) known.add(cluster);
      const present = new Set(merged.map((backlog) => backlog.cluster));
      return [...merged, ...[...known].filter((cluster) => !present.has(cluster)).map((cluster) => ({ cluster, pending: 0, capped: false, oldestPendingAgeMs: 0 }))];
    };
    shared('shardflow_outbox_pending_rows', () => new Gauge({
      name: 'shardflow_outbox_pending_rows', help: 'Pending rows by cluster over the whole outbox, counted up to the cap per table (read from the due index, cached).', labelNames: ['cluster'], registers,
      async collect() {
        this.reset();
        for (const backlog of await read()) this.set({ cluster: backlog.cluster }, backlog.pending);
      },
    }));
    shared('shardflow_outbox_pending_rows_capped', () => new Gauge({
      name: 'shardflow_outbox_pending_rows_capped', help: '1 when shardflow_outbox_pending_rows stopped counting at the cap (the backlog is at least that), else 0.', labelNames: ['cluster'], registers,
      async collect() {
        this.reset();
        for (const backlog of await read()) this.set({ cluster: backlog.cluster }, backlog.capped ? 1 : 0);
      },
    }));
    shared('shardflow_outbox_oldest_pending_age_seconds', () => new Gauge({
      name: 'shardflow_outbox_oldest_pending_age_seconds', help: 'Age of the pending row first in the due order, by cluster: how long the next row to send has waited since it was written.', labelNames: ['cluster'], registers,
      async collect() {
        this.reset();
        for (const backlog of await read()) this.set({ cluster: backlog.cluster }, backlog.oldestPendingAgeMs / 1000);
      },
    }));
  }

  /** Follows one outbox (relay, writer, store); returns the unsubscribe. */
  observe(outbox: ObservableOutbox): () => void {
    this.timeSends();
    const { relayJob, writer } = outbox;
    const onSent: OutboxEvents['sent'] = ({ cluster, count, fastPath }) => this.sent.inc({ cluster, source: fastPath ? 'fast-path' : 'relay' }, count);
    const onRetrying: OutboxEvents['retrying'] = ({ cluster, count, code }) => this.retried.inc({ cluster, code }, count);
    const onDead: OutboxEvents['dead'] = ({ cluster, ids, code }) => this.dead.inc({ cluster, code }, ids.length);
    const onReleased: OutboxEvents['released'] = ({ cluster, count }) => this.released.inc({ cluster }, count);
    const onOpened: OutboxEvents['circuitOpened'] = ({ cluster }) => this.circuitOpen.set({ cluster }, 1);
    const onClosed: OutboxEvents['circuitClosed'] = ({ cluster }) => this.circuitOpen.set({ cluster }, 0);
    const onFenced: OutboxEvents['fenced'] = ({ expected, changed }) => this.fencedMarks.inc(expected - changed);
    const onFastPath: OutboxEvents['fastPathPublished'] = ({ latencyMs }) => this.fastPathLatency.observe(latencyMs / 1000);
    const stopRelay = listen(relayJob, { sent: onSent, retrying: onRetrying, dead: onDead, released: onReleased, circuitOpened: onOpened, circuitClosed: onClosed, fenced: onFenced });
    const stopWriter = listen(writer, { sent: onSent, fastPathPublished: onFastPath });
    const backlog = new BacklogCache(() => outbox.store.backlog(this.cap), this.cacheMs, () => this.backlogErrors.inc());
    this.backlogs.add(backlog);
    return () => {
      stopRelay();
      stopWriter();
      this.backlogs.delete(backlog);
    };
  }

  close(): void {
    this.stopTiming?.();
    this.stopTiming = undefined;
  }

  private timeSends(): void {
    if (this.stopTiming) return;
    this.stopTiming = timeChannel(traceChannel<SendTraceContext>(OUTBOX_TRACE_CHANNELS.send), ({ context, seconds, error }) => {
      const result = error !== undefined ? 'error' : context.result?.every((outcome) => outcome.ok) ? 'ok' : 'failed';
      this.sendDuration.observe({ cluster: context.cluster, result }, seconds);
    });
  }
}

/** Several outboxes observed in one process: pending rows add up, the oldest age is the oldest. */
function mergeBacklogs(lists: ReadonlyArray<readonly ClusterBacklog[]>): ClusterBacklog[] {
  const merged = new Map<string, ClusterBacklog>();
  for (const backlog of lists.flat()) {
    const seen = merged.get(backlog.cluster);
    merged.set(backlog.cluster, seen === undefined ? backlog : {
      cluster: backlog.cluster,
      pending: seen.pending + backlog.pending,
      capped: seen.capped || backlog.capped,
      oldestPendingAgeMs: Math.max(seen.oldestPendingAgeMs, backlog.oldestPendingAgeMs),
    });
  }
  return [...merged.values()];
}
