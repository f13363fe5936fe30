import { checkJobHistoryOptions, InvalidHistoryConfigError } from '@shardflow/history';
import { InMemoryRegistry, InvalidJobConfigError, InvalidRegistryConfigError, JobScheduler, validateJobConfig, ZookeeperRegistry, type ConfigProblem, type JobConfig, type SimpleJob } from '@shardflow/core';
import { createOutbox, type OutboxConfig } from '../create-outbox.js';
import { InvalidOutboxConfigError } from '../errors/invalid-outbox-config-error.js';
import { InvalidRelayServiceConfigError } from '../errors/invalid-relay-service-config-error.js';
import type { MessageSink } from '../sink/message-sink.js';
import { DEFAULT_PORTS, openDatabasePools, type DatabaseConnection, type DatabaseDialect } from './database-pools.js';
import { isLoopback } from './is-loopback.js';
import { readConfigTree } from './read-config-tree.js';
import type { ReferenceSources } from './resolve-references.js';
import type { RelayHistoryConfig, RelayServiceConfig } from './relay-service-config.js';
import { RELAY_SERVICE_SCHEMA, type HistoryEntry, type RelayServiceFile } from './relay-service-schema.js';

/** The job every relay service runs unless the file says otherwise. */
const JOB_DEFAULTS = { jobName: 'outbox-relay', cron: '* * * * * ?', overwrite: true } as const;

/** Every 10 minutes: deleting is no hurry, and small frequent runs keep each one short. */
const CLEANUP_CRON = '0 0/10 * * * ?';

const MIN_TOKEN_LENGTH = 16;

/**
 * A running item marks its sent and failed rows at once: two connections for each of the job's 4
 * concurrent items (one more when the wakeup LISTENs).
 */
const DEFAULT_CONNECTION_LIMIT = 8;

/** The history writes one batch at a time; the retention cleanup may run beside it. */
const HISTORY_CONNECTION_LIMIT = 2;

/**
 * Checks a parsed config file and reports every problem at once (InvalidRelayServiceConfigError),
 * like validateJobConfig: first the file's shape (unknown keys, types, `${NAME}` and `*File`
 * references), then each part with the validator of the component it configures (the job config,
 * the ZooKeeper registry, createOutbox), so that a value is judged by the same rule whether it
 * comes from a file or from code. Nothing connects.
 */
export async function validateRelayServiceConfig(document: unknown, sources: ReferenceSources, source: string): Promise<RelayServiceConfig> {
  const { tree, problems } = readConfigTree(document, RELAY_SERVICE_SCHEMA, sources);
  const add = (problem: ConfigProblem): void => {
    if (!problems.some((known) => overlaps(known.field, problem.field))) problems.push(problem);
  };
  const file = (tree ?? {}) as Partial<RelayServiceFile>;

  const job: JobConfig = { ...JOB_DEFAULTS, ...(file.job as JobConfig), streamingProcess: true };
  if (file.job) for (const problem of jobProblems(job)) add({ ...problem, field: `job.${problem.field}` });
  const cleanupJob = file.cleanup && cleanupJobOf(job, file.cleanup.cron ?? CLEANUP_CRON);
  // Everything but the cron is the relay job's, already judged above.
  if (cleanupJob && file.job) for (const problem of jobProblems(cleanupJob)) add({ ...problem, field: problem.field === 'cron' ? 'cleanup.cron' : `job.${problem.field}` });
  if (file.instanceId !== undefined) {
    try {
      // The scheduler is where an instance id is checked; with a job that is surely valid, its
      // constructor judges the id alone, and it connects nothing.
      new JobScheduler(new InMemoryRegistry(), CHECK_ONLY_JOB, { jobName: 'check', cron: '* * * * * ?', shardingTotalCount: 1 }, { instanceId: file.instanceId });
    } catch (error) {
      if (!(error instanceof InvalidJobConfigError)) throw error;
      for (const problem of error.problems) add(problem);
    }
  }
  if (file.zookeeper) {
    try {
      // The constructor checks every option and connects nothing.
      new ZookeeperRegistry(file.zookeeper);
    } catch (error) {
      if (!(error instanceof InvalidRegistryConfigError)) throw error;
      add({ field: `zookeeper.${error.field}`, value: error.value, message: registryReason(error) });
    }
  }
  const databases = (file.databases ?? []).map((entry) => connectionOf(entry, file.wakeup));
  const dialects = new Set(databases.map((database) => database.dialect));
  if (dialects.size > 1) add({ field: 'databases', value: [...dialects].join(', '), message: 'must all have the same dialect: the relay runs on one kind of database' });
  const outbox: Omit<OutboxConfig, 'databases'> = {
    clusters: file.clusters, rocketmqClusters: file.rocketmqClusters, partitioning: file.partitioning, relay: file.relay, table: file.table, columns: file.columns, states: file.states,
    wakeup: file.wakeup,
    cleanup: file.cleanup && { retentionMs: file.cleanup.retentionMs, batchSize: file.cleanup.batchSize, pauseMs: file.cleanup.pauseMs },
  };
  if (file.partitioning?.mode === 'physical-tables' && file.partitioning.tables === undefined) {
    add({ field: 'partitioning.tables', value: undefined, message: "is required with mode 'physical-tables'" });
  }
  const clustersGiven = isGiven(document, 'clusters') || isGiven(document, 'rocketmqClusters');
  if (!clustersGiven) add({ field: 'clusters', value: undefined, message: 'is required: Kafka clusters, or rocketmqClusters, or both' });
  if ((file.clusters || file.rocketmqClusters) && databases.length > 0 && dialects.size === 1) for (const problem of await outboxProblems(outbox, databases)) add(problem);
  const history = file.history ? historyOf(file.history, databases[0]) : undefined;
  if (history) for (const problem of historyProblems(history.options)) add(problem);

  const http = file.http ? { host: file.http.host ?? '127.0.0.1', port: file.http.port, token: file.http.token } : undefined;
  if (http && !isLoopback(http.host) && http.token === undefined && !problems.some((problem) => problem.field === 'http.tokenFile')) {
    add({ field: 'http.token', value: undefined, message: `is required when http.host is not a loopback address (${http.host}): give it as \${NAME} or tokenFile` });
  }
  if (http?.token !== undefined && http.token.length < MIN_TOKEN_LENGTH) add({ field: 'http.token', value: '***', message: `must be at least ${MIN_TOKEN_LENGTH} characters` });

  if (problems.length > 0) throw new InvalidRelayServiceConfigError(source, problems);
  return { instanceId: file.instanceId, databases, outbox, zookeeper: file.zookeeper as RelayServiceFile['zookeeper'], job, cleanupJob, history, http };
}

function jobProblems(config: JobConfig): readonly ConfigProblem[] {
  try {
    validateJobConfig(config);
    return [];
  } catch (error) {
    if (!(error instanceof InvalidJobConfigError)) throw error;
    return error.problems;
  }
}

/** The cleanup runs on the relay job's items (same count and parameters), so each deletes in the scope it relays. */
function cleanupJobOf(job: JobConfig, cron: string): JobConfig {
  return {
    jobName: `${job.jobName}-cleanup`, cron, timeZone: job.timeZone, shardingTotalCount: job.shardingTotalCount,
    jobParameter: job.jobParameter, shardingItemParameters: job.shardingItemParameters, overwrite: true,
  };
}

function connectionOf(entry: RelayServiceFile['databases'][number], wakeup: RelayServiceFile['wakeup']): DatabaseConnection {
  const dialect = entry.dialect ?? 'mysql';
  return {
    dialect, host: entry.host, port: entry.port ?? DEFAULT_PORTS[dialect], user: entry.user, password: entry.password, database: entry.database,
    connectionLimit: entry.connectionLimit ?? DEFAULT_CONNECTION_LIMIT + (listens(wakeup, dialect) ? 1 : 0),
  };
}

/** The history's own database, or a small pool of the first outbox database (undefined without one: already a problem). */
function historyOf(entry: true | HistoryEntry, firstDatabase: DatabaseConnection | undefined): RelayHistoryConfig | undefined {
  const { database, ...options } = entry === true ? {} : entry;
  const connection = database
    ? { ...connectionOf(database, undefined), connectionLimit: database.connectionLimit ?? HISTORY_CONNECTION_LIMIT }
    : firstDatabase && { ...firstDatabase, connectionLimit: HISTORY_CONNECTION_LIMIT };
  return connection && { database: connection, options };
}

/** What JobHistory rejects, each option judged on its own so that every bad one is reported. */
function historyProblems(options: RelayHistoryConfig['options']): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  for (const [key, value] of Object.entries(options)) {
    try {
      checkJobHistoryOptions({ [key]: value });
    } catch (error) {
      if (!(error instanceof InvalidHistoryConfigError)) throw error;
      problems.push({ field: `history.${error.field}`, value: error.value, message: error.reason });
    }
  }
  return problems;
}

/** Whether the wakeup LISTENs, which holds one connection of each database's pool for as long as the service runs. */
function listens(wakeup: RelayServiceFile['wakeup'], dialect: DatabaseDialect): boolean {
  if (!wakeup) return false;
  const mode = (wakeup === true ? undefined : wakeup.mode) ?? (dialect === 'postgres' ? 'notify' : 'poll');
  return mode === 'notify';
}

/** Stands in for the relay job while the scheduler only checks the instance id; never run. */
const CHECK_ONLY_JOB: SimpleJob = { execute: () => Promise.reject(new Error('a config check runs nothing')) };

/** Stands in for the Kafka sink while createOutbox only checks relay options; never sent to. */
const CHECK_ONLY_SINK: MessageSink = {
  send: () => Promise.reject(new Error('a config check sends nothing')),
  close: async () => undefined,
};

/**
 * What createOutbox rejects. It stops at the first bad option, so it is asked once for the table,
 * partitioning and clusters, once more for each relay and wakeup option on its own (with the
 * option it depends on, if any), and once for the cleanup: a bad partition count, page size,
 * backoff, poll interval and retention are all reported.
 */
async function outboxProblems(outbox: Omit<OutboxConfig, 'databases'>, databases: readonly DatabaseConnection[]): Promise<ConfigProblem[]> {
  // Pools open no connection until a query: these only let createOutbox count and type the databases.
  const { pools, end } = await openDatabasePools(databases);
  const { relay, cleanup, wakeup, ...base } = outbox;
  // On or off alone cannot be wrong; only the options can.
  const wakeupOptions = typeof wakeup === 'object' ? wakeup : {};
  const attempts: Array<{ config: Omit<OutboxConfig, 'databases'>; prefix: string }> = [
    { config: base, prefix: '' },
    ...Object.entries(relay ?? {}).map(([key, value]) => ({
      config: { sink: CHECK_ONLY_SINK, relay: { [key]: value }, ...(key === 'perKeyOrdering' ? { partitioning: base.partitioning } : {}) },
      prefix: 'relay.',
    })),
    ...Object.entries(wakeupOptions).map(([key, value]) => ({
      // The longest poll wait is judged against the shortest, which the file may set.
      config: { sink: CHECK_ONLY_SINK, wakeup: { [key]: value, ...(key === 'pollMaxMs' && wakeupOptions.pollMinMs !== undefined ? { pollMinMs: wakeupOptions.pollMinMs } : {}) } },
      prefix: '',
    })),
    ...(cleanup ? [{ config: { sink: CHECK_ONLY_SINK, cleanup }, prefix: 'cleanup.' }] : []),
  ];
  const problems: ConfigProblem[] = [];
  try {
    for (const { config, prefix } of attempts) {
      try {
        createOutbox({ ...config, databases: pools });
      } catch (error) {
        if (!(error instanceof InvalidOutboxConfigError)) throw error;
        const field = outboxField(error.field, prefix);
        problems.push({ field, value: error.value, message: error.message.replace(`Invalid outbox option ${error.field}: `, '') });
      }
    }
  } finally {
    await end();
  }
  return problems;
}

/** The file path of a field createOutbox names: the partitioning names its options without their parent. */
function outboxField(field: string, prefix: string): string {
  if (field === 'partitions' || field === 'tables') return `partitioning.${field}`;
  const topLevel = ['clusters', 'rocketmqClusters', 'table', 'columns', 'states', 'partitioning', 'databases'];
  return topLevel.some((name) => field === name || field.startsWith(`${name}.`)) ? field : `${prefix}${field}`;
}

/** The reason alone, without the prefix repeating the field and its value. */
function registryReason(error: InvalidRegistryConfigError): string {
  const shown = typeof error.value === 'string' ? JSON.stringify(error.value) : String(error.value);
  const prefix = `Invalid registry option ${error.field} = ${shown}: `;
  return error.message.startsWith(prefix) ? error.message.slice(prefix.length) : error.message;
}

function isGiven(document: unknown, key: string): boolean {
  return typeof document === 'object' && document !== null && (document as Record<string, unknown>)[key] != null;
}

/** Whether two field paths are the same field or one holds the other: one problem per field is enough. */
function overlaps(a: string, b: string): boolean {
  const within = (inner: string, outer: string): boolean => inner === outer || inner.startsWith(`${outer}.`) || inner.startsWith(`${outer}[`);
  return within(a, b) || within(b, a);
}
