export { ShardflowMetrics, type ShardflowMetricsOptions } from './shardflow-metrics.js';
export { JobMetrics, type ItemRunResult } from './jobs/job-metrics.js';
export { RegistryMetrics } from './registry/registry-metrics.js';
export { HistoryMetrics, type ObservableHistory } from './history/history-metrics.js';
export { metricsHandler, startMetricsServer, type MetricsServer, type MetricsServerOptions } from './http/metrics-server.js';
export { InvalidMetricsConfigError } from './errors/invalid-metrics-config-error.js';
