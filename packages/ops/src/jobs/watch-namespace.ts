import type { Registry, Unsubscribe } from '@shardflow/core';
import { watchJob } from './watch-job.js';

/**
 * Calls `onChange` after any change of the namespace's job list or of any job's nodes (each job as
 * `watchJob` sees it), for the jobs overview. Watches follow jobs as they appear and disappear.
 */
export function watchNamespace(registry: Registry, onChange: () => void): Unsubscribe {
  const jobs = new Map<string, Unsubscribe>();
  const unwatchRoot = registry.watchChildren('/', (children) => {
    for (const [name, unwatch] of jobs) {
      if (!children.includes(name)) {
        unwatch();
        jobs.delete(name);
      }
    }
    for (const name of children) if (!jobs.has(name)) jobs.set(name, watchJob(registry, name, onChange));
    onChange();
  });
  return () => {
    unwatchRoot();
    for (const unwatch of jobs.values()) unwatch();
    jobs.clear();
  };
}
