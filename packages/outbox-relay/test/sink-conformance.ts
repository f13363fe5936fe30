import { describe, expect, it } from 'vitest';
import type { DeliveryOutcome, MessageSink, OutboundMessage } from '../src/index.js';

/** A message as a consumer of the destination reads it back. */
export interface ReadMessage {
  readonly id: number;
  readonly key: string;
  readonly value: Buffer;
  readonly headers: Readonly<Record<string, string>>;
  /**
   * Where the destination stored it, comparable between messages of one key: the offset in the
   * Kafka partition or RocketMQ queue the key maps to.
   */
  readonly position: number;
}

export interface SinkHarness {
  /** The sink under test; it serves `cluster` and `downCluster`. */
  readonly sink: MessageSink;
  /** A cluster that accepts messages. */
  readonly cluster: string;
  /** A configured cluster whose broker cannot be reached. */
  readonly downCluster: string;
  /** A value size the destination refuses as too large. */
  readonly tooLargeBytes: number;
  /** A fresh topic on `cluster` that keeps each key's messages in order. */
  topic(): Promise<string>;
  /** Reads `count` messages of `topic` back (fails if fewer arrive). */
  read(topic: string, count: number): Promise<ReadMessage[]>;
}

let nextId = 1;

function message(topic: string, key: string, value: string | Buffer, headers: Record<string, string> = {}): OutboundMessage {
  return { id: nextId++, key, topic, value: Buffer.isBuffer(value) ? value : Buffer.from(value), headers };
}

function failed(outcome: DeliveryOutcome | undefined): { code: string; retriable: boolean } | undefined {
  return outcome && !outcome.ok ? { code: outcome.error.code, retriable: outcome.error.retriable } : undefined;
}

/** The behaviour every MessageSink must have; run against each of them. `harness` is read inside each test, after any beforeAll. */
export function describeSinkConformance(name: string, harness: () => SinkHarness): void {
  describe(`${name} sink conformance`, () => {
    it('delivers key, value and headers, with the outbox id in a header or property', async () => {
      const h = harness();
      const topic = await h.topic();
      const sent = [message(topic, 'k1', 'one', { trace: 'abc', 'content-type': 'application/json' }), message(topic, 'k2', 'two')];
      expect(await h.sink.send(h.cluster, sent)).toEqual([{ ok: true }, { ok: true }]);
      const read = await h.read(topic, 2);
      const byId = new Map(read.map((m) => [m.id, m]));
      expect(byId.get(sent[0]!.id)).toMatchObject({ key: 'k1', value: Buffer.from('one'), headers: { trace: 'abc', 'content-type': 'application/json', 'outbox-id': String(sent[0]!.id) } });
      expect(byId.get(sent[1]!.id)).toMatchObject({ key: 'k2', value: Buffer.from('two'), headers: { 'outbox-id': String(sent[1]!.id) } });
    });

    it("keeps each key's messages in id order, within a batch and across batches", async () => {
      const h = harness();
      const topic = await h.topic();
      const keys = ['alpha', 'beta', 'gamma'];
      const batches = [0, 1].map((batch) => Array.from({ length: 24 }, (_, i) => message(topic, keys[i % 3] as string, `${batch}-${i}`)));
      for (const batch of batches) expect((await h.sink.send(h.cluster, batch)).every((outcome) => outcome.ok)).toBe(true);
      const read = await h.read(topic, 48);
      for (const key of keys) {
        const ids = read.filter((m) => m.key === key).sort((a, b) => a.position - b.position).map((m) => m.id);
        const expected = batches.flat().filter((m) => m.key === key).map((m) => m.id);
        expect(ids).toEqual(expected);
      }
    });

    it('answers for every message, failing only the one the destination refuses', async () => {
      const h = harness();
      const topic = await h.topic();
      const batch = [message(topic, 'a', 'before'), message(topic, 'b', Buffer.alloc(h.tooLargeBytes, 1)), message(topic, 'c', 'after')];
      const outcomes = await h.sink.send(h.cluster, batch);
      expect(outcomes).toHaveLength(3);
      expect([outcomes[0]?.ok, failed(outcomes[1]), outcomes[2]?.ok]).toEqual([true, { code: 'MESSAGE_TOO_LARGE', retriable: false }, true]);
      expect((await h.read(topic, 2)).map((m) => m.value.toString()).sort()).toEqual(['after', 'before']);
    });

    it('a poison message does not fail its neighbours, not even those of its own key', async () => {
      const h = harness();
      const topic = await h.topic();
      const batch = [
        message(topic, 'same', 'first'), message(topic, 'same', Buffer.alloc(h.tooLargeBytes, 2)), message(topic, 'same', 'third'),
        message(topic, 'other', 'fourth'),
      ];
      const outcomes = await h.sink.send(h.cluster, batch);
      expect(outcomes.map((outcome) => outcome.ok)).toEqual([true, false, true, true]);
      const read = await h.read(topic, 3);
      expect(read.filter((m) => m.key === 'same').sort((a, b) => a.position - b.position).map((m) => m.value.toString())).toEqual(['first', 'third']);
    });

    it('an unreachable cluster fails every message as retriable, an unknown one as permanent, without throwing', async () => {
      const h = harness();
      const topic = await h.topic();
      const batch = [message(topic, 'a', '1'), message(topic, 'b', '2')];
      const down = await h.sink.send(h.downCluster, batch);
      expect(down).toHaveLength(2);
      for (const outcome of down) {
        expect(failed(outcome)?.retriable).toBe(true);
        expect(['BROKER_UNAVAILABLE', 'DELIVERY_TIMEOUT']).toContain(failed(outcome)?.code);
      }
      expect((await h.sink.send('no-such-cluster', batch)).map(failed)).toEqual([{ code: 'UNKNOWN_CLUSTER', retriable: false }, { code: 'UNKNOWN_CLUSTER', retriable: false }]);
    });
  });
}
