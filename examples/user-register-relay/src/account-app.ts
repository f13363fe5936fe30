import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { context, propagation, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import type { Outbox } from '@shardflow/outbox-relay';
import type { ExampleDatabase } from './database.js';
import { CLUSTER } from './environment.js';

const tracer = trace.getTracer('user-register-relay/account-service');

/**
 * POST /users {"accountNo": "..."} registers a user. One database transaction inserts the user and
 * its outbox row; after the commit the fast path publishes at once, and the relay picks the row up
 * if that fails. Registration never waits for the coupon or points service.
 *
 * Each request runs in a server span continuing the caller's `traceparent`; with an OpenTelemetry
 * SDK registered (and shardflow's instrumentation), the outbox row carries that trace to Kafka.
 * Without an SDK the OpenTelemetry API does nothing.
 */
export function createAccountServer<Tx>(database: ExampleDatabase<Tx>, outbox: Outbox<Tx>, topic: string): Server {
  return createServer((request, response) => {
    const parent = propagation.extract(context.active(), request.headers);
    tracer.startActiveSpan('POST /users', { kind: SpanKind.SERVER, attributes: { 'http.request.method': request.method ?? '' } }, parent, (span) => {
      void register(request, response, database, outbox, topic)
        .catch((error: unknown) => {
          span.setStatus({ code: SpanStatusCode.ERROR, message: String(error) });
          if (!response.headersSent) response.writeHead(500).end(String(error));
        })
        .finally(() => {
          span.setAttribute('http.response.status_code', response.statusCode);
          span.end();
        });
    });
  });
}

async function register<Tx>(request: IncomingMessage, response: ServerResponse, database: ExampleDatabase<Tx>, outbox: Outbox<Tx>, topic: string): Promise<void> {
  if (request.method !== 'POST' || request.url !== '/users') {
    response.writeHead(404).end();
    return;
  }
  const { accountNo } = await readJson(request);
  if (typeof accountNo !== 'string' || !/^[A-Za-z0-9_-]{1,64}$/.test(accountNo)) {
    response.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify({ error: 'accountNo must be 1-64 characters of A-Z a-z 0-9 _ -' }));
    return;
  }
  let id: number;
  try {
    id = await database.transaction(async (tx) => {
      await tx.query('INSERT INTO user_account (account_no) VALUES (?)', [accountNo]);
      return outbox.writer.add(tx.client, { key: accountNo, topic, cluster: CLUSTER, payload: { accountNo, registeredAt: new Date().toISOString() } });
    });
  } catch (error) {
    response.writeHead(database.isDuplicateKey(error) ? 409 : 500, { 'content-type': 'application/json' }).end(JSON.stringify({ error: (error as Error).message }));
    return;
  }
  response.writeHead(201, { 'content-type': 'application/json' }).end(JSON.stringify({ accountNo, outboxId: id }));
  await outbox.writer.publishNow([id]).catch(() => undefined);
}

async function readJson(request: IncomingMessage): Promise<{ accountNo?: unknown }> {
  let body = '';
  for await (const chunk of request) body += String(chunk);
  return JSON.parse(body || '{}') as { accountNo?: unknown };
}
