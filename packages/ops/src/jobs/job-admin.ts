import {
  JobNotFoundError, JobOperator, JobPaths, parseAssignment, parseRunLock, parseStoredJobConfig, toJobConfig,
  type Assignment, type JobConfig, type Registry, type ResolvedJobConfig,
} from '@shardflow/core';
import { InvalidOpsArgumentError } from '../errors/invalid-ops-argument-error.js';
import { JobHasInstancesError } from '../errors/job-has-instances-error.js';
import type { InstanceInfo, ItemRunning, JobDetails, JobState, JobSummary, ShardInfo } from './job-details.js';
import { lastRunsPath, lastRunPath, parseLastRun, type LastRun } from './last-run.js';
import { instanceVersionsPath } from './publish-version.js';

/** What `updateConfig` may change; the job's name is its identity and never changes. */
export type JobConfigPatch = Partial<Omit<JobConfig, 'jobName' | 'jobShardingStrategyType'>> & { jobShardingStrategyType?: string };

const HOUR_MS = 3_600_000;
const INSTANCE_ID = /^[A-Za-z0-9_.@-]{1,200}$/;

/**
 * The jobs half of the operations API: reads a namespace's jobs straight from the registry nodes
 * the schedulers keep (core's `JobPaths` layout) and changes them through core's `JobOperator`,
 * so running schedulers pick every change up through their watches. Needs no scheduler.
 */
export class JobAdmin {
  readonly operator: JobOperator;

  constructor(private readonly registry: Registry) {
    this.operator = new JobOperator(registry);
  }

  /** Every job of the namespace (a child of the root with a config node), by name. */
  async listJobs(): Promise<JobSummary[]> {
    const names = await this.registry.getChildren('/');
    const jobs = await Promise.all(names.map(async (name) => {
      try {
        return await this.describeJob(name);
      } catch (error) {
        if (error instanceof JobNotFoundError) return undefined;
        throw error;
      }
    }));
    const now = Date.now();
    return jobs.filter((job): job is JobDetails => job !== undefined).map((job) => {
      const runs = job.shards.map((shard) => shard.lastRun).filter((run): run is LastRun => run !== undefined);
      return {
        name: job.name,
        state: job.state,
        cron: job.config.cron,
        shardingTotalCount: job.config.shardingTotalCount,
        instances: job.instances.length,
        leader: job.leader,
        nextFireTime: job.nextFireTime,
        lastRun: runs.sort((a, b) => b.finishedAt.getTime() - a.finishedAt.getTime())[0],
        recentFailures: runs.filter((run) => run.result === 'failed' && now - run.finishedAt.getTime() <= HOUR_MS).length,
      };
    });
  }

  async describeJob(jobName: string): Promise<JobDetails> {
    const paths = new JobPaths(jobName);
    const configNode = await this.registry.get(paths.config);
    if (!configNode) throw new JobNotFoundError(jobName);
    const config = parseStoredJobConfig(configNode.data);
    const [instanceIds, disabledInstances, disabledItems, assignmentNode, runningItems, leader, lastRuns] = await Promise.all([
      this.registry.getChildren(paths.instances),
      this.registry.getChildren(paths.disabledInstances),
      this.registry.getChildren(paths.disabledItems),
      this.registry.get(paths.assignment),
      this.registry.getChildren(paths.running),
      this.leaderOf(paths),
      this.lastRuns(jobName, config.shardingTotalCount),
    ]);
    const assignment = assignmentNode ? parseAssignment(assignmentNode.data) : undefined;
    const running = await this.runningItems(paths, runningItems);
    const disabledInstanceSet = new Set(disabledInstances);
    const disabledItemSet = new Set(disabledItems.map(Number));
    const instances = await Promise.all(instanceIds.map((id) => this.instanceInfo(paths, id, disabledInstanceSet.has(id), id === leader, assignment)));
    const shards: ShardInfo[] = Array.from({ length: config.shardingTotalCount }, (_, item) => {
      const owner = assignment?.shardingTotalCount === config.shardingTotalCount ? assignment.items[item] : undefined;
      return {
        item,
        owner: owner?.instance,
        epoch: owner?.epoch,
        failover: owner?.failover ?? false,
        running: running.get(item),
        disabled: disabledItemSet.has(item),
        parameter: config.shardingItemParameters.get(item),
        lastRun: lastRuns.get(item),
      };
    });
    return {
      name: jobName,
      state: stateOf(config, instances),
      config: toJobConfig(config),
      leader,
      generation: assignment?.generation,
      instances,
      shards,
      nextFireTime: config.disabled ? undefined : config.cronSchedule.next(new Date()),
    };
  }

  /** Every instance runs its items once, now. */
  async trigger(jobName: string): Promise<void> {
    await this.operator.trigger(jobName);
  }

  async setJobEnabled(jobName: string, enabled: boolean): Promise<void> {
    await (enabled ? this.operator.enableJob(jobName) : this.operator.disableJob(jobName));
  }

  /** A disabled instance keeps running but is given no items; allowed for ids not running now, so an instance can be kept out before it starts. */
  async setInstanceEnabled(jobName: string, instanceId: string, enabled: boolean): Promise<void> {
    if (!INSTANCE_ID.test(instanceId)) throw new InvalidOpsArgumentError('instance', instanceId, 'must be an instance id ([A-Za-z0-9_.@-], 1-200 characters)');
    await (enabled ? this.operator.enableInstance(jobName, instanceId) : this.operator.disableInstance(jobName, instanceId));
  }

  /** A disabled item stays assigned but is skipped at every fire. */
  async setItemEnabled(jobName: string, item: number, enabled: boolean): Promise<void> {
    const config = await this.config(jobName);
    if (!Number.isInteger(item) || item < 0 || item >= config.shardingTotalCount) {
      throw new InvalidOpsArgumentError('item', item, `must be an item of '${jobName}', 0 to ${config.shardingTotalCount - 1}`);
    }
    await (enabled ? this.operator.enableItem(jobName, item) : this.operator.disableItem(jobName, item));
  }

  /**
   * Changes the stored config: the whole result is validated as at start, so a bad value fails
   * with core's InvalidJobConfigError naming the field and nothing is written.
   */
  async updateConfig(jobName: string, patch: JobConfigPatch): Promise<JobConfig> {
    if ('jobName' in patch) throw new InvalidOpsArgumentError('jobName', (patch as { jobName: unknown }).jobName, 'cannot be changed: it is the job\'s identity');
    return toJobConfig(await this.operator.updateConfig(jobName, patch));
  }

  /**
   * Removes every node of the job (config, sharding, disabled marks, run records). Refused with
   * JobHasInstancesError while instances are registered, because they would recreate them.
   */
  async removeJob(jobName: string): Promise<void> {
    const paths = new JobPaths(jobName);
    if (!(await this.registry.exists(paths.config))) throw new JobNotFoundError(jobName);
    const instances = await this.registry.getChildren(paths.instances);
    if (instances.length > 0) throw new JobHasInstancesError(jobName, instances);
    await this.registry.remove(paths.root);
  }

  private async config(jobName: string): Promise<ResolvedJobConfig> {
    const node = await this.registry.get(new JobPaths(jobName).config);
    if (!node) throw new JobNotFoundError(jobName);
    return parseStoredJobConfig(node.data);
  }

  /** The candidate with the lowest sequence number leads (core's LeaderLatch); its node holds its instance id. */
  private async leaderOf(paths: JobPaths): Promise<string | undefined> {
    const members = await this.registry.getChildren(paths.latch);
    const lowest = members.sort((a, b) => sequenceOf(a) - sequenceOf(b))[0];
    if (lowest === undefined) return undefined;
    return (await this.registry.get(`${paths.latch}/${lowest}`))?.data;
  }

  private async runningItems(paths: JobPaths, names: readonly string[]): Promise<Map<number, ItemRunning>> {
    const running = new Map<number, ItemRunning>();
    await Promise.all(names.map(async (name) => {
      const node = await this.registry.get(paths.runningItem(Number(name)));
      if (!node) return;
      const lock = parseRunLock(node.data);
      running.set(Number(name), { instance: lock.instance, epoch: lock.epoch, since: new Date(lock.startedAt) });
    }));
    return running;
  }

  private async instanceInfo(paths: JobPaths, id: string, disabled: boolean, leader: boolean, assignment: Assignment | undefined): Promise<InstanceInfo> {
    const [node, version] = await Promise.all([this.registry.get(paths.instance(id)), this.registry.get(`${instanceVersionsPath(paths.jobName)}/${id}`)]);
    let data: { pid?: unknown; startedAt?: unknown } = {};
    try {
      data = node ? (JSON.parse(node.data) as typeof data) : {};
    } catch {
      // An instance node written by another tool: show what the id tells.
    }
    const [host, pid] = id.split('@');
    const items: number[] = [];
    assignment?.items.forEach((owner, item) => {
      if (owner.instance === id) items.push(item);
    });
    return {
      id,
      host: pid === undefined ? undefined : host,
      pid: typeof data.pid === 'number' ? data.pid : undefined,
      version: version?.data,
      startedAt: typeof data.startedAt === 'number' ? new Date(data.startedAt) : undefined,
      disabled,
      leader,
      items,
    };
  }

  private async lastRuns(jobName: string, total: number): Promise<Map<number, LastRun>> {
    const runs = new Map<number, LastRun>();
    const items = (await this.registry.getChildren(lastRunsPath(jobName))).map(Number).filter((item) => item < total);
    await Promise.all(items.map(async (item) => {
      const node = await this.registry.get(lastRunPath(jobName, item));
      const run = node ? parseLastRun(node.data) : undefined;
      if (run) runs.set(item, run);
    }));
    return runs;
  }
}

function sequenceOf(name: string): number {
  return Number(name.slice(name.lastIndexOf('-') + 1));
}

function stateOf(config: ResolvedJobConfig, instances: readonly InstanceInfo[]): JobState {
  if (config.disabled) return 'disabled';
  return instances.some((instance) => !instance.disabled) ? 'running' : 'no-instances';
}
