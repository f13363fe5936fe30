import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Registry } from '@shardflow/core';
import type { JobAdmin } from '../jobs/job-admin.js';
import { watchJob } from '../jobs/watch-job.js';

/** A resharding touches several nodes within milliseconds: one read after the burst, not one per node. */
const SETTLE_MS = 100;
/** Comment lines keep proxies and the browser from closing an idle stream. */
const HEARTBEAT_MS = 15_000;

/**
 * Server-sent events of one job: an `event: job` with the whole JobDetails at once and after
 * every change ZooKeeper notifies (registry watches, no polling), so the page's shard map follows
 * a failover without a reload.
 */
export function streamJob(request: IncomingMessage, response: ServerResponse, registry: Registry, jobs: JobAdmin, jobName: string): void {
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
      const details = await jobs.describeJob(jobName);
      if (!closed) response.write(`event: job\ndata: ${JSON.stringify(details)}\n\n`);
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
  const unwatch = watchJob(registry, jobName, schedule);
  const heartbeat = setInterval(() => response.write(': ping\n\n'), HEARTBEAT_MS);
  request.once('close', () => {
    closed = true;
    unwatch();
    clearTimeout(timer);
    clearInterval(heartbeat);
  });
}
