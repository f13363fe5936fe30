import { createServer, connect, type Server, type Socket } from 'node:net';

export type FaultMode = 'pass' | 'blackhole' | 'delay';

interface Pair {
  readonly client: Socket;
  readonly upstream: Socket;
}

/**
 * A TCP proxy on 127.0.0.1 in front of one service, for partitioning a single client:
 * - `pass()`: bytes flow both ways.
 * - `blackhole()`: connections stay open (new ones are accepted) but every byte is dropped, the
 *   way a silent network partition looks to both sides: no reset, just silence.
 * - `delay(ms)`: each chunk is forwarded after `ms`.
 * - `resetConnections()`: destroys every current connection at once.
 */
export class FaultProxy {
  private mode: FaultMode = 'pass';
  private delayMs = 0;
  private dropped = 0;
  private readonly pairs = new Set<Pair>();

  private constructor(
    private readonly server: Server,
    private readonly targetHost: string,
    private readonly targetPort: number,
  ) {
    server.on('connection', (client) => this.accept(client));
  }

  static async start(options: { target: string; listenPort?: number }): Promise<FaultProxy> {
    const [host, port] = splitHostPort(options.target);
    const server = createServer();
    const proxy = new FaultProxy(server, host, port);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.listenPort ?? 0, '127.0.0.1', () => resolve());
    });
    return proxy;
  }

  /** `127.0.0.1:port` to give the client instead of the service's own address. */
  get address(): string {
    const address = this.server.address();
    if (typeof address !== 'object' || !address) throw new Error('fault proxy is not listening');
    return `127.0.0.1:${address.port}`;
  }

  get connections(): number {
    return this.pairs.size;
  }

  /** Bytes a blackhole has dropped so far, both ways: tells a test that the silence has begun. */
  get droppedBytes(): number {
    return this.dropped;
  }

  pass(): void {
    this.mode = 'pass';
  }

  blackhole(): void {
    this.mode = 'blackhole';
  }

  delay(ms: number): void {
    this.mode = 'delay';
    this.delayMs = ms;
  }

  resetConnections(): void {
    for (const pair of this.pairs) {
      pair.client.destroy();
      pair.upstream.destroy();
    }
    this.pairs.clear();
  }

  async close(): Promise<void> {
    this.resetConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(client: Socket): void {
    const upstream = connect({ host: this.targetHost, port: this.targetPort });
    const pair: Pair = { client, upstream };
    this.pairs.add(pair);
    const close = (): void => {
      this.pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on('error', close).on('close', close);
    upstream.on('error', close).on('close', close);
    client.on('data', (chunk) => this.forward(chunk, upstream));
    upstream.on('data', (chunk) => this.forward(chunk, client));
  }

  private forward(chunk: Buffer, to: Socket): void {
    if (this.mode === 'blackhole') {
      this.dropped += chunk.length;
      return;
    }
    if (this.mode === 'delay') {
      setTimeout(() => {
        if (!to.destroyed) to.write(chunk);
      }, this.delayMs);
      return;
    }
    if (!to.destroyed) to.write(chunk);
  }
}

function splitHostPort(target: string): [string, number] {
  const index = target.lastIndexOf(':');
  const port = Number(target.slice(index + 1));
  if (index <= 0 || !Number.isInteger(port) || port <= 0) throw new RangeError(`fault proxy target must be host:port, got '${target}'`);
  return [target.slice(0, index), port];
}
