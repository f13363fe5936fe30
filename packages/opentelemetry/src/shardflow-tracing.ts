import { AsyncLocalStorage } from 'node:async_hooks';
import { channel as plainChannel } from 'node:diagnostics_channel';
import { context, propagation, SpanKind, SpanStatusCode, trace, type Attributes, type Link, type Span, type Tracer } from '@opentelemetry/api';
import { CORE_TRACE_CHANNELS, traceChannel, type BatchTraceContext, type ItemRunTraceContext, type RegistryRequestTraceContext } from '@shardflow/core';
import { messageContext } from './message-context.js';

/** The relay's channel names, repeated here so that tracing a job does not need the outbox package installed. */
const OUTBOX_SEND_CHANNEL = 'shardflow:outbox.send';
const OUTBOX_WRITE_CHANNEL = 'shardflow:outbox.write';

/** How many producer trace contexts one send span links to at most. */
const MAX_LINKS = 128;

export interface ShardflowTracingOptions {
  /** Default: the global tracer provider's tracer named '@shardflow/opentelemetry'. */
  tracer?: Tracer;
  /** A span per registry request too (many, short). Default false. */
  registryRequests?: boolean;
}

export interface ShardflowTracing {
  /** The span of the item run, fetch, process or send this code runs in, if any. */
  currentSpan(): Span | undefined;
  close(): void;
}

interface SendContext {
  readonly cluster: string;
  readonly messages: ReadonlyArray<{ readonly headers: Readonly<Record<string, string>> }>;
  readonly fastPath: boolean;
}

interface ChannelSpec<C extends object> {
  readonly name: string;
  readonly span: (context: C) => { name: string; kind: SpanKind; attributes: Attributes; links?: Link[] };
  readonly onEnd?: (span: Span, context: C & { result?: unknown }) => void;
}

/**
 * OpenTelemetry spans from shardflow's tracing channels: an item run with a child span per fetch
 * and per process, and below a process the sends to Kafka (producer spans linked to the trace of
 * each row's writer, up to 128 links). The outbox writer stores the caller's active trace context
 * (`traceparent`) in each row's headers, and the relay sends it as a message header, so a consumer
 * continues the business transaction's trace (see `messageContext`).
 *
 * The parent of a shardflow span is kept in this module's own AsyncLocalStorage; spans your job
 * starts inside `processData` nest under shardflow's when you start them from `currentSpan()`.
 */
export function instrumentShardflow(options: ShardflowTracingOptions = {}): ShardflowTracing {
  const tracer = options.tracer ?? trace.getTracer('@shardflow/opentelemetry');
  const current = new AsyncLocalStorage<Span>();
  const undo: Array<() => void> = [];

  const follow = <C extends object>(spec: ChannelSpec<C>): void => {
    const channel = traceChannel<C & { result?: unknown; error?: unknown }>(spec.name);
    const spans = new WeakMap<object, Span>();
    const start = (data: C): Span => {
      const { name, kind, attributes, links } = spec.span(data);
      const parent = current.getStore();
      const span = tracer.startSpan(name, { kind, attributes, links }, parent ? trace.setSpan(context.active(), parent) : context.active());
      spans.set(data, span);
      return span;
    };
    const end = (data: C & { result?: unknown; error?: unknown }): void => {
      const span = spans.get(data);
      if (!span) return;
      spans.delete(data);
      if (data.error !== undefined) {
        span.recordException(data.error instanceof Error ? data.error : String(data.error));
        span.setStatus({ code: SpanStatusCode.ERROR, message: data.error instanceof Error ? data.error.message : String(data.error) });
      } else {
        spec.onEnd?.(span, data);
      }
      span.end();
    };
    // The store's transform runs before the traced function, in the caller's context: the span starts there.
    channel.start.bindStore(current, (data) => start(data as C));
    const onEnd = (data: unknown): void => end(data as C & { error?: unknown });
    channel.asyncEnd.subscribe(onEnd);
    channel.error.subscribe(onEnd);
    undo.push(() => {
      channel.start.unbindStore(current);
      channel.asyncEnd.unsubscribe(onEnd);
      channel.error.unsubscribe(onEnd);
    });
  };

  follow<ItemRunTraceContext>({
    name: CORE_TRACE_CHANNELS.itemRun,
    span: (run) => ({
      name: 'shardflow.item-run',
      kind: SpanKind.INTERNAL,
      attributes: { 'shardflow.job': run.jobName, 'shardflow.item': run.item, 'shardflow.trigger': run.trigger, 'shardflow.epoch': run.epoch, 'shardflow.task_id': run.taskId },
    }),
    onEnd: (span, run) => {
      const result = run.result as { batches?: number; stoppedBy?: string } | undefined;
      if (result?.batches !== undefined) span.setAttribute('shardflow.batches', result.batches);
      if (result?.stoppedBy !== undefined) span.setAttribute('shardflow.stopped_by', result.stoppedBy);
    },
  });
  for (const [name, spanName] of [[CORE_TRACE_CHANNELS.fetch, 'shardflow.fetch'], [CORE_TRACE_CHANNELS.process, 'shardflow.process']] as const) {
    follow<BatchTraceContext>({
      name,
      span: (batch) => ({
        name: spanName,
        kind: SpanKind.INTERNAL,
        attributes: { 'shardflow.job': batch.ctx.jobName, 'shardflow.item': batch.ctx.shardingItem, 'shardflow.batch': batch.batch, ...(batch.size === undefined ? {} : { 'shardflow.records': batch.size }) },
      }),
      onEnd: (span, batch) => {
        if (Array.isArray(batch.result)) span.setAttribute('shardflow.records', batch.result.length);
      },
    });
  }
  follow<SendContext>({
    name: OUTBOX_SEND_CHANNEL,
    span: (send) => ({
      name: 'shardflow.outbox.send',
      kind: SpanKind.PRODUCER,
      attributes: { 'messaging.system': 'kafka', 'messaging.operation.type': 'send', 'messaging.batch.message_count': send.messages.length, 'shardflow.cluster': send.cluster, 'shardflow.fast_path': send.fastPath },
      links: producerLinks(send),
    }),
    onEnd: (span, send) => {
      const outcomes = Array.isArray(send.result) ? send.result as Array<{ ok: boolean }> : [];
      const failed = outcomes.filter((outcome) => !outcome.ok).length;
      span.setAttribute('shardflow.failed_messages', failed);
      if (failed > 0) span.setStatus({ code: SpanStatusCode.ERROR, message: `${failed} of ${outcomes.length} messages failed` });
    },
  });
  if (options.registryRequests) {
    follow<RegistryRequestTraceContext>({
      name: CORE_TRACE_CHANNELS.registryRequest,
      span: (request) => ({ name: 'shardflow.registry.request', kind: SpanKind.CLIENT, attributes: { 'shardflow.registry.path': request.path, 'shardflow.registry.attempt': request.attempt } }),
    });
  }

  // The writer's rows carry the caller's trace context: the business transaction's span, else ours.
  const write = plainChannel(OUTBOX_WRITE_CHANNEL);
  const onWrite = (message: unknown): void => {
    const active = trace.getSpan(context.active()) ?? current.getStore();
    if (active) propagation.inject(trace.setSpan(context.active(), active), (message as { headers: Record<string, string> }).headers);
  };
  write.subscribe(onWrite);
  undo.push(() => {
    write.unsubscribe(onWrite);
  });

  return {
    currentSpan: () => current.getStore(),
    close: () => {
      for (const step of undo.splice(0)) step();
    },
  };
}

/** Links from a send span to the trace of each row's writer, as far as the rows carry one. */
function producerLinks(send: SendContext): Link[] {
  const links: Link[] = [];
  for (const message of send.messages) {
    if (links.length >= MAX_LINKS) break;
    if (message.headers['traceparent'] === undefined) continue;
    const spanContext = trace.getSpanContext(messageContext(message.headers));
    if (spanContext) links.push({ context: spanContext });
  }
  return links;
}
