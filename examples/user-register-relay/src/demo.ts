/**
 * The one-command demo: real ZooKeeper and Kafka (started here unless SHARDFLOW_* name existing
 * ones) and MySQL, or PostgreSQL when SHARDFLOW_DATABASE_URL is a postgres:// URL, the account service, 3 relay instances and the coupon and points consumers, each
 * its own OS process. Users register at a steady rate; halfway one relay is killed with SIGKILL and
 * its items fail over. At the end every user must have exactly one coupon and one points grant.
 *
 * Options: --users N (default 600), --rate N per second (default 15), --keep (keep the database).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { startServices, type StartedServices } from '@shardflow/testkit';
import { dropDatabase, migrate, openDatabase, type ExampleDatabase } from './database.js';
import { JOB_NAME, readEnvironment, type ExampleEnvironment } from './environment.js';
import { LIVE_VIEW_LINES, renderLiveView } from './live-view.js';
import { startDemoConsole } from './ops-console.js';

const args = process.argv.slice(2);
const option = (name: string, fallback: number): number => {
  const index = args.indexOf(`--${name}`);
  const value = index >= 0 ? Number(args[index + 1]) : fallback;
  if (!Number.isFinite(value) || value <= 0) throw new Error(`--${name} must be a positive number, got '${args[index + 1] ?? ''}'`);
  return value;
};
const USERS = option('users', 600);
const RATE = option('rate', 15);
const KEEP = args.includes('--keep');
const RELAYS = ['relay-1', 'relay-2', 'relay-3'];
const here = (file: string): string => fileURLToPath(new URL(file, import.meta.url));
const children = new Map<string, ChildProcess>();
const owners = new Map<string, readonly number[]>();
const failovers: string[] = [];
const KILLED = 'relay-2';
let killedAt: number | undefined;
const tty = process.stdout.isTTY;

function start(name: string, script: string, env: Record<string, string>): Promise<void> {
  const child = spawn(process.execPath, ['--conditions=@shardflow/source', '--import', 'tsx', here(script)], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.set(name, child);
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve, reject) => {
    let buffered = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const line of lines) {
        if (line.startsWith('ready') || line.includes('"event":"ready"')) resolve();
        if (line.startsWith('{')) onRelayEvent(name, JSON.parse(line) as { event: string; items?: number[]; item?: number });
      }
    });
    child.once('exit', (code, signal) => {
      if (signal !== 'SIGKILL' && signal !== 'SIGTERM') reject(new Error(`${name} exited (${code ?? signal}): ${stderr.slice(-2000)}`));
    });
  });
}

function onRelayEvent(name: string, event: { event: string; items?: number[]; item?: number }): void {
  if (event.event === 'items') {
    owners.set(name, event.items ?? []);
    if (killedAt !== undefined && name !== KILLED) {
      for (const item of event.items ?? []) {
        if ((owners.get(KILLED) ?? []).includes(item)) failovers.push(`item ${item}: ${KILLED} -> ${name} ${((Date.now() - killedAt) / 1000).toFixed(1)} s after the kill`);
      }
    }
  }
  if (event.event === 'failover') failovers.push(`${name} resumed interrupted item ${event.item} at once`);
}

async function stopAll(services: StartedServices | undefined): Promise<void> {
  for (const child of children.values()) if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
  await sleep(1_500);
  for (const child of children.values()) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  await services?.stopAll();
}

async function main(): Promise<number> {
  let services: StartedServices | undefined;
  // Set once the demo's own database may exist: from then on, any end drops it (unless --keep).
  let created: ExampleEnvironment | undefined;
  let database: ExampleDatabase | undefined;
  let opsConsole: { url: string; close(): Promise<void> } | undefined;
  try {
    // SHARDFLOW_DATABASE_URL names the database server; without it, the testkit checks MySQL's.
    const namedDatabase = Boolean(process.env['SHARDFLOW_DATABASE_URL']);
    console.log(`Starting ZooKeeper, Kafka${namedDatabase ? '' : ' and checking MySQL'} (or using SHARDFLOW_* services)...`);
    services = await startServices({ kafkaClusters: ['cluster_a'], mysql: !namedDatabase, log: (line) => console.log(`  ${line}`) });
    const name = `shardflow_demo_${Date.now().toString(36)}`;
    const env = { ...services.env, SHARDFLOW_EXAMPLE_DB: name, SHARDFLOW_EXAMPLE_TOPIC: `user-registered-${name}`, SHARDFLOW_EXAMPLE_NAMESPACE: `demo-${name}` };
    const environment = readEnvironment({ ...process.env, ...env });
    created = environment;
    console.log(`Database ${name} on ${environment.databaseKind === 'postgres' ? 'PostgreSQL' : 'MySQL'} (dropped at the end, also on failure, unless --keep)`);
    await migrate(environment);
    const queries = await openDatabase(environment, 4);
    database = queries;
    const port = 18_000 + Math.floor(Math.random() * 2_000);
    await Promise.all([
      start('account-service', './account-service.ts', { ...env, PORT: String(port) }),
      start('coupon', './consumer.ts', { ...env, CONSUMER: 'coupon' }),
      start('points', './consumer.ts', { ...env, CONSUMER: 'points' }),
      ...RELAYS.map((id) => start(id, './relay.ts', { ...env, RELAY_INSTANCE_ID: id, RELAY_HISTORY: 'on' })),
    ]);
    opsConsole = await startDemoConsole(environment, 8080);
    console.log(`Console: ${opsConsole.url}#/job/${JOB_NAME} shows the relay's shard map live, failover included, and its runs.`);
    console.log(`All processes up. Registering ${USERS} users at ${RATE}/s; one relay gets SIGKILL halfway.\n`);

    const count = async (sql: string): Promise<number> => Number((await queries.query(sql))[0]?.['n'] ?? 0);
    let registered = 0;
    let killed = false;
    const show = async (): Promise<void> => {
      const [pending, sent, coupons, points, duplicates] = await Promise.all([
        count('SELECT COUNT(*) AS n FROM msg_send_record WHERE state = 0'),
        count('SELECT COUNT(*) AS n FROM msg_send_record WHERE state = 1'),
        count('SELECT COUNT(*) AS n FROM coupon_grant'),
        count('SELECT COUNT(*) AS n FROM points_grant'),
        count('SELECT COUNT(*) AS n FROM ignored_duplicate'),
      ]);
      const lines = renderLiveView({
        registered, users: USERS, pending, sent, coupons, points, duplicatesIgnored: duplicates,
        relays: RELAYS.map((id) => ({ name: id, items: owners.get(id) ?? [], killed: killedAt !== undefined && id === KILLED })),
        failovers,
      });
      if (tty) process.stdout.write(`\x1b[2K${lines.join('\n\x1b[2K')}\n\x1b[${lines.length}A`);
      else console.log(`${lines.filter(Boolean).join('\n')}\n`);
    };
    const display = setInterval(() => void show(), tty ? 500 : 3_000);
    const started = Date.now();
    for (let i = 0; i < USERS; i++) {
      const due = started + (i * 1_000) / RATE;
      if (due > Date.now()) await sleep(due - Date.now());
      const response = await fetch(`http://127.0.0.1:${port}/users`, { method: 'POST', body: JSON.stringify({ accountNo: `user-${i}` }) });
      if (response.status !== 201) throw new Error(`registering user-${i} failed: ${response.status} ${await response.text()}`);
      registered += 1;
      if (!killed && registered >= USERS / 2) {
        killed = true;
        children.get(KILLED)?.kill('SIGKILL');
        killedAt = Date.now();
        if (!tty) console.log(`--- ${KILLED} killed with SIGKILL ---`);
      }
    }
    const deadline = Date.now() + 90_000;
    while (Date.now() < deadline) {
      const [coupons, points, pending] = await Promise.all([
        count('SELECT COUNT(*) AS n FROM coupon_grant'), count('SELECT COUNT(*) AS n FROM points_grant'), count('SELECT COUNT(*) AS n FROM msg_send_record WHERE state <> 1'),
      ]);
      // Also wait for the killed relay's items to be reassigned, so the summary can show the failover.
      if (coupons === USERS && points === USERS && pending === 0 && failovers.length > 0) break;
      await sleep(500);
    }
    clearInterval(display);
    await show();
    if (tty) process.stdout.write('\n'.repeat(LIVE_VIEW_LINES));

    const missing = async (table: string): Promise<number> =>
      count(`SELECT COUNT(*) AS n FROM user_account u LEFT JOIN ${table} g ON g.account_no = u.account_no WHERE g.outbox_id IS NULL`);
    const doubled = async (table: string): Promise<number> =>
      count(`SELECT COUNT(*) AS n FROM (SELECT account_no FROM ${table} GROUP BY account_no HAVING COUNT(*) > 1) d`);
    const summary = {
      users: await count('SELECT COUNT(*) AS n FROM user_account'),
      couponMissing: await missing('coupon_grant'),
      pointsMissing: await missing('points_grant'),
      couponTwice: await doubled('coupon_grant'),
      pointsTwice: await doubled('points_grant'),
      deadRows: await count('SELECT COUNT(*) AS n FROM msg_send_record WHERE state = 2'),
      duplicatesIgnored: await count('SELECT COUNT(*) AS n FROM ignored_duplicate'),
      failovers: failovers.length,
      // Written by the relays in the background: what they had recorded by now.
      runsRecorded: await count('SELECT COUNT(*) AS n FROM JOB_EXECUTION_LOG'),
      failoverRunsRecorded: await count("SELECT COUNT(*) AS n FROM JOB_EXECUTION_LOG WHERE execution_source = 'FAILOVER'"),
      seconds: Math.round((Date.now() - started) / 1000),
    };
    console.log('\nSummary');
    console.log(`  users registered            ${summary.users}`);
    console.log(`  users without a coupon      ${summary.couponMissing}`);
    console.log(`  users without points        ${summary.pointsMissing}`);
    console.log(`  users granted twice         ${summary.couponTwice + summary.pointsTwice}`);
    console.log(`  dead outbox rows            ${summary.deadRows}`);
    console.log(`  duplicates ignored          ${summary.duplicatesIgnored} (redeliveries recognised by outbox id)`);
    console.log(`  failover                    ${failovers.length ? failovers.join(`\n${' '.repeat(30)}`) : 'none seen'}`);
    console.log(`  relay runs recorded         ${summary.runsRecorded} (${summary.failoverRunsRecorded} failover), in the execution history`);
    console.log(`  run time                    ${summary.seconds} s`);
    const ok = failovers.length > 0 && summary.users === USERS && summary.couponMissing === 0 && summary.pointsMissing === 0 && summary.couponTwice + summary.pointsTwice === 0 && summary.deadRows === 0;
    console.log(ok ? '\nOK: every user got exactly one coupon and one points grant.' : '\nFAILED: some grants are missing or doubled.');
    return ok ? 0 : 1;
  } finally {
    await opsConsole?.close();
    await database?.end();
    await stopAll(services);
    if (created && KEEP) console.log(`Database ${created.database} kept.`);
    else if (created) {
      const { database: dropped } = created;
      await dropDatabase(created).catch((error: unknown) => console.error(`Could not drop the demo database ${dropped}: ${(error as Error).message}`));
    }
  }
}

main().then((code) => process.exit(code), (error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
