import { afterEach, describe, expect, it } from 'vitest';
import { HealthServer } from '../../src/service/health-server.js';

describe('relay service HTTP endpoints', () => {
  let server: HealthServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });
  let notReady: string | undefined = 'starting';
  const source = { notReadyReason: () => notReady, metrics: () => 'shardflow_relay_ready 0\n' };

  async function get(path: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string; type: string | null }> {
    const response = await fetch(`http://127.0.0.1:${server?.port}${path}`, { headers });
    return { status: response.status, body: await response.text(), type: response.headers.get('content-type') };
  }

  it('answers liveness at once, readiness 503 with the reason until ready, metrics as Prometheus text', async () => {
    server = await HealthServer.start({ host: '127.0.0.1', port: 0, token: undefined }, source);
    notReady = 'starting';
    expect(await get('/healthz')).toMatchObject({ status: 200, body: 'ok\n' });
    expect(await get('/readyz')).toMatchObject({ status: 503, body: 'not ready: starting\n' });
    notReady = undefined;
    expect(await get('/readyz')).toMatchObject({ status: 200, body: 'ready\n' });
    expect(await get('/metrics')).toEqual({ status: 200, body: 'shardflow_relay_ready 0\n', type: 'text/plain; version=0.0.4; charset=utf-8' });
    expect((await get('/other')).status).toBe(404);
  });

  it('with a token, answers nothing without it', async () => {
    server = await HealthServer.start({ host: '127.0.0.1', port: 0, token: 'sixteen-chars-token' }, source);
    notReady = undefined;
    expect(await get('/readyz')).toMatchObject({ status: 401, body: 'unauthorized\n' });
    expect((await get('/metrics', { authorization: 'Bearer wrong-token-of-same-len' })).status).toBe(401);
    expect(await get('/readyz', { authorization: 'Bearer sixteen-chars-token' })).toMatchObject({ status: 200, body: 'ready\n' });
  });
});
