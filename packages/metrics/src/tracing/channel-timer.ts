import type { TraceChannel } from '@shardflow/core';

/** How one traced operation ended, as a channel subscriber sees it. */
export interface TimedOperation<Context> {
  readonly context: Context;
  readonly seconds: number;
  /** What the operation threw; undefined when it returned. */
  readonly error: unknown;
}

/**
 * Calls `onEnd` with the duration of every operation traced on `channel`; returns the
 * unsubscribe. Start times live in a WeakMap keyed by the channel's context object, so an
 * operation that never ends leaks nothing.
 */
export function timeChannel<Context extends object>(channel: TraceChannel<Context>, onEnd: (operation: TimedOperation<Context>) => void): () => void {
  const started = new WeakMap<object, number>();
  const finish = (context: Context, error: unknown): void => {
    const at = started.get(context);
    if (at === undefined) return;
    started.delete(context);
    onEnd({ context, seconds: (performance.now() - at) / 1000, error });
  };
  const onStart = (context: unknown): void => {
    started.set(context as Context, performance.now());
  };
  const onAsyncEnd = (context: unknown): void => finish(context as Context, undefined);
  const onError = (context: unknown): void => finish(context as Context, (context as { error?: unknown }).error);
  channel.start.subscribe(onStart);
  channel.asyncEnd.subscribe(onAsyncEnd);
  channel.error.subscribe(onError);
  return () => {
    channel.start.unsubscribe(onStart);
    channel.asyncEnd.unsubscribe(onAsyncEnd);
    channel.error.unsubscribe(onError);
  };
}
