import { createPartitioning, MemoryOutboxStore } from '../../src/index.js';
import { describeStoreConformance, stateName } from '../store-conformance.js';

describeStoreConformance('in-memory', () => ({
  open: async (config) => {
    const partitioning = createPartitioning({ partitioning: config }, 2);
    const store = new MemoryOutboxStore(partitioning);
    return {
      store,
      partitioning,
      insert: async (location, rows) => rows.map((row) => {
        const now = Date.now();
        return store.insert(location, {
          key: row.key, cluster: row.cluster, topic: row.topic ?? 't', payload: Buffer.from('x'), headers: row.headers ?? null,
          state: location.table.states[row.state ?? 'pending'],
          nextSelectTime: row.dueInMs === null ? null : new Date(now + (row.dueInMs ?? -1_000)),
          retryCount: row.retryCount ?? 0, lastError: row.lastError ?? null, fenceEpoch: row.fenceEpoch ?? null,
          createTime: new Date(now - (row.createdAgoMs ?? 0)),
          sentTime: row.state === 'sent' ? new Date(now - (row.sentAgoMs ?? 0)) : null,
          ...(row.partition === undefined ? {} : { partition: row.partition }),
        });
      }),
      read: async (location, id) => {
        const row = store.row(location, id);
        return row && {
          state: stateName(location.table.states, row.state), retryCount: row.retryCount, nextSelectTime: row.nextSelectTime,
          lastError: row.lastError, fenceEpoch: row.fenceEpoch,
        };
      },
    };
  },
}));
