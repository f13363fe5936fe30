import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Unsubscribe } from '@shardflow/core';

/** A resharding touches several nodes within milliseconds: one read after the burst, not one per node. */
const SETTLE_MS = 100;
/** Comment lines keep proxies and the browser from closing an idle stream. */
const HEARTBEAT_MS = 15_000;

export interface ChangeStream {
  /** Subscribes to the changes (registry watches); called once, unsubscribed when the client leaves. */
  readonly watch: (onChange: () => void) => Unsubscribe;
  /** Reads what the page shows, after each settled burst of changes. */
  readonly read: () => Promise<unknown>;
  /** The SSE event name of each value. */
  readonly event: string;
}

/**
 * Server-sent events: the whole value at once and again after every change ZooKeeper notifies (no
 * polling), so a page follows a failover without a reload. A failed read is sent as a `failure`
 * event; the stream stays open for the next change.
 */
export function streamChanges(request: IncomingMessage, response: ServerResponse, stream: ChangeStream): void {
  response.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', connection: 'keep-alive' });
  let timer: NodeJS.Timeout | undefined;
  let reading = false;
  let changedWhileReading = false;
  let closed = false;
  const send = async (): Promise<void> => {
    if (reading) {
      changedWhileReading = true;
      return;
    }
    reading = true;
    try {
      const value = await stream.read();
      if (!closed) response.write(`event: ${stream.event}\ndata: ${JSON.stringify(value)}\n\n`);
    } catch (error) {
      if (!closed) response.write(`event: failure\ndata: ${JSON.stringify({ message: (error as Error).message })}\n\n`);
    } finally {
      reading = false;
      if (changedWhileReading) {
        changedWhileReading = false;
        schedule();
      }
    }
  };
  const schedule = (): void => {
    clearTimeout(timer);
    timer = setTimeout(() => void send(), SETTLE_MS);
  };
  const unwatch = stream.watch(schedule);
  const heartbeat = setInterval(() => response.write(': ping\n\n'), HEARTBEAT_MS);
  request.once('close', () => {
    closed = true;
    unwatch();
    clearTimeout(timer);
    clearInterval(heartbeat);
  });
}
