import { InvalidOpsArgumentError } from '../errors/invalid-ops-argument-error.js';
import type { JobConfigPatch } from './job-admin.js';

const NUMBER_FIELDS = new Set(['shardingTotalCount', 'maxBatchesPerTrigger', 'maxTimePerTriggerMs', 'maxConcurrentItems', 'itemTimeoutMs', 'shutdownTimeoutMs']);
const BOOLEAN_FIELDS = new Set(['failover', 'misfire', 'streamingProcess', 'disabled', 'overwrite']);

/**
 * `field=value` texts (the CLI's `config set` arguments, the console's form fields) into a config
 * patch. Only the text is converted here: a number field's digits become a number, `true`/`false`
 * a boolean; anything else is passed on as typed, so core's validation rejects it with the same
 * InvalidJobConfigError, naming the field, as a bad config at start would.
 */
export function parseConfigAssignments(assignments: readonly string[]): JobConfigPatch {
  const patch: Record<string, unknown> = {};
  for (const assignment of assignments) {
    const equals = assignment.indexOf('=');
    if (equals <= 0) throw new InvalidOpsArgumentError('config', assignment, 'must be field=value, e.g. cron=0/30 * * * * ? or shardingTotalCount=4');
    const field = assignment.slice(0, equals).trim();
    if (field === 'jobName') throw new InvalidOpsArgumentError('jobName', assignment, "cannot be changed: it is the job's identity");
    if (field in patch) throw new InvalidOpsArgumentError(field, assignment, 'is given twice');
    patch[field] = convert(field, assignment.slice(equals + 1));
  }
  return patch as JobConfigPatch;
}

function convert(field: string, text: string): unknown {
  const trimmed = text.trim();
  if (NUMBER_FIELDS.has(field) && /^-?\d+$/.test(trimmed)) return Number(trimmed);
  if (BOOLEAN_FIELDS.has(field) && (trimmed === 'true' || trimmed === 'false')) return trimmed === 'true';
  return NUMBER_FIELDS.has(field) || BOOLEAN_FIELDS.has(field) ? trimmed : text;
}
