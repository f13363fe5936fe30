export { OutboxMetrics, type OutboxMetricsOptions, type ObservableOutbox } from './outbox-metrics.js';
