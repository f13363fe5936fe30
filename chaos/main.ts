/**
 * `npm run chaos`: proves (or disproves) the relay's promises under faults, with real processes.
 * ZooKeeper, two Kafka clusters and a fresh MySQL database through the testkit; three relay
 * processes of examples/user-register-relay; rows inserted for both clusters all along; the fault
 * schedule of fault-schedule.ts. Then the backlog drains (bounded), the relays stop, an independent
 * consumer counts every outbox id in Kafka, and the run logs are checked for overlaps.
 * Exit 0 when nothing was lost, nothing overlapped, no run sent after losing its session and no row
 * died of the outage; 1 otherwise; 2 on a bad option. See docs/reliability.md.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { createOutbox } from '@shardflow/outbox-relay';
import { migrate } from '../examples/user-register-relay/src/database.js';
import { readEnvironment } from '../examples/user-register-relay/src/environment.js';
import { openBenchServices, type BenchServices } from '../bench/support/bench-services.js';
import { countDeliveredIds } from './delivered-ids.js';
import { failoverTimes } from './failover-times.js';
import { faultSchedule, type Fault } from './fault-schedule.js';
import { MysqlConnectionKiller } from './mysql-connection-killer.js';
import { ChaosOptionError, parseChaosOptions, type ChaosOptions } from './options.js';
import { auditOutbox, describeRows, pendingCount } from './outbox-audit.js';
import { findOverlaps } from './overlaps.js';
import { RelayFleet } from './relay-fleet.js';
import { judge, printReport } from './report.js';
import { RowFeeder } from './row-feeder.js';
import { readRunLog } from './run-logs.js';
import { seededRandom } from './seeded-random.js';
import { findStaleSends } from './stale-sends.js';

const CLUSTERS = ['cluster_a', 'cluster_b'];
const SLOTS = ['relay-1', 'relay-2', 'relay-3'];
/**
 * The example's session timeout and page; retries and backoff cap low enough that the outage
 * outlasts them many times over: a relay that charged the outage to the rows parks them within
 * seconds, and any such row fails the run.
 */
const RELAY = { sessionTimeoutMs: 4_000, maxRetries: 2, backoffCapMs: 1_000 };
const DRAIN_TIMEOUT_MS = 180_000;

const started = Date.now();
const say = (line: string): void => console.log(`[chaos +${((Date.now() - started) / 1000).toFixed(1)}s] ${line}`);

function revision(): string {
  try {
    const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], { encoding: 'utf8' }).trim() !== '';
    return dirty ? `${commit} (with uncommitted changes)` : commit;
  } catch {
    return 'unknown';
  }
}

async function run(options: ChaosOptions, cleanups: Array<() => Promise<void>>): Promise<number> {
  const durationMs = Math.round(options.minutes * 60_000);
  const random = seededRandom(options.seed);
  const schedule = faultSchedule({ durationMs, ...RELAY, clusters: CLUSTERS }, random);
  say(`${options.minutes} min of chaos, ${options.rowsPerSecond} rows/s, seed ${options.seed}; starting ZooKeeper, Kafka ${CLUSTERS.join(', ')} and a database`);

  const bench: BenchServices = await openBenchServices(CLUSTERS, 'chaos');
  // The database of a failed run stays, for a look at the rows the report names.
  let keepDatabase = false;
  cleanups.push(async () => {
    await bench.pool.end();
    if (!keepDatabase) await bench.database.drop();
    await bench.services.stopAll();
  });
  for (const cluster of CLUSTERS) {
    if (!bench.services.kafka.has(cluster)) throw new Error(`Kafka ${cluster} is named by SHARDFLOW_KAFKA; the outage needs clusters started here: unset SHARDFLOW_KAFKA`);
  }
  const { name: database, config } = bench.database;
  const { database: _selected, ...server } = config;
  const killer = await MysqlConnectionKiller.open(server, database);
  cleanups.push(() => killer.close());
  killer.spare(bench.pool);
  const topic = `chaos-${database}`;
  const env: Record<string, string> = {
    ...bench.services.env,
    SHARDFLOW_EXAMPLE_DB: database,
    SHARDFLOW_EXAMPLE_NAMESPACE: `chaos-${database}`,
    SHARDFLOW_EXAMPLE_TOPIC: topic,
    RELAY_SESSION_TIMEOUT_MS: String(RELAY.sessionTimeoutMs),
    RELAY_MAX_RETRIES: String(RELAY.maxRetries),
    RELAY_BACKOFF_CAP_MS: String(RELAY.backoffCapMs),
  };
  await migrate(readEnvironment({ ...process.env, ...env }));

  const logDir = mkdtempSync(join(tmpdir(), 'shardflow-chaos-'));
  const fleet = new RelayFleet(SLOTS, env, logDir);
  cleanups.push(() => fleet.stop());
  await fleet.start();
  say(`${SLOTS.length} relays ready; run logs in ${logDir}`);

  const outbox = createOutbox({ databases: [bench.pool], clusters: Object.fromEntries(CLUSTERS.map((name) => [name, { brokers: [bench.services.addresses.kafka[name] as string] }])) });
  cleanups.push(() => outbox.close());
  const feeder = new RowFeeder(bench.pool, outbox.writer, topic, CLUSTERS, options.rowsPerSecond);
  feeder.start();

  const counts = { kills: 0, freezes: 0, mysqlConnectionsKilled: 0, outages: [] as string[] };
  const background = new Set<Promise<void>>();
  const inBackground = (task: Promise<void>): void => {
    const tracked = task.catch((error: unknown) => say(`fault failed: ${(error as Error).message}`)).finally(() => background.delete(tracked));
    background.add(tracked);
  };
  const fire = (fault: Fault): void => {
    switch (fault.kind) {
      case 'kill': {
        const victim = fleet.kill(random);
        if (victim) counts.kills += 1;
        return;
      }
      case 'freeze':
        inBackground(fleet.freeze(random, fault.forMs).then((victim) => {
          if (!victim) return;
          counts.freezes += 1;
          say(`SIGSTOP ${victim} for ${fault.forMs} ms`);
        }));
        return;
      case 'mysql-kill':
        inBackground(killer.killRelayConnections().then((n) => void (counts.mysqlConnectionsKilled += n)));
        return;
      case 'outage': {
        const cluster = bench.services.kafka.get(fault.cluster);
        if (!cluster) throw new Error(`no Kafka cluster ${fault.cluster}`);
        inBackground((async () => {
          await cluster.stop();
          const from = Date.now();
          say(`Kafka ${fault.cluster} stopped for ${fault.forMs} ms`);
          await sleep(fault.forMs);
          await cluster.start();
          counts.outages.push(`${fault.cluster} down ${((Date.now() - from) / 1000).toFixed(1)} s`);
          say(`Kafka ${fault.cluster} back after ${((Date.now() - from) / 1000).toFixed(1)} s`);
        })());
        return;
      }
    }
  };

  const chaosStart = Date.now();
  const progress = setInterval(() => say(`inserted ${feeder.inserted}, SIGKILL ${counts.kills}, SIGSTOP ${counts.freezes}, MySQL KILL ${counts.mysqlConnectionsKilled}`), 15_000);
  for (const fault of schedule) {
    const wait = chaosStart + fault.at - Date.now();
    if (wait > 0) await sleep(wait);
    fire(fault);
  }
  const rest = chaosStart + durationMs - Date.now();
  if (rest > 0) await sleep(rest);
  clearInterval(progress);
  await feeder.stop();
  // A freeze still aiming, the broker restart and the last KILLs finish first; then nothing stays frozen.
  await Promise.all([...background]);
  fleet.resumeAll();
  say(`chaos over: ${feeder.inserted} rows inserted; waiting for the relays and the backlog (at most ${DRAIN_TIMEOUT_MS / 1000} s)`);

  await fleet.allReady(60_000);
  const drainDeadline = Date.now() + DRAIN_TIMEOUT_MS;
  let pending = await pendingCount(bench.pool);
  while (pending > 0 && Date.now() < drainDeadline) {
    await sleep(1_000);
    pending = await pendingCount(bench.pool);
  }
  say(pending === 0 ? 'backlog drained; stopping the relays' : `${pending} rows still pending; stopping the relays`);
  await fleet.stop();

  say('counting outbox ids in Kafka');
  const delivered = await countDeliveredIds(bench.services.addresses.kafka, topic);
  const audit = await auditOutbox(bench.pool);
  // What was done to each process, beside its run log, for a look at the overlaps afterwards.
  writeFileSync(join(logDir, 'fleet.json'), JSON.stringify({ seed: options.seed, lives: fleet.lives, kills: fleet.kills }, null, 1));
  const logs = fleet.lives.map((life) => readRunLog(life.process, life.runLog));
  const runs = logs.flatMap((log) => log.runs);
  const figures = {
    minutes: options.minutes,
    revision: revision(),
    faults: counts,
    failedInserts: feeder.failedInserts,
    audit,
    delivered,
    drained: pending === 0,
    overlaps: findOverlaps(runs, fleet.lives, Date.now()),
    staleSends: findStaleSends(runs, fleet.lives, RELAY.sessionTimeoutMs),
    failovers: failoverTimes(fleet.kills, logs.flatMap((log) => log.assigned), runs),
    unexpectedExits: fleet.unexpectedExits,
    logDir,
  };
  const verdict = judge(figures);
  keepDatabase = verdict.failures.length > 0;
  printReport(figures, verdict, { lostRows: await describeRows(bench.pool, verdict.lost), keptDatabase: keepDatabase ? database : undefined });
  return verdict.failures.length === 0 ? 0 : 1;
}

async function main(): Promise<number> {
  let options: ChaosOptions;
  try {
    options = parseChaosOptions(process.argv.slice(2));
  } catch (error) {
    if (error instanceof ChaosOptionError) {
      console.error(error.message);
      return 2;
    }
    throw error;
  }
  const cleanups: Array<() => Promise<void>> = [];
  const cleanUp = async (): Promise<void> => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch((error: unknown) => console.error(`cleanup: ${(error as Error).message}`));
  };
  process.once('SIGINT', () => void cleanUp().finally(() => process.exit(130)));
  try {
    return await run(options, cleanups);
  } finally {
    await cleanUp();
  }
}

main().then((code) => process.exit(code), (error: unknown) => {
  console.error(error instanceof Error ? error.stack ?? error.message : error);
  process.exit(1);
});
