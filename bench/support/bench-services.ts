import mysql, { type Pool } from 'mysql2/promise';
import { createTestDatabase, startServices, type StartedServices, type TestDatabase } from '@shardflow/testkit';

/** Real services for a benchmark: the env's, or started here; stopped by `close()`. */
export interface BenchServices {
  readonly services: StartedServices;
  readonly database: TestDatabase;
  readonly pool: Pool;
  close(): Promise<void>;
}

export async function openBenchServices(kafkaClusters: readonly string[] = ['cluster_a', 'cluster_b'], databasePrefix = 'bench'): Promise<BenchServices> {
  const services = await startServices({ kafkaClusters });
  Object.assign(process.env, services.env);
  const database = await createTestDatabase(databasePrefix);
  const pool = mysql.createPool({ ...database.config, connectionLimit: 16 });
  return {
    services,
    database,
    pool,
    close: async () => {
      await pool.end();
      await database.drop();
      await services.stopAll();
    },
  };
}

export function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

export function median(values: readonly number[]): number {
  return percentile(values, 50);
}

/** The number after `flag` (`--rows 50000`) on the command line, or `fallback` when the flag is absent. */
export function numberArgument(flag: string, fallback: number): number {
  const index = process.argv.indexOf(flag);
  return index > 0 ? Number(process.argv[index + 1]) : fallback;
}

/** A ratio over a run's rounds as the reports print it: the median (of an even count, the upper middle), then every round's value. */
export function roundsSummary<Round>(rounds: readonly Round[], of: (round: Round) => number): string {
  return `${median(rounds.map(of)).toFixed(2)} (${rounds.map((round) => of(round).toFixed(2)).join('/')})`;
}

/** Prints one result line in a fixed format that docs/benchmarks.md quotes. */
export function report(name: string, fields: Record<string, string | number>): void {
  const rendered = Object.entries(fields).map(([key, value]) => `${key}=${typeof value === 'number' ? round(value) : value}`).join('  ');
  console.log(`[${name}] ${rendered}`);
}

function round(value: number): string {
  return Math.abs(value) >= 100 ? value.toFixed(0) : value.toFixed(2);
}
