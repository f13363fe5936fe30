import { connect } from 'node:net';

/** Sends a ZooKeeper four-letter command (`ruok`, `srvr`, `stat`) and returns the reply. */
export function fourLetterWord(host: string, port: number, word: string, timeoutMs = 2_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port });
    let reply = '';
    socket.setTimeout(timeoutMs, () => socket.destroy(new Error(`no reply to '${word}' from ${host}:${port}`)));
    socket.on('connect', () => socket.write(word));
    socket.on('data', (chunk) => (reply += chunk.toString()));
    socket.on('end', () => resolve(reply));
    socket.on('error', reject);
  });
}

/** True when the server answers `srvr` with its mode, i.e. it serves client requests. */
export async function isServing(host: string, port: number): Promise<boolean> {
  return (await fourLetterWord(host, port, 'srvr')).includes('Mode:');
}
