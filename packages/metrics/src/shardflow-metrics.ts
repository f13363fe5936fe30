import { register as defaultRegister, type Registry as PromRegistry } from 'prom-client';
import type { JobScheduler, Registry } from '@shardflow/core';
import { HistoryMetrics, type ObservableHistory } from './history/history-metrics.js';
import { JobMetrics } from './jobs/job-metrics.js';
import { RegistryMetrics } from './registry/registry-metrics.js';

export interface ShardflowMetricsOptions {
  /** Where the metrics live; default prom-client's global registry (served by `startMetricsServer()` as is). */
  register?: PromRegistry;
}

/**
 * Prometheus metrics of the jobs, the registry and the execution history of this process. Observe
 * each scheduler, registry and JobHistory; `close()` stops the tracing-channel subscriptions and
 * the history reads (the metrics stay registered).
 *
 *     const metrics = new ShardflowMetrics();
 *     metrics.observeRegistry(registry);
 *     metrics.observeScheduler(scheduler);
 *     metrics.observeHistory(history);
 */
export class ShardflowMetrics {
  readonly register: PromRegistry;
  private readonly jobs: JobMetrics;
  private readonly registries: RegistryMetrics;
  private readonly histories: HistoryMetrics;
  private readonly unsubscribes: Array<() => void> = [];

  constructor(options: ShardflowMetricsOptions = {}) {
    this.register = options.register ?? defaultRegister;
    this.jobs = new JobMetrics(this.register);
    this.registries = new RegistryMetrics(this.register);
    this.histories = new HistoryMetrics(this.register);
  }

  observeScheduler(scheduler: JobScheduler<unknown>): this {
    this.unsubscribes.push(this.jobs.observe(scheduler));
    return this;
  }

  observeRegistry(registry: Registry): this {
    this.unsubscribes.push(this.registries.observe(registry));
    return this;
  }

  /** A JobHistory of @shardflow/history: its rows written, dropped and queued, and its failed writes. */
  observeHistory(history: ObservableHistory): this {
    this.unsubscribes.push(this.histories.observe(history));
    return this;
  }

  close(): void {
    for (const unsubscribe of this.unsubscribes.splice(0)) unsubscribe();
    this.jobs.close();
    this.registries.close();
  }
}
