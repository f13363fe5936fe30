import mysql from 'mysql2/promise';
import { createPartitioning, firstDueRequest, MysqlOutboxStore } from '@shardflow/outbox-relay';

const pool = mysql.createPool({ uri: 'mysql://root@127.0.0.1:3306/shop' });
const partitioning = createPartitioning({ partitioning: { mode: 'virtual-partition' } }, 1);
const store = new MysqlOutboxStore([pool], partitioning);
const [scope] = partitioning.scopes({ item: 0, total: 4, jobParameter: '', shardingParameter: undefined });
const request = scope && (await firstDueRequest(store, scope, { limit: 500, epoch: 1, admits: (_cluster, share) => share, perKeyOrdering: false }));
if (scope && request) console.table(await store.explainFetch(scope, request)); // one row per cluster's range
// snippet-end
await pool.end();
