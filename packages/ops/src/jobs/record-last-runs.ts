import type { JobScheduler, Registry } from '@shardflow/core';
import { lastRunPath, serializeLastRun, type LastRun } from './last-run.js';

/**
 * Makes a scheduler keep each item's last run (result, end time, duration) in the registry, where
 * the console and `shardflow job` show it: one small persistent node per item, overwritten by every
 * run. Opt-in, because it costs one registry write per item run. A failed write is reported as the
 * scheduler's `error` event; the run itself is unaffected. Returns a function that stops recording.
 */
export function recordLastRuns(scheduler: JobScheduler, registry: Registry): () => void {
  const write = (item: number, run: LastRun): void => {
    registry.put(lastRunPath(scheduler.jobName, item), serializeLastRun(run)).catch((error: unknown) => {
      scheduler.emit('error', error instanceof Error ? error : new Error(String(error)));
    });
  };
  const onCompleted: Parameters<typeof scheduler.on<'itemCompleted'>>[1] = (event) => {
    write(event.item, { result: 'completed', finishedAt: new Date(), durationMs: event.durationMs, instance: scheduler.instanceId, trigger: event.trigger, error: undefined });
  };
  const onFailed: Parameters<typeof scheduler.on<'itemFailed'>>[1] = (event) => {
    write(event.item, { result: 'failed', finishedAt: new Date(), durationMs: event.durationMs, instance: scheduler.instanceId, trigger: event.trigger, error: event.error.message });
  };
  scheduler.on('itemCompleted', onCompleted);
  scheduler.on('itemFailed', onFailed);
  return () => {
    scheduler.off('itemCompleted', onCompleted);
    scheduler.off('itemFailed', onFailed);
  };
}
