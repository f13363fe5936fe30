import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const relayScript = fileURLToPath(new URL('../../examples/user-register-relay/src/relay.ts', import.meta.url));

/** Starts the example relay as separate OS processes and resolves once each reports ready. */
export async function startRelayProcesses(count: number, env: Record<string, string>): Promise<ChildProcess[]> {
  return Promise.all(Array.from({ length: count }, (_, index) => new Promise<ChildProcess>((resolve, reject) => {
    const child = spawn(process.execPath, ['--conditions=@shardflow/source', '--import', 'tsx', relayScript], {
      env: { ...process.env, ...env, RELAY_INSTANCE_ID: `bench-relay-${index + 1}` },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    child.stdout?.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('"event":"ready"')) resolve(child);
    });
    child.once('exit', (code) => reject(new Error(`relay ${index + 1} exited with ${code}`)));
  })));
}

export async function stopProcesses(children: readonly ChildProcess[]): Promise<void> {
  await Promise.all(children.map((child) => new Promise<void>((resolve) => {
    if (child.exitCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
    setTimeout(() => child.kill('SIGKILL'), 10_000).unref();
  })));
}
