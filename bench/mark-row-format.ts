/**
 * What the outbox table's InnoDB row format costs the relay's database work, side by side in one
 * run: the same rows in a table of MySQL's default format (DYNAMIC) and in the REDUNDANT one the
 * migration creates, alternated (ABBA) over the rounds. For each format:
 * - the mark alone: the relay's UPDATE of `rows` freshly seeded 1 KB rows, 500 ids a statement on
 *   4 connections (the database's limit of broker-limit.ts);
 * - the relay without a broker: its fetches and marks of as many rows, 4 items in this process,
 *   through a sink that takes every message at once;
 * - mariadbd's CPU time per 1 000 rows for each (what the database spends, which a busy machine
 *   disturbs far less than a rate).
 * Marking fills `sent_time` and `fence_epoch`, which were NULL: DYNAMIC keeps no room for a NULL, so
 * the row grows and InnoDB moves it inside its page; REDUNDANT keeps the room and changes it in place.
 *   node --conditions=@shardflow/source --import tsx bench/mark-row-format.ts [--rows 50000] [--rounds 2]
 */
import { numberArgument, openBenchServices, report, roundsSummary } from './support/bench-services.js';
import { openBenchDatabase, type BenchDatabase } from './support/bench-database.js';
import { databaseLimit, relayWithoutBroker, type MeasuredStart } from './support/physical-limit.js';
import { commandCpuMs } from './support/process-cpu.js';

const ROWS = numberArgument('--rows', 50_000);
const ROUNDS = numberArgument('--rounds', 2);
const CONNECTIONS = 4;
const TOPIC = 'bench-row-format';

type RowFormat = 'DYNAMIC' | 'REDUNDANT';

interface FormatRun {
  readonly markRowsPerS: number;
  readonly markDbCpuMsPer1000: number;
  readonly relayRowsPerS: number;
  readonly relayDbCpuMsPer1000: number;
}

/** A rate, and mariadbd's CPU per 1 000 rows from the measured work's start (after its seeding) to its end. */
async function withDatabaseCpu(measure: (timing: MeasuredStart) => Promise<number>): Promise<{ rate: number; cpuPer1000: number }> {
  let before = 0;
  const rate = await measure({ onStart: () => { before = commandCpuMs('mariadbd'); } });
  return { rate, cpuPer1000: ((commandCpuMs('mariadbd') - before) / ROWS) * 1000 };
}

async function measureFormat(database: BenchDatabase, format: RowFormat): Promise<FormatRun> {
  // Emptied first, so that the rebuild is quick; the seeding's TRUNCATE keeps the format.
  await database.resetOutbox();
  await database.query(`ALTER TABLE msg_send_record ROW_FORMAT=${format}`);
  const [table] = await database.query("SELECT ROW_FORMAT AS format FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'msg_send_record'");
  if (String(table?.['format']).toUpperCase() !== format) throw new Error(`the table is ${String(table?.['format'])}, not ${format}`);
  const mark = await withDatabaseCpu((timing) => databaseLimit(database, TOPIC, ROWS, CONNECTIONS, timing));
  const relay = await withDatabaseCpu((timing) => relayWithoutBroker(database, TOPIC, ROWS, CONNECTIONS, timing));
  return { markRowsPerS: mark.rate, markDbCpuMsPer1000: mark.cpuPer1000, relayRowsPerS: relay.rate, relayDbCpuMsPer1000: relay.cpuPer1000 };
}

const bench = await openBenchServices([]);
const database = await openBenchDatabase('mysql', { pool: bench.pool, name: bench.database.name });
try {
  const rounds: Array<Record<RowFormat, FormatRun>> = [];
  for (let round = 0; round < ROUNDS; round++) {
    const order: RowFormat[] = round % 2 === 0 ? ['DYNAMIC', 'REDUNDANT'] : ['REDUNDANT', 'DYNAMIC'];
    const runs: Partial<Record<RowFormat, FormatRun>> = {};
    for (const format of order) runs[format] = await measureFormat(database, format);
    const { DYNAMIC: dynamic, REDUNDANT: redundant } = runs as Record<RowFormat, FormatRun>;
    rounds.push({ DYNAMIC: dynamic, REDUNDANT: redundant });
    report(`mark-row-format round ${round + 1}`, {
      mark_dynamic_rows_per_s: dynamic.markRowsPerS, mark_redundant_rows_per_s: redundant.markRowsPerS,
      mark_redundant_vs_dynamic: redundant.markRowsPerS / dynamic.markRowsPerS,
      mark_db_cpu_ms_per_1000_dynamic: dynamic.markDbCpuMsPer1000, mark_db_cpu_ms_per_1000_redundant: redundant.markDbCpuMsPer1000,
      relay_dynamic_rows_per_s: dynamic.relayRowsPerS, relay_redundant_rows_per_s: redundant.relayRowsPerS,
      relay_redundant_vs_dynamic: redundant.relayRowsPerS / dynamic.relayRowsPerS,
      relay_db_cpu_ms_per_1000_dynamic: dynamic.relayDbCpuMsPer1000, relay_db_cpu_ms_per_1000_redundant: redundant.relayDbCpuMsPer1000,
    });
  }
  const summary = (of: (round: Record<RowFormat, FormatRun>) => number): string => roundsSummary(rounds, of);
  report('mark-row-format', {
    rows: String(ROWS), rounds: String(ROUNDS),
    mark_redundant_vs_dynamic: summary((round) => round.REDUNDANT.markRowsPerS / round.DYNAMIC.markRowsPerS),
    mark_db_cpu_redundant_vs_dynamic: summary((round) => round.REDUNDANT.markDbCpuMsPer1000 / round.DYNAMIC.markDbCpuMsPer1000),
    relay_without_broker_redundant_vs_dynamic: summary((round) => round.REDUNDANT.relayRowsPerS / round.DYNAMIC.relayRowsPerS),
    relay_db_cpu_redundant_vs_dynamic: summary((round) => round.REDUNDANT.relayDbCpuMsPer1000 / round.DYNAMIC.relayDbCpuMsPer1000),
  });
} finally {
  await database.close();
  await bench.close();
}
