import type { ShardingContext } from '@shardflow/core';
import { describe, expect, it } from 'vitest';
import { DeliveryError, MemoryOutboxStore, OutboxRelayJob, VirtualPartitioning, resolveOutboxTable, type DeliveryOutcome, type MessageSink } from '../../src/index.js';

const table = resolveOutboxTable();
const location = { database: 0, table };

function context(epoch = 1): ShardingContext {
  return {
    jobName: 'relay', taskId: 'relay@0', shardingTotalCount: 1, shardingItem: 0, shardingParameter: undefined, jobParameter: '', instanceId: 'unit',
    epoch, trigger: 'manual', signal: new AbortController().signal, isOwner: () => true, assertOwner: () => undefined,
  };
}

/** Delivers everything except to the cluster named `down`, which is unreachable. */
const sink: MessageSink = {
  send: async (cluster, messages) => messages.map((): DeliveryOutcome => (cluster === 'down'
    ? { ok: false, error: new DeliveryError('BROKER_UNAVAILABLE', 'connect ECONNREFUSED') }
    : { ok: true })),
  close: async () => undefined,
};

describe('the relay on the in-memory store', () => {
  it('an outage opens the circuit and defers the cluster in the rows, uncharged, while the other cluster flows', async () => {
    const partitioning = new VirtualPartitioning(table, 16);
    const store = new MemoryOutboxStore(partitioning);
    const past = new Date(Date.now() - 1_000);
    const up = Array.from({ length: 3 }, (_, i) => store.insert(location, { key: `u${i}`, topic: 't', cluster: 'up', nextSelectTime: past }));
    const down = Array.from({ length: 20 }, (_, i) => store.insert(location, { key: `d${i}`, topic: 't', cluster: 'down', nextSelectTime: past }));
    const relay = new OutboxRelayJob({ store, sink, partitioning, circuitBreaker: { failureThreshold: 1, probeSize: 2 } });
    const page = await relay.fetchData(context());
    expect(page).toHaveLength(23);
    await relay.processData(context(), page);
    expect(up.map((id) => store.row(location, id)?.state)).toEqual([1, 1, 1]);
    const deferred = down.map((id) => store.row(location, id));
    expect(deferred.every((row) => row?.state === 0 && row.retryCount === 0 && row.lastError?.startsWith('BROKER_UNAVAILABLE'))).toBe(true);
    expect(deferred.every((row) => (row?.nextSelectTime?.getTime() ?? 0) > Date.now())).toBe(true);
    expect(await relay.fetchData(context())).toEqual([]);
    expect((await relay.stats()).clusters).toEqual([expect.objectContaining({ cluster: 'down', pending: 20, retrying: 20, dead: 0 })]);
  });
});
