import mysql from 'mysql2/promise';
import { createOutbox } from '@shardflow/outbox-relay';

const pool = mysql.createPool({ uri: 'mysql://root@127.0.0.1:3306/shop' });
const { store } = createOutbox({ databases: [pool], clusters: { cluster_a: { brokers: ['127.0.0.1:9092'] } } });

const filter = { cluster: 'cluster_a', createdFrom: new Date('2026-11-01T00:00:00Z') };
console.log(await store.countDead(filter));
for (const row of await store.listDead(filter, 20)) console.log(row.id, row.key, row.lastError);
const replayed = await store.replayDead(filter); // back to pending, retry_count 0, due now
console.log(`replayed ${replayed}`);
