import { integerFlag, parseRecordFilterFlags, type DeadRecord } from '@shardflow/outbox-relay';
import { InvalidOpsArgumentError } from '../errors/invalid-ops-argument-error.js';
import type { OpsConnection } from '../connection/open-connection.js';
import type { ClusterBacklog, ItemBacklog, OutboxAdmin } from '../outbox/outbox-admin.js';
import { relayItems } from '../outbox/relay-items.js';
import { printJson, type CliCommand, type CliIo } from './cli-command.js';
import { formatDuration, formatTable, formatTime } from './format-table.js';

/** `list` holds and prints every row it reads: a bound that still fits in memory. */
const MAX_LIST_LIMIT = 1_000_000;
const DEAD_ACTIONS = ['list', 'count', 'replay'] as const;

function outboxOf(connection: OpsConnection): OutboxAdmin {
  if (!connection.outbox) throw new InvalidOpsArgumentError('--db', undefined, 'is required for outbox commands');
  return connection.outbox;
}

const backlog: CliCommand = {
  usageKey: 'outbox backlog',
  flags: ['by-item'],
  matches: (positionals) => positionals[0] === 'outbox' && positionals[1] === 'backlog',
  needs: (values) => ({ jobs: values['by-item'] ?? false, outbox: true }),
  prepare: (positionals, values) => {
    if (positionals.length > 2) throw new InvalidOpsArgumentError('arguments', positionals.slice(2).join(' '), "are not taken by 'outbox backlog'");
    const byItem = values['by-item'] ?? false;
    return async (connection, io, json) => {
      const admin = outboxOf(connection);
      const clusters = await admin.backlog();
      let items: ItemBacklog[] | undefined;
      if (byItem) {
        if (!connection.relayJob || !connection.jobs) throw new InvalidOpsArgumentError('--relay-job', undefined, 'is required with --by-item (with --zk and --namespace)');
        items = await admin.backlogByItem(relayItems(await connection.jobs.describeJob(connection.relayJob)));
      }
      if (json) printJson(io, items ? { clusters, items } : { clusters });
      else printBacklog(io, clusters, items);
      return 0;
    };
  },
};

const dead: CliCommand = {
  usageKey: 'outbox dead',
  flags: ['id', 'key', 'topic', 'cluster', 'from', 'to', 'limit', 'all'],
  matches: (positionals) => positionals[0] === 'outbox' && positionals[1] === 'dead',
  needs: () => ({ jobs: false, outbox: true }),
  prepare: (positionals, values) => {
    const [, , action, ...rest] = positionals;
    if (!DEAD_ACTIONS.includes(action as (typeof DEAD_ACTIONS)[number]) || rest.length > 0) {
      throw new InvalidOpsArgumentError('outbox dead', positionals.slice(2).join(' '), `takes one of ${DEAD_ACTIONS.join(', ')}`);
    }
    const filter = parseRecordFilterFlags(values);
    if (action === 'replay' && Object.keys(filter).length === 0 && !values.all) {
      throw new InvalidOpsArgumentError('--all', undefined, 'is required to replay every dead row; or give a filter (--id, --key, --topic, --cluster, --from, --to)');
    }
    if (values.limit !== undefined && action !== 'list') throw new InvalidOpsArgumentError('--limit', values.limit, "is a flag of 'outbox dead list' only");
    if (values.all !== undefined && action !== 'replay') throw new InvalidOpsArgumentError('--all', undefined, "is a flag of 'outbox dead replay' only");
    const limit = values.limit === undefined ? 100 : integerFlag('--limit', values.limit, 1, MAX_LIST_LIMIT);
    return async (connection, io, json) => {
      const admin = outboxOf(connection);
      if (action === 'list') {
        const rows = await admin.listDead(filter, limit);
        if (json) printJson(io, rows);
        else printDead(io, rows);
      } else if (action === 'count') {
        const count = await admin.countDead(filter);
        if (json) printJson(io, { dead: count });
        else io.out(String(count));
      } else {
        const replayed = await admin.replayDead(filter);
        if (json) printJson(io, { replayed });
        else io.out(`replayed ${replayed} dead row${replayed === 1 ? '' : 's'}`);
      }
      return 0;
    };
  },
};

export const OUTBOX_COMMANDS: readonly CliCommand[] = [backlog, dead];

function count(value: number, capped: boolean): string {
  return capped ? `${value}+` : String(value);
}

function backlogRow(label: string, backlog: Omit<ClusterBacklog, 'cluster'>): string[] {
  return [label, count(backlog.pending, backlog.capped), count(backlog.retrying, backlog.capped), count(backlog.dead, backlog.capped), backlog.pending > 0 ? formatDuration(backlog.oldestPendingAgeMs) : '-'];
}

function printBacklog(io: CliIo, clusters: readonly ClusterBacklog[], items: readonly ItemBacklog[] | undefined): void {
  for (const line of formatTable(['CLUSTER', 'PENDING', 'RETRYING', 'DEAD', 'OLDEST PENDING'], clusters.map((cluster) => backlogRow(cluster.cluster, cluster)))) io.out(line);
  if (!items) return;
  io.out('');
  for (const line of formatTable(['ITEM', 'PENDING', 'RETRYING', 'DEAD', 'OLDEST PENDING'], items.map((item) => backlogRow(String(item.item), item)))) io.out(line);
}

function printDead(io: CliIo, rows: readonly DeadRecord[]): void {
  const lines = rows.map((row) => [
    String(row.id), String(row.database), row.table, row.cluster, row.topic, row.key, String(row.retryCount), formatTime(row.createTime), (row.lastError ?? '').slice(0, 80),
  ]);
  for (const line of formatTable(['ID', 'DB', 'TABLE', 'CLUSTER', 'TOPIC', 'KEY', 'RETRIES', 'CREATED', 'LAST ERROR'], lines)) io.out(line);
  io.out(`${rows.length} dead row${rows.length === 1 ? '' : 's'}`);
}
