import { ZookeeperRegistry } from '@shardflow/core';
import { HistoryAdmin, JobAdmin, OutboxAdmin, startConsole, type RunningConsole } from '@shardflow/ops';
import { openDatabase } from './database.js';
import { JOB_NAME, type ExampleEnvironment } from './environment.js';

/**
 * The web console over the demo's namespace, outbox and execution history, so the relay's failover
 * can be watched on the live shard map and its runs read afterwards. Listens on `port` (loopback), or on any free port when that one is taken.
 */
export async function startDemoConsole(environment: ExampleEnvironment, port: number): Promise<RunningConsole> {
  const registry = new ZookeeperRegistry({ connectString: environment.zookeeper, namespace: environment.namespace });
  await registry.connect();
  const database = await openDatabase(environment, 2).catch(async (error: unknown) => {
    await registry.close();
    throw error;
  });
  const options = {
    registry, jobs: new JobAdmin(registry), outbox: new OutboxAdmin({ databases: [database.pool] }), history: new HistoryAdmin(database.history), relayJob: JOB_NAME,
  };
  const closeAll = async (): Promise<void> => {
    await registry.close();
    await database.end();
  };
  let running: RunningConsole;
  try {
    running = await startConsole({ ...options, port }).catch((error: unknown) => {
      if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw error;
      return startConsole({ ...options, port: 0 });
    });
  } catch (error) {
    await closeAll();
    throw error;
  }
  return {
    url: running.url,
    close: async () => {
      await running.close();
      await closeAll();
    },
  };
}
