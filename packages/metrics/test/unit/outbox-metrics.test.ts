import { setTimeout as sleep } from 'node:timers/promises';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { testContext } from '@shardflow/core/testing';
import {
  DeliveryError, MemoryOutboxStore, OutboxRelayJob, OutboxWriter, VirtualPartitioning, resolveOutboxTable,
  type DeliveryOutcome, type MessageSink,
} from '@shardflow/outbox-relay';
import { OutboxMetrics } from '../../src/outbox/index.js';

const table = resolveOutboxTable();
const location = { database: 0, table };
const context = testContext({ jobName: 'relay', instanceId: 'unit' });

async function counterValue(register: Registry, name: string, labels: Record<string, string>): Promise<number | undefined> {
  const metric = (await register.getMetricsAsJSON()).find((entry) => entry.name === name);
  const values = (metric?.values ?? []) as Array<{ value: number; labels: Record<string, string | number> }>;
  return values.find((entry) => Object.entries(labels).every(([key, wanted]) => String(entry.labels[key]) === wanted))?.value;
}

describe('outbox metrics from a real relay job on the in-memory store', () => {
  it('counts the rows an outage parked and a successful probe released, and the outage as retries', async () => {
    const partitioning = new VirtualPartitioning(table, 1);
    const store = new MemoryOutboxStore(partitioning);
    const past = new Date(Date.now() - 1_000);
    for (let i = 0; i < 5; i++) store.insert(location, { key: `k${i}`, topic: 't', cluster: 'flaky', nextSelectTime: past });
    let reachable = false;
    const sink: MessageSink = {
      send: async (_cluster, messages) => messages.map((): DeliveryOutcome => (reachable ? { ok: true } : { ok: false, error: new DeliveryError('BROKER_UNAVAILABLE', 'connect ECONNREFUSED') })),
      close: async () => undefined,
    };
    const relayJob = new OutboxRelayJob({ store, sink, partitioning, pageSize: 2, circuitBreaker: { failureThreshold: 1, coolDownMs: 20, probeSize: 1 } });
    const register = new Registry();
    const metrics = new OutboxMetrics({ register });
    const stop = metrics.observe({ relayJob, writer: new OutboxWriter(table, partitioning), store });
    try {
      // The first page fails: the circuit opens; of the three rows left, one becomes the probe and two are parked.
      await relayJob.processData(context, await relayJob.fetchData(context));
      await relayJob.circuitWritesDone();
      // After the cool-down one row goes out as the probe and succeeds: the four other rows the outage deferred
      // (the first page's other row, the row set aside for the probe, the two parked) are released.
      await sleep(30);
      reachable = true;
      const probe = await relayJob.fetchData(context);
      expect(probe).toHaveLength(1);
      await relayJob.processData(context, probe);
      await relayJob.circuitWritesDone();

      expect(await counterValue(register, 'shardflow_outbox_rows_retried_total', { cluster: 'flaky', code: 'BROKER_UNAVAILABLE' })).toBe(2);
      expect(await counterValue(register, 'shardflow_outbox_rows_released_total', { cluster: 'flaky' })).toBe(4);
      expect((await relayJob.fetchData(context)).map((record) => record.cluster)).toEqual(['flaky', 'flaky']);
    } finally {
      stop();
      metrics.close();
    }
  });
});
