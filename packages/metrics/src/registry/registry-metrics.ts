import { Counter, Gauge, Histogram, type Registry as PromRegistry } from 'prom-client';
import { CORE_TRACE_CHANNELS, traceChannel, type ConnectionState, type Registry, type RegistryRequestTraceContext } from '@shardflow/core';
import { DURATION_BUCKETS } from '../prometheus/buckets.js';
import { sharedMetric } from '../prometheus/shared-metric.js';
import { timeChannel } from '../tracing/channel-timer.js';
import { listen } from '../events/listen.js';

const STATES: ReadonlyArray<ConnectionState | 'connecting'> = ['connecting', 'connected', 'suspended', 'reconnected', 'lost', 'closed'];

/**
 * Registry metrics: the session's state as one 0/1 series per state, expirations, reconnects (the
 * same session back after `suspended`, or a new session after `lost`), and the latency of every
 * request, from core's registry-request tracing channel.
 */
export class RegistryMetrics {
  private readonly state: Gauge<'state'>;
  private readonly expirations: Counter;
  private readonly reconnects: Counter;
  private readonly requests: Histogram<'result'>;
  private stopTiming: (() => void) | undefined;

  constructor(register: PromRegistry) {
    const registers = [register];
    this.state = sharedMetric(register, 'shardflow_registry_session_state', () => new Gauge({
      name: 'shardflow_registry_session_state', help: '1 for the registry session\'s current state, 0 for the others.', labelNames: ['state'], registers,
    }));
    this.expirations = sharedMetric(register, 'shardflow_registry_session_expirations_total', () => new Counter({
      name: 'shardflow_registry_session_expirations_total', help: 'Registry sessions lost (expired, or cut off longer than the session timeout).', registers,
    }));
    this.reconnects = sharedMetric(register, 'shardflow_registry_reconnects_total', () => new Counter({
      name: 'shardflow_registry_reconnects_total', help: 'Registry connections back after a suspension or a lost session.', registers,
    }));
    this.requests = sharedMetric(register, 'shardflow_registry_request_duration_seconds', () => new Histogram({
      name: 'shardflow_registry_request_duration_seconds', help: 'Latency of registry requests (each attempt), by result (ok, error).', labelNames: ['result'], buckets: [...DURATION_BUCKETS], registers,
    }));
  }

  /** Follows one registry's session; returns the unsubscribe. */
  observe(registry: Registry): () => void {
    this.timeRequests();
    let previous: ConnectionState | 'connecting' = registry.state;
    this.setState(previous);
    const onState = (state: ConnectionState): void => {
      if (state === 'lost') this.expirations.inc();
      if (state === 'reconnected' || (state === 'connected' && (previous === 'lost' || previous === 'suspended'))) this.reconnects.inc();
      previous = state;
      this.setState(state);
    };
    return listen(registry, { state: onState });
  }

  close(): void {
    this.stopTiming?.();
    this.stopTiming = undefined;
  }

  private timeRequests(): void {
    if (this.stopTiming) return;
    this.stopTiming = timeChannel(traceChannel<RegistryRequestTraceContext>(CORE_TRACE_CHANNELS.registryRequest), ({ seconds, error }) => {
      this.requests.observe({ result: error === undefined ? 'ok' : 'error' }, seconds);
    });
  }

  private setState(current: ConnectionState | 'connecting'): void {
    for (const state of STATES) this.state.set({ state }, state === current ? 1 : 0);
  }
}
