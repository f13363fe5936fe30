import { afterEach, describe, expect, it, vi } from 'vitest';
import { InMemoryRegistry } from '../../../src/index.js';
import { ConnectionFence } from '../../../src/coordination/connection-fence.js';
import { onFakeTimers } from '../../fake-timers.js';

const SESSION_TIMEOUT_MS = 3_000;

describe('ConnectionFence', () => {
  onFakeTimers();
  const fences: ConnectionFence[] = [];
  afterEach(() => {
    for (const fence of fences.splice(0)) fence.stop();
  });

  async function fenced() {
    const registry = new InMemoryRegistry({ sessionTimeoutMs: SESSION_TIMEOUT_MS });
    await registry.connect();
    const fence = new ConnectionFence(registry);
    fences.push(fence);
    const aborts: string[] = [];
    fence.on('abort', (reason) => aborts.push(reason));
    fence.start();
    return { registry, fence, aborts };
  }

  it('stops new batches the moment the connection is suspended, and aborts running ones at half the session timeout', async () => {
    const { registry, fence, aborts } = await fenced();
    expect(fence.isHealthy()).toBe(true);
    registry.suspend();
    expect(fence.isHealthy()).toBe(false);
    await vi.advanceTimersByTimeAsync(SESSION_TIMEOUT_MS / 2 - 400);
    expect(aborts).toEqual([]);
    await vi.advanceTimersByTimeAsync(400);
    expect(aborts).toHaveLength(1);
    expect(aborts[0]).toMatch(/no answer from the registry for \d+ ms/);
    await vi.advanceTimersByTimeAsync(SESSION_TIMEOUT_MS);
    expect(aborts).toHaveLength(1);
  });

  it('aborts at once when the session is lost, and once more in the next unhealthy stretch', async () => {
    const { registry, fence, aborts } = await fenced();
    registry.expireSession();
    expect(aborts).toEqual(['registry session lost']);
    expect(fence.isHealthy()).toBe(true);
    await vi.advanceTimersByTimeAsync(SESSION_TIMEOUT_MS);
    registry.suspend();
    await vi.advanceTimersByTimeAsync(SESSION_TIMEOUT_MS);
    expect(aborts).toHaveLength(2);
  });

  it('a short hiccup that recovers before half the timeout aborts nothing', async () => {
    const { registry, fence, aborts } = await fenced();
    registry.suspend();
    await vi.advanceTimersByTimeAsync(SESSION_TIMEOUT_MS / 4);
    registry.resume();
    expect(fence.isHealthy()).toBe(true);
    await vi.advanceTimersByTimeAsync(SESSION_TIMEOUT_MS);
    expect(aborts).toEqual([]);
  });

  it('built before the registry connects, it is healthy once started on the connected registry', async () => {
    const registry = new InMemoryRegistry({ sessionTimeoutMs: SESSION_TIMEOUT_MS });
    const fence = new ConnectionFence(registry);
    fences.push(fence);
    await registry.connect();
    fence.start();
    expect(fence.isHealthy()).toBe(true);
  });
});
