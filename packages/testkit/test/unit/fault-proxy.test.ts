import { connect, createServer, type Server, type Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FaultProxy } from '../../src/index.js';

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
    await sleep(100);
    expect(received()).toBe('hello');
  });

  it('blackhole keeps the connection open but drops bytes, pass restores the flow', async () => {
    const { socket, received } = await client();
    proxy.blackhole();
    socket.write('lost');
    await sleep(200);
    expect(received()).toBe('');
    expect(socket.destroyed).toBe(false);
    proxy.pass();
    socket.write('back');
    await sleep(100);
    expect(received()).toBe('back');
  });

  it('delay holds each chunk back', async () => {
    const { socket, received } = await client();
    proxy.delay(300);
    socket.write('slow');
    await sleep(100);
    expect(received()).toBe('');
    await sleep(700);
    expect(received()).toBe('slow');
  });

  it('resetConnections closes every current connection', async () => {
    const { socket } = await client();
    await sleep(50);
    expect(proxy.connections).toBe(1);
    const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    proxy.resetConnections();
    await closed;
    expect(proxy.connections).toBe(0);
  });
});
