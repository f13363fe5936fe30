/**
 * Account service: POST /users {"accountNo": "..."} registers a user. One MySQL transaction
 * inserts the user and its outbox row; after the commit the fast path publishes at once, and the
 * relay picks the row up if that fails. Registration never waits for the coupon or points service.
 */
import { createServer, type IncomingMessage } from 'node:http';
import { createOutbox } from '@shardflow/outbox-relay';
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

async function readJson(request: IncomingMessage): Promise<{ accountNo?: unknown }> {
  let body = '';
  for await (const chunk of request) body += String(chunk);
  return JSON.parse(body || '{}') as { accountNo?: unknown };
}

const server = createServer((request, response) => {
  void (async () => {
    if (request.method !== 'POST' || request.url !== '/users') {
      response.writeHead(404).end();
      return;
    }
    const { accountNo } = await readJson(request);
    if (typeof accountNo !== 'string' || !/^[A-Za-z0-9_-]{1,64}$/.test(accountNo)) {
      response.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify({ error: 'accountNo must be 1-64 characters of A-Z a-z 0-9 _ -' }));
      return;
    }
    const connection = await pool.getConnection();
    let id: number;
    try {
      await connection.beginTransaction();
      await connection.query('INSERT INTO user_account (account_no) VALUES (?)', [accountNo]);
      id = await outbox.writer.add(connection, { key: accountNo, topic: environment.topic, cluster: CLUSTER, payload: { accountNo, registeredAt: new Date().toISOString() } });
      await connection.commit();
    } catch (error) {
      await connection.rollback();
      const duplicate = (error as { code?: string }).code === 'ER_DUP_ENTRY';
      response.writeHead(duplicate ? 409 : 500, { 'content-type': 'application/json' }).end(JSON.stringify({ error: (error as Error).message }));
      return;
    } finally {
      connection.release();
    }
    response.writeHead(201, { 'content-type': 'application/json' }).end(JSON.stringify({ accountNo, outboxId: id }));
    await outbox.writer.publishNow([id]).catch(() => undefined);
  })().catch((error: unknown) => {
    if (!response.headersSent) response.writeHead(500).end(String(error));
  });
});

server.listen(port, '127.0.0.1', () => process.stdout.write(`ready account-service http://127.0.0.1:${port}\n`));
process.once('SIGTERM', () => {
  server.close();
  void outbox.close().then(() => pool.end()).then(() => process.exit(0));
});
