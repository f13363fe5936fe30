import { describe, expect, it, vi } from 'vitest';
import { InMemoryRegistry, InMemoryRegistryStore, RegistryConnectionError, type Registry } from '../../../src/index.js';
import { describeRegistryConformance } from '../../registry-conformance.js';
import { onFakeTimers } from '../../fake-timers.js';

// Watches deliver on a timer tick: on fake timers a test's waits cost no wall-clock time.
onFakeTimers();

describeRegistryConformance('in-memory', () => {
  const store = new InMemoryRegistryStore();
  const opened: InMemoryRegistry[] = [];
  return {
    open: async () => {
      const registry = new InMemoryRegistry({ store });
      await registry.connect();
      opened.push(registry);
      return registry;
    },
    expire: async (registry: Registry) => (registry as InMemoryRegistry).expireSession(),
    cleanup: async () => {
      for (const registry of opened) await registry.close();
    },
    pause: (ms) => vi.advanceTimersByTimeAsync(ms),
  };
});

describe('InMemoryRegistry test helpers', () => {
  it('suspend makes requests fail with a retriable connection error until resume', async () => {
    const registry = new InMemoryRegistry();
    await registry.connect();
    const states: string[] = [];
    registry.on('state', (state) => states.push(state));
    registry.suspend();
    await expect(registry.get('/x')).rejects.toBeInstanceOf(RegistryConnectionError);
    await expect(registry.get('/x')).rejects.toHaveProperty('retriable', true);
    registry.resume();
    expect(await registry.get('/x')).toBeUndefined();
    expect(states).toEqual(['suspended', 'reconnected']);
  });
});
