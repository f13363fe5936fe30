import { ShardflowError, type ConfigProblem } from '@shardflow/core';

/**
 * A relay service config file was rejected. Lists every problem found, each naming its field by
 * path (`clusters.main.brokers`, `databases[1].port`) and the value it had (secrets masked).
 */
export class InvalidRelayServiceConfigError extends ShardflowError {
  constructor(
    readonly file: string,
    readonly problems: readonly ConfigProblem[],
  ) {
    super('INVALID_RELAY_SERVICE_CONFIG', `${file}: ${problems.length} problem${problems.length === 1 ? '' : 's'}\n${problems.map(formatProblem).join('\n')}`);
  }
}

export function formatProblem(problem: ConfigProblem): string {
  return `  ${problem.field}: ${problem.message} (got ${describeValue(problem.value)})`;
}

function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (typeof value === 'string') return JSON.stringify(value);
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
