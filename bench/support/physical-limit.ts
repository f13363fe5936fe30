import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { createOutbox, InMemorySink } from '@shardflow/outbox-relay';
import { drainItems } from '@shardflow/core/testing';
import { createRocketMqTopic, resolveKafkaToolsJars, resolveRocketMqJars, type RocketMqAddress } from '@shardflow/testkit';
import type { BenchDatabase } from './bench-database.js';
import { createKafkaTopic } from '@shardflow/testkit';
import { seedOutbox } from './outbox-rows.js';

/** Rows a relay page holds, and so what one request carries across the topic's partitions. */
const PAGE = 500;

/** Runs a JVM to its end and returns what it printed; a JVM that fails rejects with its output. */
async function runJava(args: readonly string[]): Promise<string> {
  const { stdout } = await promisify(execFile)('java', [...args], { timeout: 10 * 60_000, maxBuffer: 16 * 1024 * 1024 });
  return stdout;
}

/**
 * Records the Java producer sends before the measured ones, left out of the steady-state summary
 * (`--warmup-records`): its JIT takes well over 100 000 records here, and a cold run of 50 000
 * measured the client's start (31 000 records/s against 62 000 over 400 000).
 */
const JAVA_WARM_UP_RECORDS = 200_000;
/** The fewest records the steady state is measured on: 50 000 (under a second) moved by 2x between runs. */
const JAVA_MIN_MEASURED_RECORDS = 200_000;

/**
 * Records/s Kafka's own Java producer (ProducerPerformance, from KAFKA_TOOLS_VERSION's tools) gets
 * into a fresh topic of `partitions` partitions with the relay's settings: acks=all, idempotence,
 * 1 KB records with a distinct key each (partitioned by the same murmur2 as the relay's drivers),
 * one request in flight (as both Node drivers send idempotently), a batch a page's share of each
 * partition, 5 ms linger. Steady state: `records` (at least JAVA_MIN_MEASURED_RECORDS) after
 * JAVA_WARM_UP_RECORDS uncounted, as the relay is measured after its own warm-up. Default JIT
 * and GC: this is the client at its best, the broker is what it measures.
 */
export async function kafkaBrokerLimit(bootstrap: string, partitions: number, records: number): Promise<number> {
  const topic = await createKafkaTopic(bootstrap, `bench-limit-java-${Date.now()}`, partitions);
  const toolsDir = await resolveKafkaToolsJars((line) => console.error(line));
  const measured = Math.max(records, JAVA_MIN_MEASURED_RECORDS);
  const total = JAVA_WARM_UP_RECORDS + measured;
  const stdout = await runJava([
    '-Xmx512m', '-cp', `${toolsDir}/*`, 'org.apache.kafka.tools.ProducerPerformance',
    '--topic', topic, '--num-records', String(total), '--warmup-records', String(JAVA_WARM_UP_RECORDS),
    '--record-size', '1024', '--key-distribution', 'range', '--record-key-range', String(total), '--throughput', '-1',
    '--command-property', `bootstrap.servers=${bootstrap}`, 'acks=all', 'enable.idempotence=true', 'max.in.flight.requests.per.connection=1',
    `batch.size=${Math.ceil(PAGE / partitions) * 1024 + 4096}`, 'linger.ms=5',
  ]);
  const steady = /(\d+) steady state records sent, ([\d.]+) records\/sec/.exec(stdout);
  if (!steady || Number(steady[1]) !== measured) throw new Error(`ProducerPerformance printed no steady-state summary of ${measured} records:\n${stdout}`);
  return Number(steady[2]);
}

/**
 * Messages/s RocketMQ's own Java client gets into a fresh topic of `queues` queues: 1 KB bodies,
 * each with a key, sent synchronously on `threads` threads (as many in flight as the sink's
 * maxInFlight), through the name server straight to the broker, after a tenth of `messages` (at
 * most 5 000) uncounted to warm up. The program is bench/java/RocketMqProducerLimit.java, run by
 * the JDK's source launcher on the jars of the testkit's RocketMQ: RocketMQ's own benchmark
 * producer (rocketmq-example) is not on Maven Central, and it does the same with options this
 * comparison does not need and no end of its own.
 */
export async function rocketMqBrokerLimit(address: RocketMqAddress, queues: number, messages: number, threads: number): Promise<number> {
  const topic = `bench-limit-java-${Date.now()}`;
  await createRocketMqTopic(address, topic, { queues });
  const jarsDir = await resolveRocketMqJars((line) => console.error(line));
  // The client logs under ${user.home}/logs: a scratch folder, dropped after the run.
  const home = mkdtempSync(join(tmpdir(), 'shardflow-rocketmq-limit-'));
  try {
    const stdout = await runJava([
      '-Xmx512m', `-Duser.home=${home}`, '-cp', `${jarsDir}/*`, fileURLToPath(new URL('../java/RocketMqProducerLimit.java', import.meta.url)),
      address.namesrv, topic, String(messages), String(threads), '1024', String(Math.min(5_000, Math.ceil(messages / 10))),
    ]);
    const summary = /RESULT sent=(\d+) failed=(\d+) seconds=[\d.]+ rate=([\d.]+)/.exec(stdout);
    if (!summary || Number(summary[1]) !== messages) throw new Error(`RocketMqProducerLimit printed no summary of ${messages} messages:\n${stdout}`);
    return Number(summary[3]);
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
}

/** Called when the measured work starts, after the seeding: to read a process's CPU time around that work alone. */
export interface MeasuredStart {
  readonly onStart?: () => void;
}

/**
 * Rows/s the database marks sent as the relay's store does (the same UPDATE: state, sent_time,
 * last_error, fence_epoch, by primary key, pending and fenced rows only), a page per statement,
 * over `rows` freshly seeded 1 KB rows. `concurrency` connections mark at once, each its own share
 * of the rows, as the relay's items do. It empties the outbox table first and leaves those rows sent.
 */
export async function databaseLimit(database: BenchDatabase, topic: string, rows: number, concurrency: number, timing: MeasuredStart = {}): Promise<number> {
  await seedOutbox(database, rows, topic);
  const found = await database.query('SELECT id FROM msg_send_record ORDER BY id');
  const ids = found.map((row) => Number(row['id']));
  const shares = Array.from({ length: concurrency }, (_, share) => ids.filter((_id, index) => index % concurrency === share));
  timing.onStart?.();
  const started = process.hrtime.bigint();
  await Promise.all(shares.map(async (share) => {
    for (let i = 0; i < share.length; i += PAGE) {
      const page = share.slice(i, i + PAGE);
      await database.query(
        `UPDATE msg_send_record SET state = 1, sent_time = CURRENT_TIMESTAMP(3), last_error = NULL, fence_epoch = ? WHERE id IN (${page.map(() => '?').join(', ')}) AND state = 0 AND (fence_epoch IS NULL OR fence_epoch <= ?)`,
        [1, ...page, 1]);
    }
  }));
  return rows / (Number(process.hrtime.bigint() - started) / 1e9);
}

/** The machine's physical limit for relaying rows: the smaller of the broker's and the database's. */
export interface PhysicalLimit {
  readonly broker: number;
  readonly database: number;
  readonly physical: number;
  readonly limitedBy: 'broker' | 'database';
}

function physicalLimit(broker: number, database: number): PhysicalLimit {
  return { broker, database, physical: Math.min(broker, database), limitedBy: broker < database ? 'broker' : 'database' };
}

/**
 * Both limits are rates of a steady state, measured on at least this many rows: a small table takes
 * UPDATEs faster than a grown one, and a short steady-state window of the Java producer is noise.
 */
export const LIMIT_MIN_ROWS = 50_000;

/** Where measurePhysicalLimit measures the database's limit. */
export interface DatabaseLimitRun {
  readonly database: BenchDatabase;
  /** The topic the seeded rows name (the UPDATE does not read it). */
  readonly topic: string;
  /** The rows the benchmark relays: both limits are measured on as many, and on at least LIMIT_MIN_ROWS. */
  readonly rows?: number;
  /** Connections marking at once: the relay's items. */
  readonly concurrency: number;
}

/**
 * The broker's limit (`broker`: kafkaBrokerLimit or rocketMqBrokerLimit against the benchmark's
 * cluster, given the record count), then the database's; the caller runs it where its outbox table
 * may be emptied.
 */
export async function measurePhysicalLimit(broker: (records: number) => Promise<number>, run: DatabaseLimitRun): Promise<PhysicalLimit> {
  const rows = Math.max(run.rows ?? 0, LIMIT_MIN_ROWS);
  const brokerRate = await broker(rows);
  return physicalLimit(brokerRate, await databaseLimit(run.database, run.topic, rows, run.concurrency));
}

/**
 * Report fields: the limit's parts, and each of `rates` (rows/s, by field name without the
 * `_rows_per_s` suffix) as `<name>_vs_physical`.
 */
export function physicalLimitFields(limit: PhysicalLimit, rates: Readonly<Record<string, number>> = {}): Record<string, string | number> {
  return {
    broker_limit_rows_per_s: limit.broker,
    database_limit_rows_per_s: limit.database,
    physical_limit_rows_per_s: limit.physical,
    limited_by: limit.limitedBy,
    ...Object.fromEntries(Object.entries(rates).map(([name, rate]) => [`${name}_vs_physical`, rate / limit.physical])),
  };
}

/**
 * The relay's database work alone: its fetches and marks of `rows` freshly seeded rows through a
 * sink that takes every message at once (`items` items drained concurrently in this process, page
 * 500), so no broker is involved. What the relay could reach if sending cost nothing.
 */
export async function relayWithoutBroker(database: BenchDatabase, topic: string, rows: number, items: number, timing: MeasuredStart = {}): Promise<number> {
  await seedOutbox(database, rows, topic);
  const outbox = createOutbox({ databases: [database.pool], sink: new InMemorySink({ clusters: ['cluster_a'] }), relay: { pageSize: PAGE } });
  try {
    timing.onStart?.();
    const started = process.hrtime.bigint();
    const relayed = (await drainItems(outbox.relayJob, items, { concurrently: true })).rows;
    if (relayed !== rows) throw new Error(`the relay without a broker relayed ${relayed} of ${rows} rows`);
    return rows / (Number(process.hrtime.bigint() - started) / 1e9);
  } finally {
    await outbox.close();
  }
}
