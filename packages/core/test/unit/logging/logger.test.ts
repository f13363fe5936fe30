import { afterEach, describe, expect, it, vi } from 'vitest';
import { untilSettled, waitUntil } from '@shardflow/testkit/wait-until';
import { createStderrLogger, logRegistryStates, InMemoryRegistry, InMemoryRegistryStore, JobOperator, JobScheduler, type Logger, type SimpleJob } from '../../../src/index.js';

/** Every call of every level, as [level, fields, message]. */
function recordingLogger(): Logger & { lines: Array<[string, Record<string, unknown>, string | undefined]> } {
  const lines: Array<[string, Record<string, unknown>, string | undefined]> = [];
  const at = (level: string) => (fields: Record<string, unknown>, message?: string) => {
    lines.push([level, fields, message]);
  };
  return { lines, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

describe('logger', () => {
  const cleanups: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0)) await cleanup();
    vi.useRealTimers();
  });

  it('gets every item failure nobody listens to, at error level with the error, instead of a process warning', async () => {
    vi.useFakeTimers();
    const pause = (ms: number): Promise<unknown> => vi.advanceTimersByTimeAsync(ms);
    const logger = recordingLogger();
    const warnings: Error[] = [];
    const onWarning = (warning: Error): void => {
      warnings.push(warning);
    };
    process.on('warning', onWarning);
    const registry = new InMemoryRegistry({ store: new InMemoryRegistryStore() });
    await registry.connect();
    const job: SimpleJob = { execute: async () => {
      throw new Error('the job failed');
    } };
    const scheduler = new JobScheduler(registry, job, { jobName: 'logged', cron: '0 0 * * * ?', shardingTotalCount: 2 }, { logger });
    await untilSettled(scheduler.start(), { pause });
    cleanups.push(async () => {
      process.off('warning', onWarning);
      await untilSettled(scheduler.shutdown(), { pause });
      await registry.close();
    });
    await waitUntil(() => scheduler.items.length === 2, { pause });
    await new JobOperator(registry).trigger('logged');
    await waitUntil(() => logger.lines.length === 2, { pause });
    for (const [level, fields, message] of logger.lines) {
      expect(level).toBe('error');
      expect((fields['err'] as Error).message).toBe('the job failed');
      expect(message).toContain("shardflow job 'logged'");
    }
    expect(warnings.filter((warning) => warning.name === 'ShardflowUnheardError')).toEqual([]);
  });

  it('writes warnings and errors by default, as JSON lines when asked, with the error spelled out', () => {
    const written: string[] = [];
    const logger = createStderrLogger({ json: true, stream: { write: (line: string) => written.push(line) } });
    logger.info({ ignored: true }, 'below the default level');
    logger.error({ err: Object.assign(new Error('down'), { code: 'X_DOWN' }), job: 'j' }, 'it broke');
    expect(written).toHaveLength(1);
    const line = JSON.parse(written[0] as string) as Record<string, unknown>;
    expect(line).toMatchObject({ level: 'error', msg: 'it broke', job: 'j', err: { type: 'Error', message: 'down', code: 'X_DOWN' } });
    expect(() => createStderrLogger({ level: 'loud' as 'warn' })).toThrow(/logger\.level/);
  });

  it('logs the registry session at the level each state deserves', async () => {
    const logger = recordingLogger();
    const registry = new InMemoryRegistry({ store: new InMemoryRegistryStore() });
    const stop = logRegistryStates(registry, logger);
    await registry.connect();
    registry.suspend();
    registry.resume();
    registry.expireSession();
    stop();
    await registry.close();
    expect(logger.lines.map(([level, fields]) => `${level} ${String(fields['state'])}`)).toEqual([
      'info connected', 'warn suspended', 'info reconnected', 'error lost', 'info connected',
    ]);
  });
});
