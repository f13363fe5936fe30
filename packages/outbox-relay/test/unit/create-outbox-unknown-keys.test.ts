import type { Pool } from 'mysql2/promise';
import { describe, expect, it } from 'vitest';
import { createOutbox, InvalidOutboxConfigError, type MessageSink, type OutboxConfig } from '../../src/index.js';

// createOutbox opens no connection: a stand-in pool and sink are enough to check the config.
const pool = {} as Pool;
const sink: MessageSink = { send: async () => [], close: async () => undefined };

function attempt(config: Record<string, unknown>): () => void {
  return () => createOutbox({ databases: [pool], sink, ...config } as OutboxConfig);
}

describe('createOutbox rejects keys it does not know, at every depth', () => {
  it.each([
    [{ fastpath: true }, 'fastpath', 'did you mean fastPath?'],
    [{ relay: { pageSiz: 10 } }, 'relay.pageSiz', 'did you mean relay.pageSize?'],
    [{ tabel: 'x' }, 'tabel', 'did you mean table?'],
    [{ relay: { backoff: { maxDelay: 10 } } }, 'relay.backoff.maxDelay', 'did you mean relay.backoff.maxDelayMs?'],
    [{ relay: { circuitBreaker: { treshold: 3 } } }, 'relay.circuitBreaker.treshold', 'known here: relay.circuitBreaker.failureThreshold,'],
    [{ cleanup: { retention: 1 } }, 'cleanup.retention', 'did you mean cleanup.retentionMs?'],
    [{ fastPath: { grace: 1 } }, 'fastPath.grace', 'did you mean fastPath.graceMs?'],
    [{ columns: { stat: 'mq_state' } }, 'columns.stat', 'did you mean columns.state?'],
    [{ states: { deleted: 3 } }, 'states.deleted', 'known here: states.pending, states.sent, states.dead'],
    [{ partitioning: { mode: 'virtual-partition', partition: 8 } }, 'partitioning.partition', 'did you mean partitioning.partitions?'],
    [{ clusters: { cluster_a: { broker: ['127.0.0.1:9092'] } } }, 'clusters.cluster_a.broker', 'did you mean clusters.cluster_a.brokers?'],
    [{ relay: { pageSize: 10, perKeyOrdering: false, typo: undefined } }, 'relay.typo', 'is not an outbox option'],
  ])('%j: InvalidOutboxConfigError naming %s', (config, field, hint) => {
    let thrown: unknown;
    try {
      attempt(config)();
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(InvalidOutboxConfigError);
    expect(thrown).toMatchObject({ code: 'INVALID_OUTBOX_CONFIG', field });
    expect((thrown as Error).message).toContain(hint);
  });

  it('accepts every key it documents, at every depth', () => {
    const config: OutboxConfig = {
      databases: [pool],
      sink,
      clusters: {
        cluster_a: { brokers: ['127.0.0.1:9092'], clientId: 'c', ssl: false, topicAutoCreate: true, connectionTimeoutMs: 1, requestTimeoutMs: 1 },
      },
      partitioning: { mode: 'virtual-partition', partitions: 64 },
      fastPath: { graceMs: 100 },
      relay: {
        pageSize: 10, maxRetries: 2, perKeyOrdering: true,
        backoff: { initialDelayMs: 1, multiplier: 2, maxDelayMs: 10, jitter: 0 },
        circuitBreaker: { failureThreshold: 1, coolDownMs: 1, maxCoolDownMs: 2, probeSize: 1 },
      },
      cleanup: { retentionMs: 1, batchSize: 1, pauseMs: 1 },
      table: 'outbox',
      columns: { state: 'mq_state', key: 'account_no' },
      states: { pending: 0, sent: 1, dead: 9 },
    };
    expect(() => createOutbox(config)).not.toThrow();
    expect(() => createOutbox({ databases: [pool], sink, fastPath: true })).not.toThrow();
  });
});
