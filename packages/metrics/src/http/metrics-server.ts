import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { register as defaultRegister, type Registry } from 'prom-client';
import { InvalidMetricsConfigError } from '../errors/invalid-metrics-config-error.js';

/**
 * A node:http request handler that answers GET `path` with the registry's metrics in the
 * Prometheus text format, and 404 to anything else: mount it in an existing server, or use
 * `startMetricsServer`.
 */
export function metricsHandler(register: Registry = defaultRegister, path = '/metrics'): (request: IncomingMessage, response: ServerResponse) => void {
  return (request, response) => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    if (url.pathname !== path || (request.method !== 'GET' && request.method !== 'HEAD')) {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
      return;
    }
    register.metrics().then((body) => {
      response.writeHead(200, { 'content-type': register.contentType }).end(request.method === 'HEAD' ? undefined : body);
    }, (error: unknown) => {
      response.writeHead(500, { 'content-type': 'text/plain' }).end(`metrics failed: ${error instanceof Error ? error.message : String(error)}\n`);
    });
  };
}

export interface MetricsServerOptions {
  /** Default 9464; 0 picks a free port. */
  port?: number;
  /** Default 127.0.0.1: only this machine can scrape until you choose an address to expose. */
  host?: string;
  /** Default /metrics. */
  path?: string;
  /** Default prom-client's global registry. */
  register?: Registry;
}

export interface MetricsServer {
  /** Where to scrape, e.g. http://127.0.0.1:9464/metrics. */
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

/** Listens on `host:port` and serves `metricsHandler`; resolves once listening. */
export async function startMetricsServer(options: MetricsServerOptions = {}): Promise<MetricsServer> {
  const port = options.port ?? 9464;
  const host = options.host ?? '127.0.0.1';
  const path = options.path ?? '/metrics';
  if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new InvalidMetricsConfigError('port', port, 'must be an integer from 0 to 65535');
  if (!path.startsWith('/')) throw new InvalidMetricsConfigError('path', path, "must start with '/'");
  const server: Server = createServer(metricsHandler(options.register, path));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const bound = (server.address() as AddressInfo).port;
  const shownHost = host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${shownHost}:${bound}${path}`,
    port: bound,
    close: () => new Promise<void>((resolve, reject) => {
      server.close((error) => (error ? reject(error) : resolve()));
      server.closeAllConnections();
    }),
  };
}
