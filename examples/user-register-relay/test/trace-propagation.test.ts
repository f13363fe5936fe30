import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { context, propagation, SpanKind, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { Kafka, logLevel, type KafkaMessage } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JobScheduler, ZookeeperRegistry } from '@shardflow/core';
import type { Outbox } from '@shardflow/outbox-relay';
import { instrumentShardflow, messageContext, type ShardflowTracing } from '@shardflow/opentelemetry';
import { createKafkaTopic, createTestDatabase, testServices, uniqueNamespace, waitUntil, formatKafkaClusterMap, type TestDatabase } from '@shardflow/testkit';
import { createAccountServer } from '../src/account-app.js';
import { migrate, openDatabase, type ExampleDatabase } from '../src/database.js';
import { CLUSTER, readEnvironment } from '../src/environment.js';

describe('one trace from the account service HTTP request through the outbox and Kafka to the consumer', () => {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  const contextManager = new AsyncLocalStorageContextManager();
  const topic = `traced-${Date.now().toString(36)}`;
  let database: TestDatabase;
  let exampleDatabase: ExampleDatabase;
  let outbox: Outbox<unknown>;
  let server: Server;
  let registry: ZookeeperRegistry;
  let scheduler: JobScheduler;
  let tracing: ShardflowTracing;

  beforeAll(async () => {
    trace.setGlobalTracerProvider(provider);
    context.setGlobalContextManager(contextManager.enable());
    propagation.setGlobalPropagator(new W3CTraceContextPropagator());
    tracing = instrumentShardflow();
    database = await createTestDatabase('traced');
    const services = testServices();
    const environment = readEnvironment({ SHARDFLOW_ZK: services.zookeeper, SHARDFLOW_KAFKA: formatKafkaClusterMap(services.kafka), SHARDFLOW_DATABASE_URL: services.mysqlUrl, SHARDFLOW_EXAMPLE_DB: database.name });
    await migrate(environment);
    exampleDatabase = await openDatabase(environment, 4);
    // No fast path: the relay job sends the row, so its item run, batch and send spans are in the picture.
    outbox = exampleDatabase.createOutbox({ clusters: { [CLUSTER]: { brokers: [services.kafka[CLUSTER] as string] } } });
    server = createAccountServer(exampleDatabase, outbox, topic);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    registry = new ZookeeperRegistry({ connectString: services.zookeeper, namespace: uniqueNamespace('traced') });
    await registry.connect();
    scheduler = new JobScheduler(registry, outbox.relayJob, { jobName: 'traced-relay', cron: '* * * * * ?', shardingTotalCount: 2, streamingProcess: true, overwrite: true });
    await scheduler.start();
  });

  afterAll(async () => {
    await scheduler?.shutdown();
    await registry?.close();
    await new Promise((resolve) => server?.close(resolve));
    await outbox?.close();
    await exampleDatabase?.end();
    await database?.drop();
    tracing?.close();
    contextManager.disable();
    await provider.shutdown();
    trace.disable();
    context.disable();
    propagation.disable();
  });

  it('the consumer span is a child of the request span, and the relay send links to it', async () => {
    const tracer = trace.getTracer('test');
    const port = (server.address() as AddressInfo).port;
    const status = await tracer.startActiveSpan('register user (client)', { kind: SpanKind.CLIENT }, async (span) => {
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      propagation.inject(context.active(), headers);
      try {
        const response = await fetch(`http://127.0.0.1:${port}/users`, { method: 'POST', headers, body: JSON.stringify({ accountNo: 'traced-user' }) });
        return response.status;
      } finally {
        span.end();
      }
    });
    expect(status).toBe(201);

    const message = await consumeOne(testServices().kafka[CLUSTER] as string, topic);
    tracer.startActiveSpan('coupon grant', { kind: SpanKind.CONSUMER }, messageContext(message.headers ?? {}), (span) => span.end());

    const named = (name: string): ReadableSpan[] => exporter.getFinishedSpans().filter((span) => span.name === name);
    const [client] = named('register user (client)');
    const [request] = named('POST /users');
    const [consumer] = named('coupon grant');
    expect(client).toBeDefined();
    expect(request?.spanContext().traceId).toBe(client?.spanContext().traceId);
    expect(request?.parentSpanContext?.spanId).toBe(client?.spanContext().spanId);
    expect(message.headers?.['traceparent']?.toString()).toContain(request?.spanContext().spanId);
    expect(consumer?.spanContext().traceId).toBe(client?.spanContext().traceId);
    expect(consumer?.parentSpanContext?.spanId).toBe(request?.spanContext().spanId);

    await waitUntil(() => named('shardflow.outbox.send').some((send) => send.links.some((link) => link.context.spanId === request?.spanContext().spanId)), { what: 'the relay send span to end' });
    const send = named('shardflow.outbox.send').find((span) => span.links.some((link) => link.context.spanId === request?.spanContext().spanId)) as ReadableSpan;
    // The send's parent span ends after the marks, which may come later than the message itself.
    await waitUntil(() => exporter.getFinishedSpans().some((span) => span.spanContext().spanId === send.parentSpanContext?.spanId), { what: 'the batch span to end' });
    const process = exporter.getFinishedSpans().find((span) => span.spanContext().spanId === send.parentSpanContext?.spanId);
    expect(process?.name).toBe('shardflow.process');
    await waitUntil(() => exporter.getFinishedSpans().some((span) => span.spanContext().spanId === process?.parentSpanContext?.spanId), { what: 'the item run span to end' });
    const run = exporter.getFinishedSpans().find((span) => span.spanContext().spanId === process?.parentSpanContext?.spanId);
    expect(run?.name).toBe('shardflow.item-run');
    expect(run?.attributes['shardflow.job']).toBe('traced-relay');
    expect(send.attributes['shardflow.cluster']).toBe(CLUSTER);
  });
});

async function consumeOne(bootstrap: string, topic: string): Promise<KafkaMessage> {
  await createKafkaTopic(bootstrap, topic, 1);
  const kafka = new Kafka({ clientId: 'trace-test', brokers: [bootstrap], logLevel: logLevel.NOTHING });
  const consumer = kafka.consumer({ groupId: `trace-test-${topic}` });
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    return await new Promise<KafkaMessage>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no message on ${topic} within 60 s`)), 60_000);
      void consumer.run({
        eachMessage: async ({ message }) => {
          clearTimeout(timer);
          resolve(message);
        },
      });
    });
  } finally {
    await consumer.disconnect();
  }
}
