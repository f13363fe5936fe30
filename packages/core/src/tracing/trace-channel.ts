import { tracingChannel, type TracingChannel } from 'node:diagnostics_channel';

/**
 * A `node:diagnostics_channel` tracing channel (start, end, asyncStart, asyncEnd, error) for one
 * kind of operation. Subscribers (metrics, OpenTelemetry, a profiler) see the operation's context
 * object at its start and its end, with `result` or `error` set on it at the end.
 */
export type TraceChannel<Context extends object> = TracingChannel<unknown, Context>;

export function traceChannel<Context extends object>(name: string): TraceChannel<Context> {
  return tracingChannel<unknown, Context>(name);
}

/**
 * Runs `operation` inside the channel's trace when someone subscribes, and runs it bare otherwise:
 * with nobody listening a traced call costs one property read per sub-channel, no context object
 * kept alive and no extra promise.
 */
export function traced<T, Context extends object>(channel: TraceChannel<Context>, context: () => Context, operation: () => Promise<T>): Promise<T> {
  // Asked of the sub-channels: TracingChannel's own `hasSubscribers` is newer than Node 20.11.
  if (!channel.start.hasSubscribers && !channel.asyncEnd.hasSubscribers && !channel.error.hasSubscribers) return operation();
  // An async wrapper: tracePromise needs a promise, and a JavaScript job may return plain values.
  return channel.tracePromise(async () => operation(), context());
}
