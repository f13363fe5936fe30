import { parseArgs } from 'node:util';
import { InvalidRelayServiceConfigError } from '../errors/invalid-relay-service-config-error.js';
import { loadRelayServiceConfig } from '../service/load-relay-service-config.js';
import { RelayService } from '../service/relay-service.js';
import type { CliOutput } from './dead-rows-cli.js';

export const RELAY_USAGE = `Usage: shardflow-outbox relay --config relay.yaml [--check]

Runs the outbox relay as a service: one instance of the sharded relay job per process, started
with the same file on every machine (docs/deployment.md describes the file).

  --config FILE   the YAML config; secrets as \${NAME} (environment) or <name>File (a file path)
  --check         validate the file, print every problem with its field and value, and exit`;

/** Resolves with the signal that asks the service to stop. */
export type StopSignal = Promise<string>;

/**
 * `shardflow-outbox relay`: returns the exit code: 0 checked or stopped cleanly, 2 a bad command
 * line or config file (every problem printed), 1 the service could not start or stop. It prints
 * one JSON object a line on `out`: the events of the service.
 */
export async function runRelayCli(argv: readonly string[], output: CliOutput, stopSignal: StopSignal): Promise<number> {
  let values: { config?: string; check?: boolean; help?: boolean };
  try {
    ({ values } = parseArgs({ args: [...argv], strict: true, options: { config: { type: 'string' }, check: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } } }));
  } catch (error) {
    output.err(`${(error as Error).message}\n\n${RELAY_USAGE}`);
    return 2;
  }
  if (values.help) {
    output.out(RELAY_USAGE);
    return 0;
  }
  if (values.config === undefined) {
    output.err(`--config is required\n\n${RELAY_USAGE}`);
    return 2;
  }
  let config: Awaited<ReturnType<typeof loadRelayServiceConfig>>;
  try {
    config = await loadRelayServiceConfig(values.config);
  } catch (error) {
    if (!(error instanceof InvalidRelayServiceConfigError)) throw error;
    output.err(error.message);
    return 2;
  }
  if (values.check) {
    output.out(`${values.config}: ok (job ${config.job.jobName}, ${config.job.shardingTotalCount} items, ${config.databases.length} database(s), clusters ${[...Object.keys(config.outbox.clusters ?? {}), ...Object.keys(config.outbox.rocketmqClusters ?? {})].join(', ')})`);
    return 0;
  }
  const log = (event: string, fields: Record<string, unknown> = {}): void => output.out(JSON.stringify({ at: new Date().toISOString(), event, ...fields }));
  let service: RelayService;
  try {
    service = await RelayService.start(config, log);
  } catch (error) {
    output.err(`shardflow-outbox relay: cannot start: ${(error as Error).message}`);
    return 1;
  }
  log('signal', { signal: await stopSignal });
  try {
    await service.stop();
    return 0;
  } catch (error) {
    output.err(`shardflow-outbox relay: hand-over failed: ${(error as Error).message}`);
    return 1;
  }
}
