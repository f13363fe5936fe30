import mysql from 'mysql2/promise';
import { ZookeeperRegistry } from '@shardflow/core';
import { JobAdmin, OutboxAdmin, startConsole, type RunningConsole } from '@shardflow/ops';
import { databaseUrlOf, JOB_NAME, type ExampleEnvironment } from './environment.js';

/**
 * The web console over the demo's namespace and outbox, so the relay's failover can be watched on
 * the live shard map. Listens on `port` (loopback), or on any free port when that one is taken.
 * The console reads the outbox's backlog and dead rows on MySQL only: on PostgreSQL it shows the jobs.
 */
export async function startDemoConsole(environment: ExampleEnvironment, port: number): Promise<RunningConsole> {
  const registry = new ZookeeperRegistry({ connectString: environment.zookeeper, namespace: environment.namespace });
  await registry.connect();
  const pool = environment.databaseKind === 'mysql' ? mysql.createPool({ uri: databaseUrlOf(environment), connectionLimit: 2 }) : undefined;
  const options = { registry, jobs: new JobAdmin(registry), ...(pool ? { outbox: new OutboxAdmin({ databases: [pool] }) } : {}), relayJob: JOB_NAME };
  const closeAll = async (): Promise<void> => {
    await registry.close();
    await pool?.end();
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
