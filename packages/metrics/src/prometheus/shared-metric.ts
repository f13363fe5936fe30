import type { Metric, Registry } from 'prom-client';

/**
 * The metric named `name` in `register`, created on first use: several observers (one per
 * scheduler, one per outbox) share one set of metrics, as prom-client refuses a name twice.
 */
export function sharedMetric<M extends Metric>(register: Registry, name: string, create: () => M): M {
  return (register.getSingleMetric(name) as M | undefined) ?? create();
}
