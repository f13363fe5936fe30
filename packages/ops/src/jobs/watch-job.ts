import { JobPaths, type Registry, type Unsubscribe } from '@shardflow/core';
import { lastRunsPath } from './last-run.js';

/**
 * Calls `onChange` after any change of a job's nodes that the shard map shows: config,
 * instances, leader, assignment, run locks, disabled marks and recorded runs. Registry watches
 * (server notifications), not polling; they survive a session loss. Changes come in bursts (a
 * resharding touches several nodes), so callers debounce before re-reading the job.
 */
export function watchJob(registry: Registry, jobName: string, onChange: () => void): Unsubscribe {
  const paths = new JobPaths(jobName);
  const runs = lastRunsPath(jobName);
  const runWatches = new Map<string, Unsubscribe>();
  const unsubscribes: Unsubscribe[] = [
    registry.watchData(paths.config, onChange),
    registry.watchData(paths.assignment, onChange),
    registry.watchChildren(paths.instances, onChange),
    registry.watchChildren(paths.latch, onChange),
    registry.watchChildren(paths.running, onChange),
    registry.watchChildren(paths.disabledInstances, onChange),
    registry.watchChildren(paths.disabledItems, onChange),
    // A run record is overwritten in place: watch each one's data, not only the list.
    registry.watchChildren(runs, (children) => {
      for (const [child, unsubscribe] of runWatches) {
        if (!children.includes(child)) {
          unsubscribe();
          runWatches.delete(child);
        }
      }
      for (const child of children) if (!runWatches.has(child)) runWatches.set(child, registry.watchData(`${runs}/${child}`, onChange));
      onChange();
    }),
  ];
  return () => {
    for (const unsubscribe of [...unsubscribes, ...runWatches.values()]) unsubscribe();
    runWatches.clear();
  };
}
