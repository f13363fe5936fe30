import { testContext } from '@shardflow/core/testing';
import { describe, expect, it } from 'vitest';
import {
  DeliveryError, MemoryOutboxStore, OutboxRelayJob, VirtualPartitioning, resolveOutboxTable,
  type ClusterDeferral, type DeliveryOutcome, type MessageSink, type TableScope,
} from '../../src/index.js';

const table = resolveOutboxTable();
const location = { database: 0, table };
const context = testContext({ jobName: 'relay', instanceId: 'unit' });

/** Delivers everything except to the cluster named `down`, which is unreachable. */
const sink: MessageSink = {
  send: async (cluster, messages) => messages.map((): DeliveryOutcome => (cluster === 'down'
    ? { ok: false, error: new DeliveryError('BROKER_UNAVAILABLE', 'connect ECONNREFUSED') }
    : { ok: true })),
  close: async () => undefined,
};

/** The in-memory store, whose deferral of an opened circuit waits until the test lets it go (or fails). */
class GatedStore extends MemoryOutboxStore {
  deferrals = 0;
  signals: Array<AbortSignal | undefined> = [];
  private release: (outcome: Error | undefined) => void = () => undefined;
  private readonly gate = new Promise<Error | undefined>((resolve) => (this.release = resolve));

  open(outcome?: Error): void {
    this.release(outcome);
  }

  override async deferCluster(scopes: readonly TableScope[], epoch: number, cluster: string, deferral: ClusterDeferral): Promise<number> {
    this.deferrals += 1;
    this.signals.push(deferral.signal);
    const failure = await this.gate;
    if (failure) throw failure;
    return super.deferCluster(scopes, epoch, cluster, deferral);
  }
}

function setUp(): { store: GatedStore; relay: OutboxRelayJob; up: number[]; down: number[] } {
  const partitioning = new VirtualPartitioning(table, 16);
  const store = new GatedStore(partitioning);
  const past = new Date(Date.now() - 1_000);
  // Interleaved as in the seed's table; a page of 4 takes 2 of each cluster.
  const up: number[] = [];
  const down: number[] = [];
  for (let i = 0; i < 10; i++) {
    up.push(store.insert(location, { key: `u${i}`, topic: 't', cluster: 'up', nextSelectTime: past }));
    down.push(store.insert(location, { key: `d${i}`, topic: 't', cluster: 'down', nextSelectTime: past }));
  }
  const relay = new OutboxRelayJob({ store, sink, partitioning, pageSize: 4, circuitBreaker: { failureThreshold: 1, probeSize: 1 } });
  return { store, relay, up, down };
}

const isDeferred = (store: MemoryOutboxStore, id: number): boolean => (store.row(location, id)?.nextSelectTime?.getTime() ?? 0) > Date.now();

describe("writing an opened circuit into the rows does not hold the item's other clusters", () => {
  it('the page that opened the circuit returns before the deferral is written, the next pages go, the deferral lands after', async () => {
    const { store, relay, up, down } = setUp();
    // Had processData waited for the gated deferral, this await would never end and the test would time out.
    await relay.processData(context, await relay.fetchData(context));
    expect(store.deferrals).toBe(1);
    expect(down.slice(2).filter((id) => isDeferred(store, id))).toEqual([]);

    while (up.some((id) => store.row(location, id)?.state === 0)) await relay.processData(context, await relay.fetchData(context));
    expect(up.map((id) => store.row(location, id)?.state)).toEqual(up.map(() => 1));
    expect(down.slice(2).filter((id) => isDeferred(store, id))).toEqual([]);

    store.open();
    await relay.circuitWritesDone();
    expect(down.filter((id) => !isDeferred(store, id))).toEqual([]);
    expect(down.map((id) => store.row(location, id)?.retryCount)).toEqual(down.map(() => 0));
  });

  it('a deferral that fails is reported with its clusters and leaves the rows due', async () => {
    const { store, relay, down } = setUp();
    const failures: Array<{ clusters: readonly string[]; message: string }> = [];
    relay.on('circuitWriteFailed', ({ clusters, error }) => failures.push({ clusters, message: error.message }));
    await relay.processData(context, await relay.fetchData(context));
    store.open(new Error('connection lost'));
    await relay.circuitWritesDone();
    expect(failures).toEqual([{ clusters: ['down'], message: 'connection lost' }]);
    expect(down.slice(2).filter((id) => isDeferred(store, id))).toEqual([]);
  });

  it('close() stops the deferral between statements and waits for the one in flight', async () => {
    const { store, relay } = setUp();
    await relay.processData(context, await relay.fetchData(context));
    let closed = false;
    const closing = relay.close().then(() => (closed = true));
    expect(store.signals.map((signal) => signal?.aborted)).toEqual([true]);
    await new Promise((resolve) => setImmediate(resolve));
    expect(closed).toBe(false);
    store.open();
    await closing;
    expect(closed).toBe(true);
  });
});
