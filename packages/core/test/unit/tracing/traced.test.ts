import { describe, expect, it } from 'vitest';
import { traceChannel, traced } from '../../../src/index.js';

describe('traced', () => {
  it('builds no context and publishes nothing while nobody subscribes', async () => {
    const channel = traceChannel<{ n: number }>('shardflow:test.unsubscribed');
    let contexts = 0;
    expect(await traced(channel, () => ({ n: (contexts += 1) }), async () => 'done')).toBe('done');
    expect(contexts).toBe(0);
  });

  it('gives subscribers the context at the start and with the result or the error at the end', async () => {
    const channel = traceChannel<{ n: number; result?: unknown; error?: unknown }>('shardflow:test.subscribed');
    const seen: string[] = [];
    const handlers = {
      start: (context: { n: number }) => seen.push(`start ${context.n}`),
      end: () => undefined,
      asyncStart: () => undefined,
      asyncEnd: (context: { n: number; result?: unknown }) => seen.push(`end ${context.n} ${String(context.result)}`),
      error: (context: { n: number; error?: unknown }) => seen.push(`error ${context.n} ${(context.error as Error).message}`),
    };
    channel.subscribe(handlers);
    try {
      await traced(channel, () => ({ n: 1 }), async () => 'ok');
      await expect(traced(channel, () => ({ n: 2 }), async () => {
        throw new Error('boom');
      })).rejects.toThrow('boom');
    } finally {
      channel.unsubscribe(handlers);
    }
    expect(seen).toEqual(['start 1', 'end 1 ok', 'start 2', 'error 2 boom', 'end 2 undefined']);
  });
});
