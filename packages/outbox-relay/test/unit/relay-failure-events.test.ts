import type { ShardingContext } from '@shardflow/core';
import { describe, expect, it } from 'vitest';
import {
  DeliveryError, OutboxRelayJob, resolveOutboxTable, VirtualPartitioning,
  type DeliveryOutcome, type MessageSink, type OutboxRecord, type OutboxStore, type RecordFailure,
} from '../../src/index.js';

const table = resolveOutboxTable();

function record(id: number, cluster: string, topic: string, problem?: string): OutboxRecord {
  return {
    id, key: `k${id}`, topic, cluster, payload: Buffer.from('x'), headers: {}, retryCount: 0, createTime: new Date(0),
    location: { database: 0, table }, ...(problem === undefined ? {} : { problem }),
  };
}

/** The relay's store reduced to what one processData call writes: every mark matches every row. */
function recordingStore(): OutboxStore & { failures: RecordFailure[] } {
  const failures: RecordFailure[] = [];
  const unused = (): never => {
    throw new Error('not used by processData');
  };
  return {
    failures,
    pendingClusters: unused,
    fetchDue: unused,
    findUnfenced: unused,
    markSent: async (records) => records.length,
    markFailed: async (marked) => {
      failures.push(...marked);
      return marked.length;
    },
    listDead: unused,
    countDead: unused,
    replayDead: unused,
    counts: unused,
    deleteSent: unused,
    backlog: unused,
    verifyTables: unused,
    deferCluster: async () => 0,
    releaseCluster: async () => 0,
  };
}

/** Answers each message by its topic: `too-large` and `missing` fail for good, `down` fails retriably. */
const topicSink: MessageSink = {
  send: async (_cluster, messages) => messages.map((message): DeliveryOutcome => {
    switch (message.topic) {
      case 'too-large':
        return { ok: false, error: new DeliveryError('MESSAGE_TOO_LARGE', `message ${message.id} is over max.message.bytes`) };
      case 'missing':
        return { ok: false, error: new DeliveryError('TOPIC_NOT_FOUND', 'topic missing does not exist') };
      case 'down':
        return { ok: false, error: new DeliveryError('BROKER_UNAVAILABLE', 'connect ECONNREFUSED') };
      case 'timeout':
        return { ok: false, error: new DeliveryError('DELIVERY_TIMEOUT', 'request timed out') };
      default:
        return { ok: true };
    }
  }),
  close: async () => undefined,
};

const context: ShardingContext = {
  jobName: 'relay-events', taskId: 'relay-events@0', shardingTotalCount: 1, shardingItem: 0, shardingParameter: undefined, jobParameter: '',
  instanceId: 'test', epoch: 1, trigger: 'manual', signal: new AbortController().signal, isOwner: () => true, assertOwner: () => undefined,
};

describe('dead and retrying events name each row with its own failure', () => {
  it('rows of one cluster that failed differently are reported under their own codes, not the first row\'s', async () => {
    const store = recordingStore();
    const relay = new OutboxRelayJob({ store, sink: topicSink, partitioning: new VirtualPartitioning(table) });
    const dead: Array<{ cluster: string; ids: readonly number[]; code: string; message: string }> = [];
    const retrying: Array<{ cluster: string; count: number; code: string; message: string }> = [];
    relay.on('dead', (event) => dead.push(event));
    relay.on('retrying', (event) => retrying.push(event));

    await relay.processData(context, [
      record(1, 'cluster_a', 'orders', 'headers column is not JSON'),
      record(2, 'cluster_a', 'too-large'),
      record(3, 'cluster_a', 'missing'),
      record(4, 'cluster_a', 'too-large'),
      record(5, 'cluster_a', 'down'),
      record(6, 'cluster_a', 'timeout'),
      record(7, 'cluster_b', 'missing'),
      record(8, 'cluster_a', 'orders'),
    ]);

    // What each event says about a row must be what was written to that row's last_error.
    const written = new Map(store.failures.map((failure) => [failure.record.id, `${failure.code}: ${failure.message}`]));
    const reported = new Map<number, string>();
    for (const event of dead) for (const id of event.ids) reported.set(id, `${event.code}: ${event.message}`);
    expect(reported).toEqual(new Map([...written].filter(([id]) => [1, 2, 3, 4, 7].includes(id))));
    expect(dead.map(({ cluster, ids, code }) => ({ cluster, ids, code })).sort((a, b) => (a.ids[0] as number) - (b.ids[0] as number))).toEqual([
      { cluster: 'cluster_a', ids: [1], code: 'UNSERIALIZABLE_RECORD' },
      { cluster: 'cluster_a', ids: [2], code: 'MESSAGE_TOO_LARGE' },
      { cluster: 'cluster_a', ids: [3], code: 'TOPIC_NOT_FOUND' },
      { cluster: 'cluster_a', ids: [4], code: 'MESSAGE_TOO_LARGE' },
      { cluster: 'cluster_b', ids: [7], code: 'TOPIC_NOT_FOUND' },
    ]);
    expect(retrying.map(({ cluster, count, code }) => ({ cluster, count, code }))).toEqual([
      { cluster: 'cluster_a', count: 1, code: 'BROKER_UNAVAILABLE' },
      { cluster: 'cluster_a', count: 1, code: 'DELIVERY_TIMEOUT' },
    ]);
  });

  it('rows that failed alike on one cluster share one event', async () => {
    const store = recordingStore();
    const relay = new OutboxRelayJob({ store, sink: topicSink, partitioning: new VirtualPartitioning(table) });
    const dead: Array<{ cluster: string; ids: readonly number[]; code: string }> = [];
    const retrying: Array<{ cluster: string; count: number; code: string }> = [];
    relay.on('dead', ({ cluster, ids, code }) => dead.push({ cluster, ids, code }));
    relay.on('retrying', ({ cluster, count, code }) => retrying.push({ cluster, count, code }));

    await relay.processData(context, [record(1, 'cluster_a', 'missing'), record(2, 'cluster_a', 'down'), record(3, 'cluster_a', 'missing'), record(4, 'cluster_a', 'down')]);

    expect(dead).toEqual([{ cluster: 'cluster_a', ids: [1, 3], code: 'TOPIC_NOT_FOUND' }]);
    expect(retrying).toEqual([{ cluster: 'cluster_a', count: 2, code: 'BROKER_UNAVAILABLE' }]);
  });

  it("a retrying event spans its rows' due times, as written to the rows", async () => {
    const store = recordingStore();
    const relay = new OutboxRelayJob({ store, sink: topicSink, partitioning: new VirtualPartitioning(table), backoff: { initialDelayMs: 10_000, jitter: 0.5 } });
    const spans: Array<[number, number]> = [];
    relay.on('retrying', ({ firstRetryAt, lastRetryAt }) => spans.push([firstRetryAt.getTime(), lastRetryAt.getTime()]));

    await relay.processData(context, Array.from({ length: 20 }, (_, i) => record(i + 1, 'cluster_a', 'down')));

    const written = store.failures.map((failure) => failure.nextAttemptAt.getTime()).sort((a, b) => a - b);
    expect(written).toHaveLength(20);
    expect(spans).toEqual([[written[0], written[19]]]);
  });
});
