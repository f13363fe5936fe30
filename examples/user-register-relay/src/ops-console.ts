import type { Pool } from 'mysql2/promise';
import { ZookeeperRegistry } from '@shardflow/core';
import { JobAdmin, OutboxAdmin, startConsole, type RunningConsole } from '@shardflow/ops';
import { JOB_NAME, type ExampleEnvironment } from './environment.js';

/**
 * The web console over the demo's namespace and outbox, so the relay's failover can be watched on
 * the live shard map. Listens on `port` (loopback), or on any free port when that one is taken.
 */
export async function startDemoConsole(environment: ExampleEnvironment, pool: Pool, port: number): Promise<RunningConsole> {
  const registry = new ZookeeperRegistry({ connectString: environment.zookeeper, namespace: environment.namespace });
  await registry.connect();
  const options = { registry, jobs: new JobAdmin(registry), outbox: new OutboxAdmin({ databases: [pool] }), relayJob: JOB_NAME };
  let running: RunningConsole;
  try {
    running = await startConsole({ ...options, port }).catch((error: unknown) => {
      if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw error;
      return startConsole({ ...options, port: 0 });
    });
  } catch (error) {
    await registry.close();
    throw error;
  }
  return {
    url: running.url,
    close: async () => {
      await running.close();
      await registry.close();
    },
  };
}
