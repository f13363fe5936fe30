/**
 * Account service: serves POST /users (see account-app.ts) on 127.0.0.1:$PORT.
 */
import { createAccountServer } from './account-app.js';
import { openDatabase } from './database.js';
import { CLUSTER, readEnvironment } from './environment.js';

const environment = readEnvironment();
const port = Number(process.env['PORT'] ?? 8080);
const database = await openDatabase(environment);
const outbox = database.createOutbox({
  clusters: { [CLUSTER]: { brokers: (environment.kafka[CLUSTER] as string).split(',') } },
  fastPath: { graceMs: 3_000 },
  // On PostgreSQL each transaction also notifies on commit, for the relays that listen
  // (RELAY_WAKEUP, on by default); on MySQL the relays poll and this changes nothing.
  wakeup: true,
});
const server = createAccountServer(database, outbox, environment.topic);

server.listen(port, '127.0.0.1', () => process.stdout.write(`ready account-service http://127.0.0.1:${port}\n`));
process.once('SIGTERM', () => {
  server.close();
  void outbox.close().then(() => database.end()).then(() => process.exit(0));
});
