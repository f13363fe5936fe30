import { timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What the endpoints report. */
export interface HealthSource {
  /** Why the instance should get no traffic (starting, registry not connected, stopping), or undefined when ready. */
  notReadyReason(): string | undefined;
  /** Prometheus text exposition. */
  metrics(): string;
}

export interface HealthServerOptions {
  readonly host: string;
  readonly port: number;
  /** When set, every request must carry `Authorization: Bearer <token>`. */
  readonly token: string | undefined;
}

/**
 * The relay service's HTTP endpoints: `/healthz` (the process answers: liveness), `/readyz` (this
 * instance takes part in the job: readiness, 503 while starting or handing over), `/metrics`.
 */
export class HealthServer {
  private constructor(
    private readonly server: Server,
    readonly port: number,
  ) {}

  static async start(options: HealthServerOptions, source: HealthSource): Promise<HealthServer> {
    const expected = options.token === undefined ? undefined : Buffer.from(`Bearer ${options.token}`);
    const server = createServer((request, response) => respond(request, response, source, expected));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port, options.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    return new HealthServer(server, (server.address() as AddressInfo).port);
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }
}

function respond(request: IncomingMessage, response: ServerResponse, source: HealthSource, expected: Buffer | undefined): void {
  const send = (status: number, body: string, type = 'text/plain; charset=utf-8'): void => {
    response.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' }).end(body);
  };
  if (expected !== undefined && !authorized(request.headers.authorization, expected)) return send(401, 'unauthorized\n');
  if (request.method !== 'GET' && request.method !== 'HEAD') return send(405, 'method not allowed\n');
  switch (new URL(request.url ?? '/', 'http://relay').pathname) {
    case '/healthz':
      return send(200, 'ok\n');
    case '/readyz': {
      const reason = source.notReadyReason();
      return reason === undefined ? send(200, 'ready\n') : send(503, `not ready: ${reason}\n`);
    }
    case '/metrics':
      return send(200, source.metrics(), 'text/plain; version=0.0.4; charset=utf-8');
    default:
      return send(404, 'not found: try /healthz, /readyz or /metrics\n');
  }
}

function authorized(header: string | undefined, expected: Buffer): boolean {
  const given = Buffer.from(header ?? '');
  return given.length === expected.length && timingSafeEqual(given, expected);
}
