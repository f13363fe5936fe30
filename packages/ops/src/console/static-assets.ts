import { readFile } from 'node:fs/promises';
import type { ServerResponse } from 'node:http';

/** The console's files ship in the package (assets/console): no CDN, works offline. */
const ASSETS = new URL('../../assets/console/', import.meta.url);

const TYPES: Readonly<Record<string, string>> = {
  'app.js': 'text/javascript; charset=utf-8',
  'style.css': 'text/css; charset=utf-8',
};

export async function sendAsset(response: ServerResponse, name: string): Promise<boolean> {
  const type = TYPES[name];
  if (!type) return false;
  const body = await readFile(new URL(name, ASSETS));
  response.writeHead(200, { 'content-type': type, 'cache-control': 'no-cache' });
  response.end(body);
  return true;
}

/** The page, with this server's CSRF token and mode in meta tags for app.js to read. */
export async function sendPage(response: ServerResponse, csrfToken: string, readOnly: boolean): Promise<void> {
  const html = (await readFile(new URL('index.html', ASSETS), 'utf8'))
    .replace('{{csrf}}', csrfToken)
    .replace('{{readOnly}}', String(readOnly));
  response.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
  response.end(html);
}
