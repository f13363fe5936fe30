import { connect, createServer, type Server, type Socket } from 'node:net';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { FaultProxy } from '../../src/proxy/fault-proxy.js';
import { waitUntil } from '../../src/wait-until.js';

// Sockets stay real; under fake timeouts the checks wait a turn of the event loop between them.
const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('FaultProxy against a local echo server', () => {
  let echo: Server;
  let proxy: FaultProxy;
  const sockets: Socket[] = [];

  beforeEach(async () => {
    echo = createServer((socket) => socket.pipe(socket));
    await new Promise<void>((resolve) => echo.listen(0, '127.0.0.1', () => resolve()));
    const address = echo.address();
    proxy = await FaultProxy.start({ target: `127.0.0.1:${typeof address === 'object' && address ? address.port : 0}` });
  });
  afterEach(async () => {
    vi.useRealTimers();
    for (const socket of sockets.splice(0)) socket.destroy();
    await proxy.close();
    await new Promise<void>((resolve) => echo.close(() => resolve()));
  });

  async function client(): Promise<{ socket: Socket; received: () => string }> {
    const [host, port] = proxy.address.split(':');
    const socket = connect({ host, port: Number(port) });
    sockets.push(socket);
    let data = '';
    socket.on('data', (chunk) => (data += chunk.toString()));
    socket.on('error', () => undefined);
    await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
    return { socket, received: () => data };
  }

  it('passes bytes both ways', async () => {
    const { socket, received } = await client();
    socket.write('hello');
    await waitUntil(() => received() === 'hello');
  });

  it('blackhole keeps the connection open but drops bytes, pass restores the flow', async () => {
    const { socket, received } = await client();
    proxy.blackhole();
    socket.write('lost');
    await waitUntil(() => proxy.droppedBytes === 'lost'.length);
    expect(socket.destroyed).toBe(false);
    proxy.pass();
    socket.write('back');
    await waitUntil(() => received().endsWith('back'));
    // Dropped, not held back: nothing of 'lost' arrives before 'back' (one connection keeps the order).
    expect(received()).toBe('back');
  });

  it('delay holds each chunk back, on the way there and on the way back', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const held = (): Promise<void> => waitUntil(() => vi.getTimerCount() === 1, { pause: nextTurn });
    const { socket, received } = await client();
    proxy.delay(300);
    socket.write('slow');
    await held();
    vi.advanceTimersByTime(299);
    expect(vi.getTimerCount()).toBe(1);
    vi.advanceTimersByTime(1);
    // The echo of the chunk, held again on its way back.
    await held();
    expect(received()).toBe('');
    vi.advanceTimersByTime(300);
    await waitUntil(() => received() === 'slow', { pause: nextTurn });
  });

  it('resetConnections closes every current connection', async () => {
    const { socket } = await client();
    await waitUntil(() => proxy.connections === 1);
    const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    proxy.resetConnections();
    await closed;
    expect(proxy.connections).toBe(0);
  });
});
