import { register as defaultRegister, type Registry as PromRegistry } from 'prom-client';
import type { JobScheduler, Registry } from '@shardflow/core';
import { JobMetrics } from './jobs/job-metrics.js';
import { RegistryMetrics } from './registry/registry-metrics.js';

export interface ShardflowMetricsOptions {
  /** Where the metrics live; default prom-client's global registry (served by `startMetricsServer()` as is). */
  register?: PromRegistry;
}

/**
 * Prometheus metrics of the jobs and the registry of this process. Observe each scheduler and
 * registry; `close()` stops the tracing-channel subscriptions (the metrics stay registered).
 *
 *     const metrics = new ShardflowMetrics();
 *     metrics.observeRegistry(registry);
 *     metrics.observeScheduler(scheduler);
 */
export class ShardflowMetrics {
  readonly register: PromRegistry;
  private readonly jobs: JobMetrics;
  private readonly registries: RegistryMetrics;
  private readonly unsubscribes: Array<() => void> = [];

  constructor(options: ShardflowMetricsOptions = {}) {
    this.register = options.register ?? defaultRegister;
    this.jobs = new JobMetrics(this.register);
    this.registries = new RegistryMetrics(this.register);
  }

  observeScheduler(scheduler: JobScheduler<unknown>): this {
    this.unsubscribes.push(this.jobs.observe(scheduler));
    return this;
  }

  observeRegistry(registry: Registry): this {
    this.unsubscribes.push(this.registries.observe(registry));
    return this;
  }

  close(): void {
    for (const unsubscribe of this.unsubscribes.splice(0)) unsubscribe();
    this.jobs.close();
    this.registries.close();
  }
}
