import { JobPaths } from '@shardflow/core';

/** The latest finished run of one item, as `recordLastRuns` stores it. */
export interface LastRun {
  readonly result: 'completed' | 'failed';
  readonly finishedAt: Date;
  readonly durationMs: number;
  readonly instance: string;
  readonly trigger: string;
  /** The error message of a failed run. */
  readonly error: string | undefined;
}

/**
 * One persistent node per item, `/{job}/last-runs/{item}`, overwritten by each run: bounded
 * (count nodes per job, whatever the run rate) and readable without the instance that wrote it.
 */
export function lastRunsPath(jobName: string): string {
  return `${new JobPaths(jobName).root}/last-runs`;
}

export function lastRunPath(jobName: string, item: number): string {
  return `${lastRunsPath(jobName)}/${item}`;
}

export function serializeLastRun(run: LastRun): string {
  return JSON.stringify({ ...run, finishedAt: run.finishedAt.getTime() });
}

/** Undefined for data that is not a run record (a node written by something else). */
export function parseLastRun(json: string): LastRun | undefined {
  try {
    const parsed = JSON.parse(json) as Record<string, unknown>;
    if ((parsed['result'] !== 'completed' && parsed['result'] !== 'failed') || typeof parsed['finishedAt'] !== 'number') return undefined;
    return {
      result: parsed['result'],
      finishedAt: new Date(parsed['finishedAt']),
      durationMs: Number(parsed['durationMs']),
      instance: String(parsed['instance']),
      trigger: String(parsed['trigger']),
      error: typeof parsed['error'] === 'string' ? parsed['error'] : undefined,
    };
  } catch {
    return undefined;
  }
}
