import { EventEmitter } from 'eventemitter3';
import { traced, type DataflowJob, type ShardingContext } from '@shardflow/core';
import { InvalidOutboxConfigError } from '../errors/invalid-outbox-config-error.js';
import { DeliveryError, type DeliveryErrorCode } from '../errors/delivery-error.js';
import type { Partitioning, TableScope } from '../partition/partitioning.js';
import type { ClusterDeferral, MaintenanceStore, RelayStore } from '../store/outbox-store.js';
import type { OutboxRecord, RecordFailure } from '../store/outbox-record.js';
import type { DeliveryOutcome, MessageSink } from '../sink/message-sink.js';
import type { OutboxEvents } from '../stats/outbox-events.js';
import { OutboxStats, type OutboxStatsSnapshot } from '../stats/outbox-stats.js';
import { resolveBackoff, type BackoffPolicy } from './backoff.js';
import { CircuitBreaker, type CircuitBreakerOptions } from './circuit-breaker.js';
import { failureOutcome } from './failure-outcome.js';
import { fetchPage } from './fetch-page.js';
import { countBy, groupBy } from '../util/group-by.js';
import { toOutboundMessage } from '../sink/to-outbound-message.js';
import { sendChannel } from '../tracing/outbox-channels.js';

export interface OutboxRelayOptions {
  /** The relay reads and writes rows through the relay store; its stats count through the maintenance store. */
  store: RelayStore & Pick<MaintenanceStore, 'counts'>;
  sink: MessageSink;
  partitioning: Partitioning;
  /** Rows fetched per batch. Default 500. */
  pageSize?: number;
  /**
   * Failed attempts after the first before a row is dead. Only the row's own failures count; an
   * outage of its cluster (unreachable, timing out, circuit open, the sink throwing) never does. Default 10.
   */
  maxRetries?: number;
  backoff?: Partial<BackoffPolicy>;
  circuitBreaker?: Partial<CircuitBreakerOptions>;
  /**
   * Rows of one key go out in id order; a row waiting for a retry holds back later rows of its key.
   * Needs a partitioning that keeps a key's rows in one item (not 'id-mod'). Default false.
   */
  perKeyOrdering?: boolean;
}

/**
 * The relay as a shardflow DataflowJob: run it with `streamingProcess: true` and it drains its
 * items' due rows batch after batch.
 *
 * fetchData: the due pending rows of this item's tables/partitions, oldest first within each
 * cluster, the page shared evenly among the clusters whose circuit admits them, skipping rows a
 * newer epoch wrote; it writes nothing and holds no lock.
 * processData: one send per cluster (clusters in parallel), then one UPDATE per outcome, fenced by
 * and stamped with the item's epoch: sent; failed by the row's own fault (retry_count + 1,
 * next_select_time = now + backoff, last_error kept); failed by the destination's fault (the same
 * without retry_count + 1: an outage is not an attempt); dead (non-retriable error, corrupt row,
 * or retries exhausted). A circuit that opened, or a probe that succeeded, is then written into
 * the rows of every item this instance owns (deferred or released), so that the other instances
 * and the next owner of an item see it; in the background, one transition after the other, so
 * that the item goes on with its other clusters' rows meanwhile.
 * Ownership is checked right before the marks: a zombie that lost its item does not mark anything,
 * and the epoch in the UPDATEs stops a late write that races the check from overwriting an outcome
 * the new owner wrote. Within one item the next fetch follows the marks, so a page is never fetched
 * twice by its owner.
 */
export class OutboxRelayJob extends EventEmitter<OutboxEvents> implements DataflowJob<OutboxRecord> {
  private readonly pageSize: number;
  private readonly maxRetries: number;
  private readonly backoff: BackoffPolicy;
  private readonly breaker: CircuitBreaker;
  private readonly probeSize: number;
  private readonly maxCoolDownMs: number;
  private readonly statistics = new OutboxStats();
  /** The circuit transitions being written into the rows, one after the other. */
  private circuitWrites: Promise<void> = Promise.resolve();
  private readonly circuitWriteStop = new AbortController();
  /** The latest run context of each item this instance ran, for per-item stats. */
  private readonly runningItems = new Map<number, ShardingContext>();

  constructor(private readonly options: OutboxRelayOptions) {
    super();
    this.pageSize = options.pageSize ?? 500;
    this.maxRetries = options.maxRetries ?? 10;
    if (!Number.isInteger(this.pageSize) || this.pageSize < 1 || this.pageSize > 100_000) {
      throw new InvalidOutboxConfigError('pageSize', this.pageSize, 'must be an integer from 1 to 100000');
    }
    if (!Number.isInteger(this.maxRetries) || this.maxRetries < 0) throw new InvalidOutboxConfigError('maxRetries', this.maxRetries, 'must be an integer >= 0');
    if (options.perKeyOrdering && options.partitioning.mode === 'id-mod') {
      throw new InvalidOutboxConfigError('perKeyOrdering', true, "needs every row of a key in one item; 'id-mod' spreads a key's rows over all items (use 'virtual-partition')");
    }
    this.backoff = resolveBackoff(options.backoff);
    const breaker = { failureThreshold: 3, coolDownMs: 10_000, maxCoolDownMs: 120_000, probeSize: 10, ...options.circuitBreaker };
    if (!Number.isInteger(breaker.failureThreshold) || breaker.failureThreshold < 1) {
      throw new InvalidOutboxConfigError('circuitBreaker.failureThreshold', breaker.failureThreshold, 'must be an integer >= 1');
    }
    if (!(breaker.coolDownMs >= 0)) throw new InvalidOutboxConfigError('circuitBreaker.coolDownMs', breaker.coolDownMs, 'must be >= 0');
    if (!(breaker.maxCoolDownMs >= breaker.coolDownMs)) {
      throw new InvalidOutboxConfigError('circuitBreaker.maxCoolDownMs', breaker.maxCoolDownMs, 'must be >= circuitBreaker.coolDownMs');
    }
    if (!Number.isInteger(breaker.probeSize) || breaker.probeSize < 1) throw new InvalidOutboxConfigError('circuitBreaker.probeSize', breaker.probeSize, 'must be an integer >= 1');
    this.breaker = new CircuitBreaker(breaker);
    this.probeSize = breaker.probeSize;
    this.maxCoolDownMs = breaker.maxCoolDownMs;
  }

  async fetchData(ctx: ShardingContext): Promise<OutboxRecord[]> {
    this.runningItems.set(ctx.shardingItem, ctx);
    return fetchPage(this.options.store, this.scopesOf(ctx), {
      limit: this.pageSize,
      epoch: ctx.epoch,
      admits: (cluster, share) => this.breaker.admits(cluster, share),
      perKeyOrdering: this.options.perKeyOrdering ?? false,
    });
  }

  async processData(ctx: ShardingContext, records: readonly OutboxRecord[]): Promise<void> {
    const outcomes: Outcomes = { sent: [], failures: [], opened: new Map(), recovered: new Set() };
    for (const record of records) {
      if (record.problem !== undefined) outcomes.failures.push(this.failure(record, new DeliveryError('UNSERIALIZABLE_RECORD', record.problem)));
    }
    const byCluster = groupBy(records.filter((record) => record.problem === undefined), (record) => record.cluster);
    await Promise.all([...byCluster].map(([cluster, fetched]) => this.sendCluster(cluster, fetched, outcomes)));
    ctx.assertOwner();
    await this.mark(ctx.epoch, outcomes);
    this.queueCircuitWrites(outcomes);
  }

  /**
   * Resolves once the circuit transitions decided so far are written into the rows, or reported
   * as `circuitWriteFailed`. `close()` of createOutbox waits for it; a test that reads the rows
   * right after a page opened a circuit waits for it too.
   */
  circuitWritesDone(): Promise<void> {
    return this.circuitWrites;
  }

  /**
   * Stops writing circuit transitions (a deferral under way ends after its statement in flight;
   * the rows it did not park yet stay due, and their next reader probes the cluster) and waits
   * for what is in flight. `close()` of createOutbox calls it.
   */
  async close(): Promise<void> {
    this.circuitWriteStop.abort();
    await this.circuitWrites;
  }

  /**
   * Queues the page's circuit transitions, to be written into the rows after the ones already
   * queued, without holding the item: parking a large backlog takes seconds (100 000 rows of a
   * broken cluster, 8 s on MariaDB beside a busy relay), and the item's rows for the other
   * clusters must not wait for it. A write that fails leaves the rows as they were, which costs
   * their next reader a few failed probes, never an attempt.
   */
  private queueCircuitWrites(outcomes: Outcomes): void {
    if (outcomes.opened.size === 0 && outcomes.recovered.size === 0) return;
    this.circuitWrites = this.circuitWrites.then(() => this.shareCircuits(outcomes)).catch((thrown: unknown) => {
      const error = thrown instanceof Error ? thrown : new Error(String(thrown));
      this.emit('circuitWriteFailed', { clusters: [...outcomes.opened.keys(), ...outcomes.recovered], error });
    });
  }

  /**
   * One cluster's share of a page. The fetch already asked the breaker; asking again covers a
   * circuit that opened or half-opened since (another item's send), and rows an outage deferred
   * make a closed circuit suspect: whoever tried them last found the cluster failing, so this send
   * is a probe. Rows not admitted stay due, uncharged and untouched, for a later fetch.
   */
  private async sendCluster(cluster: string, fetched: readonly OutboxRecord[], outcomes: Outcomes): Promise<void> {
    if (fetched.some((record) => record.lastFault === 'destination')) this.breaker.suspect(cluster);
    const group = fetched.slice(0, this.breaker.admits(cluster, fetched.length));
    if (group.length === 0) return;
    const results = await this.deliver(cluster, group);
    this.updateCircuit(cluster, results, outcomes);
    const probeAt = this.breaker.openUntil(cluster);
    results.forEach((result, index) => {
      const record = group[index] as OutboxRecord;
      if (result.ok) {
        outcomes.sent.push(record);
      } else {
        outcomes.failures.push(this.failure(record, result.error, probeAt));
        this.noteError(cluster, result.error);
      }
    });
  }

  /**
   * The sink's outcomes, one per record. A sink that throws failed as a whole: that is the
   * destination's failure (SINK_FAILED, or the DeliveryError it threw), which costs the rows no
   * attempt. A sink that answers for fewer messages than it was given breaks its contract for the
   * rows it left unanswered: they fail as DELIVERY_FAILED, an attempt each, so they end dead if it
   * goes on, instead of failing the whole page and coming back first in the next fetch.
   */
  private async deliver(cluster: string, records: readonly OutboxRecord[]): Promise<DeliveryOutcome[]> {
    let results: readonly DeliveryOutcome[];
    try {
      const messages = records.map(toOutboundMessage);
      results = await traced(sendChannel, () => ({ cluster, messages, fastPath: false }), () => this.options.sink.send(cluster, messages));
    } catch (thrown) {
      const error = thrown instanceof DeliveryError
        ? thrown
        : new DeliveryError('SINK_FAILED', `the sink threw: ${thrown instanceof Error ? thrown.message : String(thrown)}`, thrown);
      return records.map(() => ({ ok: false, error }));
    }
    const unanswered = new DeliveryError('DELIVERY_FAILED', `the sink answered for ${results.length} of ${records.length} messages`);
    return records.map((_, index) => results[index] ?? { ok: false, error: unanswered });
  }

  /**
   * Counters, rates, table-wide counts per cluster, and the counts per cluster of each item this
   * instance owns (items it has run and not lost since).
   */
  stats(): Promise<OutboxStatsSnapshot> {
    for (const [item, ctx] of this.runningItems) if (!ctx.isOwner()) this.runningItems.delete(item);
    const items = [...this.runningItems.values()]
      .sort((a, b) => a.shardingItem - b.shardingItem)
      .map((ctx) => ({ item: ctx.shardingItem, epoch: ctx.epoch, scopes: this.scopesOf(ctx) }));
    return this.statistics.snapshot(this.options.store, items);
  }

  private scopesOf(ctx: ShardingContext): TableScope[] {
    return this.options.partitioning.scopes({
      item: ctx.shardingItem,
      total: ctx.shardingTotalCount,
      jobParameter: ctx.jobParameter,
      shardingParameter: ctx.shardingParameter,
    });
  }

  private async mark(epoch: number, { sent, failures }: Outcomes): Promise<void> {
    const { store } = this.options;
    const [sentChanged, failedChanged] = await Promise.all([
      sent.length > 0 ? store.markSent(sent, epoch) : 0,
      failures.length > 0 ? store.markFailed(failures, epoch) : 0,
    ]);
    if (sentChanged + failedChanged < sent.length + failures.length) this.emit('fenced', { expected: sent.length + failures.length, changed: sentChanged + failedChanged });
    this.statistics.recordSent(sentChanged);
    for (const [cluster, count] of countBy(sent, (record) => record.cluster)) this.emit('sent', { cluster, count, fastPath: false });
    const dead = failures.filter((failure) => failure.dead);
    this.statistics.recordDead(dead.length);
    // One event per cluster, code and message, so that every row an event names failed exactly as it says.
    const failureKind = (failure: RecordFailure): string => JSON.stringify([failure.record.cluster, failure.code, failure.message]);
    for (const group of groupBy(dead, failureKind).values()) {
      const { record: { cluster }, code, message } = group[0] as RecordFailure;
      this.emit('dead', { cluster, ids: group.map((failure) => failure.record.id), code, message });
    }
    for (const group of groupBy(failures.filter((failure) => !failure.dead), failureKind).values()) {
      const { record: { cluster }, code, message } = group[0] as RecordFailure;
      // A loop, not Math.min(...times): a page of up to 100 000 rows would overflow the call's arguments.
      let first = Number.POSITIVE_INFINITY;
      let last = Number.NEGATIVE_INFINITY;
      for (const failure of group) {
        first = Math.min(first, failure.nextAttemptAt.getTime());
        last = Math.max(last, failure.nextAttemptAt.getTime());
      }
      this.emit('retrying', { cluster, count: group.length, code: code as DeliveryErrorCode, message, firstRetryAt: new Date(first), lastRetryAt: new Date(last) });
    }
  }

  private failure(record: OutboxRecord, error: DeliveryError, circuitProbeAt?: number): RecordFailure {
    return failureOutcome(record, error, { maxRetries: this.maxRetries, backoff: this.backoff }, circuitProbeAt);
  }

  private noteError(cluster: string, error: DeliveryError): void {
    this.statistics.recordError(cluster, `${error.code}: ${error.message}`);
  }

  /**
   * Only the destination's failures count against a cluster: a send that delivered anything, or
   * whose failures are all the rows' own (a poison message), says the cluster works. A circuit
   * that opens, or a probe that succeeds, goes into `outcomes`, to be written into the rows.
   */
  private updateCircuit(cluster: string, results: readonly DeliveryOutcome[], outcomes: Outcomes): void {
    const before = this.breaker.state(cluster);
    const probing = this.breaker.probing(cluster);
    const outage = results.some((result) => result.ok)
      ? undefined
      : results.find((result): result is Extract<DeliveryOutcome, { ok: false }> => !result.ok && result.error.fault === 'destination')?.error;
    if (!outage) {
      this.breaker.recordSuccess(cluster);
      if (probing) outcomes.recovered.add(cluster);
      if (before !== 'closed') this.emit('circuitClosed', { cluster });
      return;
    }
    this.breaker.recordFailure(cluster);
    const probeAt = this.breaker.openUntil(cluster);
    if (before === 'open' || probeAt === undefined) return;
    // The failed rows wait for the probe too (failureOutcome); the rows a probe does not need are
    // parked for the longest cool-down, unless a successful probe releases them first.
    outcomes.opened.set(cluster, {
      probeAt: new Date(probeAt),
      probeRows: this.probeSize,
      parkUntil: new Date(probeAt + this.maxCoolDownMs),
      reason: `${outage.code}: ${outage.message}`,
      signal: this.circuitWriteStop.signal,
    });
    this.emit('circuitOpened', { cluster });
  }

  /**
   * Writes this page's circuit transitions into the rows of every item this instance owns: an
   * opened circuit defers the cluster's due rows (a probe's worth at the end of the cool-down, the
   * rest parked), a successful probe releases the rows an outage deferred. The table is what every
   * instance reads, so the state outlives this process and reaches whoever owns the item next.
   */
  private async shareCircuits({ opened, recovered }: Outcomes): Promise<void> {
    if (opened.size === 0 && recovered.size === 0) return;
    const owned = [...this.runningItems.values()].filter((ctx) => ctx.isOwner());
    const released = new Map<string, number>();
    for (const ctx of owned) {
      const scopes = this.scopesOf(ctx);
      for (const [cluster, deferral] of opened) await this.options.store.deferCluster(scopes, ctx.epoch, cluster, deferral);
      for (const cluster of recovered) released.set(cluster, (released.get(cluster) ?? 0) + await this.options.store.releaseCluster(scopes, ctx.epoch, cluster));
    }
    for (const [cluster, count] of released) if (count > 0) this.emit('released', { cluster, count });
  }
}

/** What one page came to, written back after the sends. */
interface Outcomes {
  readonly sent: OutboxRecord[];
  readonly failures: RecordFailure[];
  /** Clusters whose circuit this page opened, and how to defer their rows. */
  readonly opened: Map<string, ClusterDeferral>;
  /** Clusters a successful probe showed working again: the rows an outage deferred are released. */
  readonly recovered: Set<string>;
}
