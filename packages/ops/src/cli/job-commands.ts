import { integerFlag } from '@shardflow/outbox-relay';
import { InvalidOpsArgumentError } from '../errors/invalid-ops-argument-error.js';
import type { JobAdmin } from '../jobs/job-admin.js';
import type { JobDetails, JobSummary } from '../jobs/job-details.js';
import { parseConfigAssignments } from '../jobs/parse-config-assignments.js';
import type { OpsConnection } from '../connection/open-connection.js';
import { printJson, type CliCommand, type CliIo, type CliValues, type PreparedCommand } from './cli-command.js';
import { formatDuration, formatTable, formatTime } from './format-table.js';

const JOBS_ONLY = (): { jobs: boolean; outbox: boolean } => ({ jobs: true, outbox: false });

function jobsOf(connection: OpsConnection): JobAdmin {
  if (!connection.jobs) throw new InvalidOpsArgumentError('--zk', undefined, 'is required for job commands');
  return connection.jobs;
}

/** `<word> <job>`: exactly one job name after the command word. */
function jobArgument(word: string, positionals: readonly string[]): string {
  const [, name, ...rest] = positionals;
  if (name === undefined) throw new InvalidOpsArgumentError('<job>', undefined, `is required: shardflow ${word} <job>`);
  if (rest.length > 0) throw new InvalidOpsArgumentError('arguments', rest.join(' '), `are not taken by '${word}'`);
  return name;
}

function simple(word: string, flags: readonly string[], prepare: CliCommand['prepare']): CliCommand {
  return { usageKey: word, flags, matches: (positionals) => positionals[0] === word, prepare, needs: JOBS_ONLY };
}

const jobs = simple('jobs', [], (positionals) => {
  if (positionals.length > 1) throw new InvalidOpsArgumentError('arguments', positionals.slice(1).join(' '), "are not taken by 'jobs'");
  return async (connection, io, json) => {
    const list = await jobsOf(connection).listJobs();
    if (json) printJson(io, list);
    else printJobs(io, list);
    return 0;
  };
});

const job = simple('job', [], (positionals) => {
  const name = jobArgument('job', positionals);
  return async (connection, io, json) => {
    const details = await jobsOf(connection).describeJob(name);
    if (json) printJson(io, details);
    else printJob(io, details);
    return 0;
  };
});

/** `<word> <job>`: one action on one job, reported as `{ job, <pastTense>: true }` or as `<pastTense> <job>`. */
function jobAction(word: string, pastTense: string, act: (admin: JobAdmin, name: string) => Promise<unknown>): CliCommand {
  return simple(word, [], (positionals) => {
    const name = jobArgument(word, positionals);
    return async (connection, io, json) => {
      await act(jobsOf(connection), name);
      done(io, json, { job: name, [pastTense]: true }, `${pastTense} ${name}`);
      return 0;
    };
  });
}

const trigger = jobAction('trigger', 'triggered', (admin, name) => admin.trigger(name));

function toggle(word: 'enable' | 'disable'): CliCommand {
  const enabled = word === 'enable';
  return simple(word, ['instance', 'item'], (positionals, values: CliValues) => {
    const name = jobArgument(word, positionals);
    if (values.instance !== undefined && values.item !== undefined) throw new InvalidOpsArgumentError('--item', values.item, 'give --instance or --item, not both');
    const item = values.item === undefined ? undefined : integerFlag('--item', values.item, 0, 9_999);
    return async (connection, io, json) => {
      const admin = jobsOf(connection);
      if (values.instance !== undefined) {
        await admin.setInstanceEnabled(name, values.instance, enabled);
        done(io, json, { job: name, instance: values.instance, enabled }, `${word}d instance ${values.instance} of ${name}`);
      } else if (item !== undefined) {
        await admin.setItemEnabled(name, item, enabled);
        done(io, json, { job: name, item, enabled }, `${word}d item ${item} of ${name}`);
      } else {
        await admin.setJobEnabled(name, enabled);
        done(io, json, { job: name, enabled }, `${word}d ${name}`);
      }
      return 0;
    };
  });
}

const configSet: CliCommand = {
  usageKey: 'config',
  flags: [],
  matches: (positionals) => positionals[0] === 'config',
  needs: JOBS_ONLY,
  prepare: (positionals): PreparedCommand => {
    const [, action, name, ...assignments] = positionals;
    if (action !== 'set') throw new InvalidOpsArgumentError('config', action, "takes the action 'set': shardflow config set <job> field=value ...");
    if (name === undefined) throw new InvalidOpsArgumentError('<job>', undefined, 'is required: shardflow config set <job> field=value ...');
    if (assignments.length === 0) throw new InvalidOpsArgumentError('field=value', undefined, 'give at least one, e.g. cron=\'0 */5 * * * ?\'');
    const patch = parseConfigAssignments(assignments);
    return async (connection, io, json) => {
      const config = await jobsOf(connection).updateConfig(name, patch);
      done(io, json, config, `updated ${name}: ${Object.keys(patch).map((field) => `${field}=${JSON.stringify((config as unknown as Record<string, unknown>)[field])}`).join(' ')}`);
      return 0;
    };
  },
};

const remove = jobAction('remove', 'removed', (admin, name) => admin.removeJob(name));

export const JOB_COMMANDS: readonly CliCommand[] = [jobs, job, trigger, toggle('enable'), toggle('disable'), configSet, remove];

function done(io: CliIo, json: boolean, value: unknown, text: string): void {
  if (json) printJson(io, value);
  else io.out(text);
}

function printJobs(io: CliIo, list: readonly JobSummary[]): void {
  const rows = list.map((entry) => [
    entry.name, entry.state, entry.cron, String(entry.shardingTotalCount), String(entry.instances), entry.leader ?? '-',
    formatTime(entry.nextFireTime), entry.lastRun ? `${entry.lastRun.result} ${formatTime(entry.lastRun.finishedAt)}` : '-', String(entry.recentFailures),
  ]);
  for (const line of formatTable(['JOB', 'STATE', 'CRON', 'ITEMS', 'INSTANCES', 'LEADER', 'NEXT FIRE', 'LAST RUN', 'FAILED 1H'], rows)) io.out(line);
  io.out(`${list.length} job${list.length === 1 ? '' : 's'}`);
}

function printJob(io: CliIo, details: JobDetails): void {
  const { config } = details;
  io.out(`${details.name}: ${details.state}, leader ${details.leader ?? '-'}, generation ${details.generation ?? '-'}, next fire ${formatTime(details.nextFireTime)}`);
  io.out(`cron ${config.cron} (${config.timeZone}), ${config.shardingTotalCount} items, failover ${config.failover}, misfire ${config.misfire}, parameter '${config.jobParameter ?? ''}'`);
  io.out('');
  const instances = details.instances.map((instance) => [
    instance.id, instance.host ?? '-', instance.pid === undefined ? '-' : String(instance.pid), instance.version ?? '-', formatTime(instance.startedAt),
    instance.leader ? 'yes' : '', instance.disabled ? 'yes' : '', instance.items.join(',') || '-',
  ]);
  for (const line of formatTable(['INSTANCE', 'HOST', 'PID', 'VERSION', 'STARTED', 'LEADER', 'DISABLED', 'ITEMS'], instances)) io.out(line);
  io.out('');
  const shards = details.shards.map((shard) => [
    String(shard.item), shard.owner ?? '-', shard.epoch === undefined ? '-' : String(shard.epoch),
    shard.running ? `${shard.running.instance} since ${formatTime(shard.running.since)}` : '-', shard.disabled ? 'yes' : '',
    shard.lastRun ? `${shard.lastRun.result} ${formatTime(shard.lastRun.finishedAt)} ${formatDuration(shard.lastRun.durationMs)}` : '-',
  ]);
  for (const line of formatTable(['ITEM', 'OWNER', 'EPOCH', 'RUNNING', 'DISABLED', 'LAST RUN'], shards)) io.out(line);
}
