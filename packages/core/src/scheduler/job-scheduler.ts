import { EventEmitter } from 'eventemitter3';
import { UnheardErrorReporter } from '../events/unheard-error-reporter.js';
import type { Job } from '../job/job.js';
import type { ShardingContext } from '../job/sharding-context.js';
import type { ConnectionState, Registry } from '../registry/registry.js';
import { JobPaths } from '../coordination/job-paths.js';
import { sessionTiming } from '../registry/session-timing.js';
import { strategyLookup } from '../config/strategy-lookup.js';
import type { JobConfig } from '../config/job-config.js';
import { validateJobConfig, type ResolvedJobConfig } from '../config/validate-job-config.js';
import { publishJobConfig } from '../coordination/job-config-store.js';
import { LeaderLatch } from '../coordination/leader-latch.js';
import { ReshardingLeader } from '../coordination/resharding-leader.js';
import { itemsOwnedBy } from '../sharding/assignment.js';
import { JobStateView } from '../coordination/job-state-view.js';
import { ConnectionFence } from '../coordination/connection-fence.js';
import { ItemExecutor } from '../execution/item-executor.js';
import { ItemLock } from '../coordination/item-lock.js';
import { CronTrigger } from '../schedule/cron-trigger.js';
import type { JobSchedulerEvents } from '../events/job-events.js';
import { generateInstanceId, isValidInstanceId } from '../instance/instance-id.js';
import { DuplicateInstanceError } from '../errors/duplicate-instance-error.js';
import { SchedulerStateError } from '../errors/scheduler-state-error.js';
import { InvalidJobConfigError } from '../errors/invalid-job-config-error.js';
import { RegistryNodeExistsError } from '../errors/registry-node-exists-error.js';
import { toError } from '../util/to-error.js';
import { createIfMissing } from '../registry/create-if-missing.js';
import type { Logger } from '../logging/logger.js';

export interface JobSchedulerOptions {
  /** Stable id of this instance; default `host@pid@seq-random`. Must be unique among live instances. */
  instanceId?: string;
  /** Called with every item error, after the `itemFailed` event. */
  onItemError?: (error: Error, ctx: ShardingContext) => void;
  /** Where errors nobody listens to go (any pino-compatible logger); default `process.emitWarning`, once per kind. */
  logger?: Logger;
}

type Lifecycle = 'new' | 'starting' | 'started' | 'stopping' | 'stopped';

/**
 * Runs one job on this process as one instance among many. Start the same code on several
 * machines with the same registry namespace and job name: one instance is elected leader and
 * spreads the items over the live instances; each instance fires its own cron and runs its items.
 *
 * Lifecycle: new -> starting -> started -> stopping -> stopped. `start` validates the config
 * (typed errors name the field), publishes it (ElasticJob's overwrite rule), registers the
 * instance, joins the election, then arms the cron. `shutdown` reverses it gracefully.
 */
export class JobScheduler<T = unknown> extends EventEmitter<JobSchedulerEvents> {
  readonly instanceId: string;
  readonly jobName: string;
  private readonly paths: JobPaths;
  private readonly localConfig: ResolvedJobConfig;
  private readonly view: JobStateView;
  private readonly latch: LeaderLatch;
  private readonly fence: ConnectionFence;
  private readonly executor: ItemExecutor;
  private readonly leader: ReshardingLeader;
  private readonly trigger: CronTrigger;
  private readonly unheard: UnheardErrorReporter;
  private readonly handlesItemErrors: boolean;
  private lifecycle: Lifecycle = 'new';
  private ownedItems: readonly number[] = [];
  private appliedCron: string | undefined;
  private readonly onRegistryState = (state: ConnectionState): void => {
    this.emit('connectionState', { jobName: this.jobName, state });
    if (state === 'lost') this.executor.abortAll('the registry session was lost');
  };
  private readonly onRegistryError = (error: Error): void => {
    this.emit('error', error);
  };

  constructor(
    private readonly registry: Registry,
    job: Job<T>,
    config: JobConfig,
    options: JobSchedulerOptions = {},
  ) {
    super();
    this.localConfig = validateJobConfig(config);
    this.jobName = this.localConfig.jobName;
    this.instanceId = options.instanceId ?? generateInstanceId();
    if (!isValidInstanceId(this.instanceId)) {
      throw new InvalidJobConfigError([{ field: 'instanceId', value: this.instanceId, message: 'must match [A-Za-z0-9_.@-]{1,200}' }]);
    }
    this.unheard = new UnheardErrorReporter(`shardflow job '${this.jobName}' on ${this.instanceId}`, options.logger);
    this.handlesItemErrors = options.onItemError !== undefined;
    this.paths = new JobPaths(this.jobName);
    this.view = new JobStateView(registry, this.paths, sessionTiming(registry.sessionTimeoutMs).failoverCandidateTtlMs, strategyLookup(this.localConfig));
    this.latch = new LeaderLatch(registry, this.paths, this.instanceId);
    this.fence = new ConnectionFence(registry);
    this.executor = new ItemExecutor({
      instanceId: this.instanceId,
      registry,
      job: job as Job<unknown>,
      view: this.view,
      fence: this.fence,
      lock: new ItemLock(registry, this.paths, this.instanceId),
      events: this,
      onItemError: options.onItemError,
    });
    this.leader = new ReshardingLeader(registry, this.paths, this.latch, this.view, this);
    this.trigger = new CronTrigger(() => this.executor.fire('cron'));
    this.fence.on('abort', (reason) => this.executor.abortAll(reason));
    this.view.on('error', (error) => this.emit('error', error));
    this.view.on('config', (config) => this.applyConfig(config));
    this.view.on('assignment', () => this.applyAssignment());
    this.view.on('instances', () => this.leader.request());
    this.view.on('running', () => this.leader.request());
    this.view.on('trigger', () => this.executor.fire('manual'));
    this.latch.on('error', (error) => this.emit('error', error));
    this.latch.on('leadership', (isLeader) => {
      this.emit('leadership', { jobName: this.jobName, instanceId: this.instanceId, isLeader });
      this.leader.request();
    });
  }

  /**
   * An `error` nobody listens to, or an item failure that neither a listener nor `onItemError`
   * takes, is still reported (once per kind, see UnheardErrorReporter) instead of vanishing.
   */
  override emit<E extends EventEmitter.EventNames<JobSchedulerEvents>>(event: E, ...args: EventEmitter.EventArgs<JobSchedulerEvents, E>): boolean {
    const heard = super.emit(event, ...args);
    if (!heard && event === 'error') this.unheard.report(args[0] as Error);
    if (!heard && event === 'itemFailed' && !this.handlesItemErrors) this.unheard.report((args[0] as { error: Error }).error);
    return heard;
  }

  /** The config in force (the registry's, after live reloads). */
  get config(): ResolvedJobConfig {
    return this.view.config ?? this.localConfig;
  }

  get isLeader(): boolean {
    return this.latch.isLeader;
  }

  /** Items this instance owns in the current assignment. */
  get items(): readonly number[] {
    return this.ownedItems;
  }

  /**
   * Runs this instance's items now, as a cron fire would (trigger `wakeup`): the same permits, run
   * locks and ownership checks. An item already running gets one run after the current one,
   * however often it is woken meanwhile; a disabled job or item, or a scheduler not started, is
   * not run. For work that announces itself (new outbox rows) between cron fires.
   */
  wake(): void {
    if (this.lifecycle === 'started') this.executor.fire('wakeup');
  }

  /**
   * All or nothing: if any step fails, what the earlier steps registered and started is removed
   * and stopped again, the error is thrown, and `start()` may be called again.
   */
  async start(): Promise<void> {
    if (this.lifecycle !== 'new') throw new SchedulerStateError(`JobScheduler for '${this.jobName}' cannot start: it is ${this.lifecycle}`);
    this.lifecycle = 'starting';
    try {
      if (this.registry.state === 'connecting') await this.registry.connect();
      await Promise.all(
        [this.paths.instances, this.paths.latch, this.paths.running, this.paths.disabledInstances, this.paths.disabledItems, `${this.paths.root}/sharding`]
          .map((path) => createIfMissing(this.registry, path)),
      );
      await publishJobConfig(this.registry, this.paths, this.localConfig);
      this.registry.on('state', this.onRegistryState);
      this.registry.on('error', this.onRegistryError);
      this.fence.start();
      await this.view.start();
      await this.registerInstance();
      await this.latch.start();
      this.lifecycle = 'started';
      this.applyConfig(this.config);
      this.applyAssignment();
    } catch (error) {
      await this.leaveRegistry();
      this.lifecycle = 'new';
      throw error;
    }
  }

  /**
   * Graceful shutdown: stop firing, let running batches finish (streaming loops stop between
   * batches) within `shutdownTimeoutMs`, remove this instance's node and election node so the
   * leader reshards at once, then release run locks so survivors take interrupted items over
   * immediately. The registry stays open; close it yourself when every scheduler on it is down.
   */
  async shutdown(): Promise<void> {
    if (this.lifecycle === 'stopped' || this.lifecycle === 'stopping') return;
    this.lifecycle = 'stopping';
    this.trigger.stop();
    await this.executor.stop(this.config.shutdownTimeoutMs);
    await this.leaveRegistry();
    this.lifecycle = 'stopped';
  }

  /** Undoes what `start` set up, in reverse; each step is harmless if its part never started. */
  private async leaveRegistry(): Promise<void> {
    this.trigger.stop();
    this.appliedCron = undefined;
    this.registry.off('state', this.onRegistryState);
    this.registry.off('error', this.onRegistryError);
    this.fence.stop();
    this.view.stop();
    // Only the node our own session holds: after a DuplicateInstanceError it is another's.
    await Promise.allSettled([this.registry.removeOwned(this.paths.instance(this.instanceId), this.registry.sessionId), this.latch.close()]);
    await this.executor.releaseHeldLocks();
  }

  private async registerInstance(): Promise<void> {
    const data = JSON.stringify({ pid: process.pid, startedAt: Date.now() });
    try {
      await this.registry.create(this.paths.instance(this.instanceId), data, { ephemeral: true, restoreOnNewSession: true });
    } catch (error) {
      if (error instanceof RegistryNodeExistsError) throw new DuplicateInstanceError(this.jobName, this.instanceId);
      throw error;
    }
  }

  private applyConfig(config: ResolvedJobConfig): void {
    if (this.lifecycle !== 'started') return;
    this.executor.setConcurrency(config.maxConcurrentItems);
    if (config.disabled) {
      this.trigger.stop();
      this.appliedCron = undefined;
    } else if (this.appliedCron !== cronKey(config)) {
      this.appliedCron = cronKey(config);
      this.trigger.start(config.cronSchedule);
    }
    this.emit('configReloaded', { jobName: this.jobName });
    this.leader.request();
  }

  private applyAssignment(): void {
    if (this.lifecycle !== 'started') return;
    const items = itemsOwnedBy(this.view.assignment, this.instanceId);
    if (items.join() !== this.ownedItems.join()) {
      this.ownedItems = items;
      this.emit('itemsAssigned', { jobName: this.jobName, items });
    }
    try {
      this.executor.onAssignmentChanged();
    } catch (error) {
      this.emit('error', toError(error));
    }
    this.leader.request();
  }
}

function cronKey(config: ResolvedJobConfig): string {
  return `${config.cron}|${config.timeZone}`;
}
