import { Counter, Gauge, type Registry as PromRegistry } from 'prom-client';
import { sharedMetric } from '../prometheus/shared-metric.js';

/** What the metrics read of an execution history (`JobHistory` of @shardflow/history): its counts. */
export interface ObservableHistory {
  stats(): { readonly queued: number; readonly written: number; readonly dropped: number; readonly failedWrites: number };
}

type CountedField = 'written' | 'dropped' | 'failedWrites';

/** The histories observed per prom-client registry: every HistoryMetrics on one registry reads them all. */
const observedByRegister = new WeakMap<PromRegistry, Set<ObservableHistory>>();

/**
 * What each history had counted at the last scrape, per registry. Kept after a history is no longer
 * observed, so that observing it again does not count its rows twice.
 */
const countedByRegister = new WeakMap<PromRegistry, WeakMap<ObservableHistory, Record<CountedField, number>>>();

/**
 * Execution-history metrics, read from each observed history's `stats()` when Prometheus scrapes:
 * rows written, rows dropped because the queue was full, failed writes (counters), and rows
 * queued (gauge). A queue that grows or drops rows says the history database is slow or down; the
 * jobs themselves never wait for it.
 */
export class HistoryMetrics {
  private readonly observed: Set<ObservableHistory>;

  constructor(register: PromRegistry) {
    const observed = observedByRegister.get(register) ?? new Set<ObservableHistory>();
    observedByRegister.set(register, observed);
    const counted = countedByRegister.get(register) ?? new WeakMap<ObservableHistory, Record<CountedField, number>>();
    countedByRegister.set(register, counted);
    this.observed = observed;
    const registers = [register];
    const counter = (name: string, help: string, field: CountedField): void => {
      sharedMetric(register, name, () => new Counter({
        name, help, registers,
        // Counters only go up: each scrape adds what every history counted since the last one.
        collect() {
          for (const history of observed) {
            const seen = counted.get(history) ?? { written: 0, dropped: 0, failedWrites: 0 };
            const now = history.stats()[field];
            if (now > seen[field]) this.inc(now - seen[field]);
            counted.set(history, { ...seen, [field]: now });
          }
        },
      }));
    };
    counter('shardflow_history_rows_written_total', 'History rows (executions and states) written.', 'written');
    counter('shardflow_history_rows_dropped_total', 'History rows dropped because the queue was full.', 'dropped');
    counter('shardflow_history_write_failures_total', 'History writes that failed (their rows are written again later).', 'failedWrites');
    sharedMetric(register, 'shardflow_history_rows_queued', () => new Gauge({
      name: 'shardflow_history_rows_queued', help: 'History rows waiting to be written.', registers,
      collect() {
        this.set([...observed].reduce((total, history) => total + history.stats().queued, 0));
      },
    }));
  }

  /** Reads this history at each scrape from now on; returns the unsubscribe. */
  observe(history: ObservableHistory): () => void {
    // What it counted before it was observed is counted once, at the next scrape.
    this.observed.add(history);
    return () => void this.observed.delete(history);
  }
}
