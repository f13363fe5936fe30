import { JobScheduler, ZookeeperRegistry } from '@shardflow/core';
import { createOutbox, type Outbox } from '../create-outbox.js';
import { openDatabasePools, type DatabasePools } from './database-pools.js';
import { HealthServer } from './health-server.js';
import { RelayHistory } from './relay-history.js';
import { RelayMetrics } from './relay-metrics.js';
import type { RelayServiceConfig } from './relay-service-config.js';

/** One line of the service's log: an event name and its fields. */
export type RelayServiceLog = (event: string, fields?: Record<string, unknown>) => void;

/**
 * The outbox relay as a process of its own, wired from a config file: pools, createOutbox, the
 * ZooKeeper registry and the relay's JobScheduler (streaming, failover on), the cleanup's
 * JobScheduler when the file asks for it, the wakeup when the file has one, plus the HTTP endpoints. Start it on several machines with the same file: they share the job's items.
 *
 * States: starting (endpoints up, /readyz 503) -> ready -> stopping (/readyz 503 again while the
 * running batches finish and the items are handed over) -> stopped.
 */
export class RelayService {
  private stopping: Promise<void> | undefined;
  private started = false;
  private http: HealthServer | undefined;
  private readonly metrics: RelayMetrics;

  private constructor(
    private readonly databases: DatabasePools,
    private readonly outbox: Outbox<unknown>,
    private readonly registry: ZookeeperRegistry,
    private readonly scheduler: JobScheduler,
    private readonly cleanup: JobScheduler | undefined,
    private readonly history: RelayHistory | undefined,
    private readonly log: RelayServiceLog,
  ) {
    this.metrics = new RelayMetrics(outbox.relayJob, scheduler, () => this.notReadyReason() === undefined, history && (() => history.stats()));
    this.report();
  }

  get instanceId(): string {
    return this.scheduler.instanceId;
  }

  /** The port the endpoints listen on (the chosen one when the file says 0). */
  get httpPort(): number | undefined {
    return this.http?.port;
  }

  /**
   * Checks the outbox tables, connects to ZooKeeper, opens the endpoints (/readyz says 503 until
   * the job is joined), joins the job and starts relaying. On failure everything opened so far is
   * closed again before the error is thrown.
   */
  static async start(config: RelayServiceConfig, log: RelayServiceLog): Promise<RelayService> {
    const databases = await openDatabasePools(config.databases);
    const opened: Array<() => Promise<unknown>> = [() => databases.end()];
    try {
      const outbox: Outbox<unknown> = createOutbox({ ...config.outbox, databases: databases.pools });
      opened.unshift(() => outbox.close());
      for (const { advice, ...table } of await outbox.verifyTables()) log('tableAdvice', { ...table, message: advice });
      const registry = new ZookeeperRegistry(config.zookeeper);
      // Connected before the scheduler is built: the scheduler's connection fence takes the
      // registry's state when it is constructed.
      await registry.connect();
      opened.unshift(() => registry.close());
      const instance = config.instanceId === undefined ? {} : { instanceId: config.instanceId };
      const scheduler = new JobScheduler(registry, outbox.relayJob, config.job, instance);
      const cleanup = config.cleanupJob && new JobScheduler(registry, outbox.cleanupJob, config.cleanupJob, { instanceId: scheduler.instanceId });
      const history = config.history && (await RelayHistory.start(config.history, log));
      if (history) {
        opened.unshift(() => history.close());
        history.observe(scheduler);
        if (cleanup) history.observe(cleanup);
      }
      const service = new RelayService(databases, outbox, registry, scheduler, cleanup, history, log);
      if (config.http) {
        const http = await HealthServer.start(config.http, { notReadyReason: () => service.notReadyReason(), metrics: () => service.metrics.render() });
        service.http = http;
        opened.unshift(() => http.close());
      }
      // Items just taken may hold rows announced to nobody: pending before this instance started,
      // or announced while another instance owned them. With a slow cron they would wait for it.
      if (outbox.wakeup) scheduler.on('itemsAssigned', () => scheduler.wake());
      await scheduler.start();
      opened.unshift(() => scheduler.shutdown());
      // Woken before it started, the scheduler would drop the wakeup: the rows announced would wait for the cron.
      outbox.wakeup?.start(scheduler);
      await cleanup?.start();
      service.started = true;
      log('ready', {
        instance: scheduler.instanceId, job: scheduler.jobName, httpPort: service.httpPort, wakeup: outbox.wakeup?.options.mode ?? 'off',
        history: config.history ? `${config.history.database.dialect}://${config.history.database.host}:${config.history.database.port}/${config.history.database.database}` : 'off',
      });
      return service;
    } catch (error) {
      for (const close of opened) await close().catch(() => undefined);
      throw error;
    }
  }

  notReadyReason(): string | undefined {
    if (this.stopping) return 'stopping';
    if (!this.started) return 'starting';
    const state = this.registry.state;
    return state === 'connected' || state === 'reconnected' ? undefined : `registry ${state}`;
  }

  /**
   * The hand-over: readiness goes down, the scheduler lets running batches finish (up to the job's
   * shutdownTimeoutMs) and leaves the job, so the others reshard its items at once instead of
   * waiting for its session to expire; then the registry session, producers and pools close.
   */
  stop(): Promise<void> {
    this.stopping ??= this.handOver();
    return this.stopping;
  }

  private async handOver(): Promise<void> {
    const startedAt = Date.now();
    this.log('stopping', { instance: this.instanceId });
    // No new run may start while the running ones finish; the LISTENing connection goes back before the pools end.
    this.outbox.wakeup?.stop();
    await Promise.all([this.scheduler.shutdown(), this.cleanup?.shutdown()]);
    await this.history?.close();
    await this.registry.close();
    await this.outbox.close();
    await this.databases.end();
    await this.http?.close();
    this.log('stopped', { instance: this.instanceId, handOverMs: Date.now() - startedAt });
  }

  /** The events an operator reads in the log; counts go to /metrics instead. */
  private report(): void {
    const { scheduler, outbox, log } = this;
    scheduler.on('itemsAssigned', ({ items }) => log('items', { items }));
    scheduler.on('leadership', ({ isLeader }) => log('leader', { isLeader }));
    scheduler.on('failoverTaken', ({ item, fromInstance }) => log('failover', { item, fromInstance }));
    scheduler.on('connectionState', ({ state }) => log('registry', { state }));
    scheduler.on('itemFailed', ({ item, error }) => log('itemFailed', { item, message: error.message }));
    scheduler.on('error', (error) => log('error', { message: error.message }));
    this.cleanup?.on('itemFailed', ({ item, error }) => log('cleanupFailed', { item, message: error.message }));
    this.cleanup?.on('error', (error) => log('error', { job: this.cleanup?.jobName, message: error.message }));
    outbox.relayJob.on('retrying', ({ cluster, count, code, message }) => log('retrying', { cluster, count, code, message }));
    outbox.relayJob.on('dead', ({ cluster, ids, code, message }) => log('dead', { cluster, ids, code, message }));
    outbox.relayJob.on('circuitOpened', ({ cluster }) => log('circuitOpened', { cluster }));
    outbox.relayJob.on('circuitClosed', ({ cluster }) => log('circuitClosed', { cluster }));
    outbox.relayJob.on('released', ({ cluster, count }) => log('released', { cluster, count }));
    outbox.relayJob.on('circuitWriteFailed', ({ clusters, error }) => log('circuitWriteFailed', { clusters, message: error.message }));
    outbox.wakeup?.on('error', (error) => log('wakeupError', { message: error.message }));
  }
}
