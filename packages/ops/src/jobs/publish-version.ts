import { JobPaths, RegistryNodeExistsError, type JobScheduler, type Registry } from '@shardflow/core';

/** `/{job}/instance-versions`: one ephemeral node per instance, holding the version it runs. */
export function instanceVersionsPath(jobName: string): string {
  return `${new JobPaths(jobName).root}/instance-versions`;
}

/**
 * Publishes the version of the application an instance runs (your build's version or commit), so
 * `shardflow job` and the console show which instances run what during a rolling deploy. The node
 * is ephemeral, belongs to this registry session and comes back after a session loss, like the
 * instance's own node.
 */
export async function publishVersion(scheduler: JobScheduler, registry: Registry, version: string): Promise<void> {
  const path = `${instanceVersionsPath(scheduler.jobName)}/${scheduler.instanceId}`;
  try {
    await registry.create(path, version, { ephemeral: true, restoreOnNewSession: true });
  } catch (error) {
    if (!(error instanceof RegistryNodeExistsError)) throw error;
    await registry.set(path, version);
  }
}
