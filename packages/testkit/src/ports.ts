import { createServer } from 'node:net';

/** A TCP port on 127.0.0.1 that was free a moment ago. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

function isFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/**
 * A free port whose neighbour at `offset` is free too, for servers that open a second port at a
 * fixed distance from the one they are given (RocketMQ's broker listens on port - 2 as well).
 */
export async function freePortWithNeighbour(offset: number): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = await freePort();
    if (port + offset > 1024 && port + offset < 65536 && (await isFree(port + offset))) return port;
  }
  throw new Error(`no free port with a free neighbour at ${offset} after 50 tries`);
}
