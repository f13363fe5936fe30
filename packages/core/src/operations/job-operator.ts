import { randomUUID } from 'node:crypto';
import type { Registry } from '../registry/registry.js';
import { JobPaths } from '../coordination/job-paths.js';
import type { JobConfig } from '../config/job-config.js';
import { validateJobConfig, type ResolvedJobConfig } from '../config/validate-job-config.js';
import { parseStoredJobConfig, toStoredJobConfig, toJobConfig } from '../config/stored-job-config.js';
import { parseAssignment, itemsByInstance } from '../sharding/assignment.js';
import { parseRunLock } from '../coordination/run-lock.js';
import { JobNotFoundError } from '../errors/job-not-found-error.js';
import { createIfMissing } from '../registry/create-if-missing.js';
import { RegistryVersionConflictError } from '../errors/registry-version-conflict-error.js';

/** What an operator sees of a job. */
export interface JobStatus {
  readonly config: ResolvedJobConfig;
  readonly instances: readonly string[];
  readonly disabledInstances: readonly string[];
  readonly disabledItems: readonly number[];
  readonly generation: number | undefined;
  /** instance id -> items */
  readonly assignment: ReadonlyMap<string, readonly number[]>;
  /** item -> instance currently running it */
  readonly running: ReadonlyMap<number, string>;
}

/**
 * Operations on jobs from any process connected to the registry, like ElasticJob's lifecycle
 * API: trigger, disable/enable a job, an instance or an item, change the config live. Running
 * schedulers pick every change up through their watches; nothing here needs the scheduler.
 */
export class JobOperator {
  constructor(private readonly registry: Registry) {}

  /** Every instance runs its items once, now. */
  async trigger(jobName: string): Promise<void> {
    const paths = await this.existingJob(jobName);
    await this.registry.put(paths.trigger, randomUUID());
  }

  async disableJob(jobName: string): Promise<void> {
    await this.updateConfig(jobName, { disabled: true });
  }

  async enableJob(jobName: string): Promise<void> {
    await this.updateConfig(jobName, { disabled: false });
  }

  /** A disabled instance keeps running but is given no items. */
  async disableInstance(jobName: string, instanceId: string): Promise<void> {
    await createIfMissing(this.registry, (await this.existingJob(jobName)).disabledInstance(instanceId));
  }

  async enableInstance(jobName: string, instanceId: string): Promise<void> {
    await this.registry.remove((await this.existingJob(jobName)).disabledInstance(instanceId));
  }

  /** A disabled item stays assigned but is skipped at every fire. */
  async disableItem(jobName: string, item: number): Promise<void> {
    await createIfMissing(this.registry, (await this.existingJob(jobName)).disabledItem(item));
  }

  async enableItem(jobName: string, item: number): Promise<void> {
    await this.registry.remove((await this.existingJob(jobName)).disabledItem(item));
  }

  /**
   * Changes the stored config (validated as a whole first; errors name the field). Every running
   * instance reloads it: a cron change reschedules, a count change reshards, `disabled` stops firing.
   */
  async updateConfig(jobName: string, patch: Partial<Omit<JobConfig, 'jobName'>>): Promise<ResolvedJobConfig> {
    const paths = new JobPaths(jobName);
    for (;;) {
      const stored = await this.registry.get(paths.config);
      if (!stored) throw new JobNotFoundError(jobName);
      const next = validateJobConfig({ ...toJobConfig(parseStoredJobConfig(stored.data)), ...patch, jobName });
      try {
        await this.registry.set(paths.config, toStoredJobConfig(next), stored.version);
        return next;
      } catch (error) {
        if (!(error instanceof RegistryVersionConflictError)) throw error;
      }
    }
  }

  async status(jobName: string): Promise<JobStatus> {
    const paths = await this.existingJob(jobName);
    const [configNode, instances, disabledInstances, disabledItems, assignmentNode, runningItems] = await Promise.all([
      this.registry.get(paths.config),
      this.registry.getChildren(paths.instances),
      this.registry.getChildren(paths.disabledInstances),
      this.registry.getChildren(paths.disabledItems),
      this.registry.get(paths.assignment),
      this.registry.getChildren(paths.running),
    ]);
    if (!configNode) throw new JobNotFoundError(jobName);
    const assignment = assignmentNode ? parseAssignment(assignmentNode.data) : undefined;
    const running = new Map<number, string>();
    await Promise.all(runningItems.map(async (name) => {
      const node = await this.registry.get(paths.runningItem(Number(name)));
      if (node) running.set(Number(name), parseRunLock(node.data).instance);
    }));
    return {
      config: parseStoredJobConfig(configNode.data),
      instances: instances.sort(),
      disabledInstances: disabledInstances.sort(),
      disabledItems: disabledItems.map(Number).sort((a, b) => a - b),
      generation: assignment?.generation,
      assignment: assignment ? itemsByInstance(assignment) : new Map(),
      running,
    };
  }

  private async existingJob(jobName: string): Promise<JobPaths> {
    const paths = new JobPaths(jobName);
    if (!(await this.registry.exists(paths.config))) throw new JobNotFoundError(jobName);
    return paths;
  }

}
