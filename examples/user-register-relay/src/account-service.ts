/**
 * Account service: serves POST /users (see account-app.ts) on 127.0.0.1:$PORT.
 */
import { createOutbox } from '@shardflow/outbox-relay';
import { createAccountServer } from './account-app.js';
import { openPool } from './database.js';
import { CLUSTER, readEnvironment } from './environment.js';

const environment = readEnvironment();
const port = Number(process.env['PORT'] ?? 8080);
const pool = await openPool(environment);
const outbox = createOutbox({
  databases: [pool],
  clusters: { [CLUSTER]: { brokers: (environment.kafka[CLUSTER] as string).split(',') } },
  fastPath: { graceMs: 3_000 },
});
const server = createAccountServer(pool, outbox, environment.topic);

server.listen(port, '127.0.0.1', () => process.stdout.write(`ready account-service http://127.0.0.1:${port}\n`));
process.once('SIGTERM', () => {
  server.close();
  void outbox.close().then(() => pool.end()).then(() => process.exit(0));
});
