import { OUTBOX_TABLE_USAGE, RECORD_FILTER_USAGE } from '@shardflow/outbox-relay';
import { CONNECTION_USAGE } from '../connection/connection-settings.js';

const COMMON = `Every command: --json (machine-readable output), --help, --version.
Exit status: 0 done, 1 failed, 2 usage error (the message names the flag; nothing was connected).`;

export const MAIN_USAGE = `Usage: shardflow <command> [arguments] [flags]

Jobs (ZooKeeper):
  jobs                                   the jobs of the namespace
  job <name>                             one job: config, leader, instances, shard map, last runs
  trigger <job>                          run every item once, now
  enable|disable <job> [--instance ID | --item N]
  config set <job> field=value ...       e.g. cron='0 */5 * * * ?' shardingTotalCount=8
  remove <job>                           delete a job's nodes (refused while instances run)
History (MySQL or PostgreSQL, the tables @shardflow/history writes):
  history <job> [--limit N]              the job's latest executions, newest first
  history <job> --task ID                the states one run went through (its TASK column)
Outbox (MySQL):
  outbox backlog [--by-item]             pending, retrying, dead, oldest pending age
  outbox dead list|count|replay          dead rows, by filter
Console:
  console [--port 8080] [--host 127.0.0.1] [--read-only]

Run 'shardflow <command> --help' for a command's flags.
${COMMON}

${CONNECTION_USAGE}`;

export const COMMAND_USAGE: Readonly<Record<string, string>> = {
  jobs: 'Usage: shardflow jobs\n  Lists the jobs of the namespace: state, cron, items, instances, leader, next fire, last run, failures in the last hour.',
  job: 'Usage: shardflow job <name>\n  The job\'s config, leader, instances (host, pid, started, disabled) and shard map (owner, epoch, running since, disabled, last run).',
  trigger: 'Usage: shardflow trigger <job>\n  Every instance runs its items once, now.',
  enable: 'Usage: shardflow enable <job> [--instance ID | --item N]\n  Enables the job, or one instance (it is given items again), or one item (it runs at fires again).',
  disable: 'Usage: shardflow disable <job> [--instance ID | --item N]\n  Disables the job (no instance fires), an instance (it keeps running, is given no items) or an item (skipped at every fire).',
  config: 'Usage: shardflow config set <job> field=value ...\n  Changes the stored config; validated as a whole as at start (errors name the field), nothing is written on error.\n  Fields: cron, timeZone, shardingTotalCount, shardingItemParameters, jobParameter, disabled, failover, misfire,\n  maxConcurrentItems, itemTimeoutMs, maxBatchesPerTrigger, maxTimePerTriggerMs, description, ...',
  remove: 'Usage: shardflow remove <job>\n  Deletes every node of the job; refused while instances of it are registered.',
  history: 'Usage: shardflow history <job> [--limit N]\n       shardflow history <job> --task ID\n  The job\'s latest executions (default 20, at most 10 000), newest first, merged from every --db that\n  holds the history tables; with --task, the states of that run (TASK_RUNNING, then TASK_FINISHED,\n  TASK_ERROR or TASK_KILLED), oldest first. "not enabled" (exit 0) when no --db holds the tables.',
  'outbox backlog': 'Usage: shardflow outbox backlog [--by-item]\n  Pending, retrying and dead rows and the oldest pending age, per cluster; --by-item per relay item too\n  (needs --relay-job and the registry). Counts stop at 100 000 per cluster and table, shown with a +.',
  'outbox dead': `Usage: shardflow outbox dead <list|count|replay> [filters]

Which dead rows (all given filters apply together):
${RECORD_FILTER_USAGE}

  list:   --limit N (default 100)
  replay: back to pending with a fresh retry budget; needs a filter, or --all for every dead row
The table flags, as for the relay:
${OUTBOX_TABLE_USAGE}`,
  console: 'Usage: shardflow console [--port 8080] [--host 127.0.0.1] [--read-only]\n  The web console. Any host but loopback needs SHARDFLOW_CONSOLE_TOKEN (or SHARDFLOW_CONSOLE_USER and\n  SHARDFLOW_CONSOLE_PASSWORD) in the environment; --read-only refuses every change.',
};

export function commandUsage(key: string): string {
  return `${COMMAND_USAGE[key] ?? MAIN_USAGE}\n\n${COMMON}\nConnection flags: see 'shardflow --help'.`;
}
