import { createServer, type Server } from 'node:http';
import type { StartedServices } from '../services.js';

/**
 * Loopback HTTP endpoint through which test files (running in worker processes) stop and start
 * the services that the global setup owns: `POST /kafka/{name}/stop|start`, `POST /zookeeper/stop|start`.
 */
export async function startControlServer(services: StartedServices): Promise<{ url: string; close(): Promise<void> }> {
  const server: Server = createServer((request, response) => {
    void (async () => {
      const [, kind, name, action] = (request.url ?? '').split('/');
      try {
        if (request.method !== 'POST') throw new Error('use POST');
        if (kind === 'kafka' && (action === 'stop' || action === 'start')) {
          const cluster = services.kafka.get(name ?? '');
          if (!cluster) throw new Error(`Kafka cluster '${name}' was not started by the testkit (named by SHARDFLOW_KAFKA?)`);
          await cluster[action]();
        } else if (kind === 'zookeeper' && (name === 'stop' || name === 'start')) {
          if (!services.zookeeper) throw new Error('ZooKeeper was not started by the testkit (named by SHARDFLOW_ZK?)');
          await services.zookeeper[name]();
        } else {
          throw new Error(`unknown control request ${request.url}`);
        }
        response.writeHead(204).end();
      } catch (error) {
        response.writeHead(409, { 'content-type': 'text/plain' }).end((error as Error).message);
      }
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
