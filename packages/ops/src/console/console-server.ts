import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from '@shardflow/core';
import { integerFlag, parseRecordFilterFlags, type RecordFilter } from '@shardflow/outbox-relay';
import { ConsoleAuthRequiredError } from '../errors/console-auth-required-error.js';
import { InvalidOpsArgumentError } from '../errors/invalid-ops-argument-error.js';
import type { JobAdmin } from '../jobs/job-admin.js';
import { parseConfigAssignments } from '../jobs/parse-config-assignments.js';
import type { OutboxAdmin } from '../outbox/outbox-admin.js';
import type { HistoryAdmin } from '../history/history-admin.js';
import { relayItems } from '../outbox/relay-items.js';
import { isAuthorized, isLoopback, type ConsoleAuth } from './console-auth.js';
import { readJsonBody, sendError, sendJson } from './http-io.js';
import { streamChanges } from './event-stream.js';
import { watchJob } from '../jobs/watch-job.js';
import { watchNamespace } from '../jobs/watch-namespace.js';
import { sendAsset, sendPage } from './static-assets.js';

export interface ConsoleOptions {
  readonly registry: Registry;
  readonly jobs: JobAdmin;
  /** Without it the outbox page says the outbox is not configured. */
  readonly outbox?: OutboxAdmin;
  /** Without it the job page says the execution history is not enabled. */
  readonly history?: HistoryAdmin;
  /** The relay's job name, for the outbox backlog per item. */
  readonly relayJob?: string;
  /** Default 127.0.0.1. Any other address needs `auth`. */
  readonly host?: string;
  /** Default 8080; 0 picks a free port. */
  readonly port?: number;
  readonly readOnly?: boolean;
  readonly auth?: ConsoleAuth;
}

export interface RunningConsole {
  /** http://host:port/ */
  readonly url: string;
  close(): Promise<void>;
}

const MAX_DEAD_ROWS = 1_000;
const HISTORY_ROWS = 20;
/** Fields of the config form; each maps to a config field of the same name. */
const EDITABLE_FIELDS = ['cron', 'shardingTotalCount', 'jobParameter', 'shardingItemParameters', 'description'] as const;

/**
 * The web console: a thin adapter over the operations API (JobAdmin, OutboxAdmin), on node:http.
 * Security: loopback by default, and any other address only with a secret (ConsoleAuthRequiredError
 * otherwise, before listening); every change is a JSON POST carrying the page's CSRF token from a
 * same-origin page; `readOnly` refuses every change.
 */
export async function startConsole(options: ConsoleOptions): Promise<RunningConsole> {
  const host = options.host ?? '127.0.0.1';
  if (!isLoopback(host) && !options.auth) throw new ConsoleAuthRequiredError(host);
  const port = options.port ?? 8080;
  if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new InvalidOpsArgumentError('port', port, 'must be an integer from 0 to 65535');
  const csrfToken = randomBytes(24).toString('base64url');
  const readOnly = options.readOnly ?? false;
  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      if (!response.headersSent) sendError(response, error);
      else response.end();
    });
  });

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    response.setHeader('x-frame-options', 'DENY');
    response.setHeader('x-content-type-options', 'nosniff');
    response.setHeader('content-security-policy', "default-src 'self'; frame-ancestors 'none'");
    if (options.auth && !isAuthorized(request.headers.authorization, options.auth)) {
      response.writeHead(401, { 'www-authenticate': 'Basic realm="shardflow console", charset="UTF-8"', 'content-type': 'text/plain' });
      response.end('authentication required\n');
      return;
    }
    const url = new URL(request.url ?? '/', 'http://console');
    const path = url.pathname;
    if (request.method === 'GET') {
      if (path === '/') return sendPage(response, csrfToken, readOnly);
      if (path.startsWith('/assets/') && (await sendAsset(response, path.slice('/assets/'.length)))) return;
      return get(path, url.searchParams, request, response);
    }
    if (request.method === 'POST') {
      if (readOnly) return sendJson(response, 403, { error: { code: 'READ_ONLY', message: 'the console runs with --read-only' } });
      if (!sameOriginWithToken(request, csrfToken)) return sendJson(response, 403, { error: { code: 'CSRF', message: 'missing or wrong CSRF token, or a cross-site request' } });
      return post(path, await readJsonBody(request), response);
    }
    response.writeHead(405, { allow: 'GET, POST' });
    response.end();
  }

  async function get(path: string, query: URLSearchParams, request: IncomingMessage, response: ServerResponse): Promise<void> {
    const jobMatch = /^\/api\/jobs\/([^/]+)(\/events|\/history|\/trace)?$/.exec(path);
    if (path === '/api/info') return sendJson(response, 200, { readOnly, outbox: options.outbox !== undefined, relayJob: options.relayJob ?? null, history: options.history !== undefined });
    if (path === '/api/jobs') return sendJson(response, 200, await options.jobs.listJobs());
    if (path === '/api/jobs-events') {
      return streamChanges(request, response, { watch: (onChange) => watchNamespace(options.registry, onChange), read: () => options.jobs.listJobs(), event: 'jobs' });
    }
    if (jobMatch) {
      const name = decodeURIComponent(jobMatch[1] as string);
      if (jobMatch[2] === '/history') return sendJson(response, 200, options.history ? await options.history.recentExecutions(name, HISTORY_ROWS) : { enabled: false });
      if (jobMatch[2] === '/trace') return sendJson(response, 200, options.history ? await options.history.statusTrace(name, query.get('task') ?? '') : { enabled: false });
      if (jobMatch[2]) return streamChanges(request, response, { watch: (onChange) => watchJob(options.registry, name, onChange), read: () => options.jobs.describeJob(name), event: 'job' });
      return sendJson(response, 200, await options.jobs.describeJob(name));
    }
    if (path === '/api/outbox/backlog') {
      const outbox = requireOutbox();
      const clusters = await outbox.backlog();
      const items = options.relayJob ? await outbox.backlogByItem(relayItems(await options.jobs.describeJob(options.relayJob))) : undefined;
      return sendJson(response, 200, { clusters, items: items ?? null });
    }
    if (path === '/api/outbox/dead') {
      const outbox = requireOutbox();
      const filter = filterFrom(query);
      const limitText = query.get('limit');
      const limit = limitText ? integerFlag('limit', limitText, 1, MAX_DEAD_ROWS) : 100;
      const [rows, count] = await Promise.all([outbox.listDead(filter, limit), outbox.countDead(filter)]);
      return sendJson(response, 200, { rows, count });
    }
    sendJson(response, 404, { error: { code: 'NOT_FOUND', message: `no such page: ${path}` } });
  }

  async function post(path: string, body: Record<string, unknown>, response: ServerResponse): Promise<void> {
    const match = /^\/api\/jobs\/([^/]+)\/(trigger|enable|disable|config)$/.exec(path);
    if (match) {
      const name = decodeURIComponent(match[1] as string);
      const action = match[2] as 'trigger' | 'enable' | 'disable' | 'config';
      if (action === 'trigger') await options.jobs.trigger(name);
      else if (action === 'config') {
        const assignments = EDITABLE_FIELDS.filter((field) => typeof body[field] === 'string').map((field) => `${field}=${String(body[field])}`);
        if (assignments.length === 0) throw new InvalidOpsArgumentError('config', undefined, `give at least one of ${EDITABLE_FIELDS.join(', ')}`);
        return sendJson(response, 200, await options.jobs.updateConfig(name, parseConfigAssignments(assignments)));
      } else {
        const enabled = action === 'enable';
        if (typeof body['instance'] === 'string') await options.jobs.setInstanceEnabled(name, body['instance'], enabled);
        else if (body['item'] !== undefined) await options.jobs.setItemEnabled(name, Number(body['item']), enabled);
        else await options.jobs.setJobEnabled(name, enabled);
      }
      return sendJson(response, 200, { ok: true });
    }
    if (path === '/api/outbox/dead/replay') {
      const outbox = requireOutbox();
      const filter = replayFilter(body);
      return sendJson(response, 200, { replayed: await outbox.replayDead(filter) });
    }
    sendJson(response, 404, { error: { code: 'NOT_FOUND', message: `no such action: ${path}` } });
  }

  function requireOutbox(): OutboxAdmin {
    if (!options.outbox) throw new InvalidOpsArgumentError('outbox', undefined, 'is not configured: start the console with --db (or SHARDFLOW_DB)');
    return options.outbox;
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  return {
    url: `http://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}/`,
    close: () => closeServer(server),
  };
}

/** The page's filter fields, parsed as the CLI's flags are. */
function filterFrom(query: URLSearchParams): RecordFilter {
  const text = (name: string): string | undefined => query.get(name) || undefined;
  const ids = text('id');
  return parseRecordFilterFlags({ id: ids === undefined ? undefined : [ids], key: text('key'), topic: text('topic'), cluster: text('cluster'), from: text('from'), to: text('to') });
}

/** Replay of the selected ids, or of everything the filter matches; an empty filter needs `all`. */
function replayFilter(body: Record<string, unknown>): RecordFilter {
  if (Array.isArray(body['ids'])) {
    if (body['ids'].length === 0 || !body['ids'].every((id) => Number.isSafeInteger(id) && (id as number) > 0)) throw new InvalidOpsArgumentError('ids', JSON.stringify(body['ids']), 'must be a non-empty list of row ids');
    return { ids: body['ids'] as number[] };
  }
  const filter = filterFrom(new URLSearchParams(Object.entries(body).filter(([, value]) => typeof value === 'string') as Array<[string, string]>));
  if (Object.keys(filter).length === 0 && body['all'] !== true) throw new InvalidOpsArgumentError('all', undefined, 'must be true to replay every dead row (no filter given)');
  return filter;
}

/**
 * The CSRF token the page carries, from a same-origin page (Origin and Sec-Fetch-Site, when sent,
 * agree). The Origin's host is compared, not its scheme, so a TLS proxy in front still works.
 */
function sameOriginWithToken(request: IncomingMessage, token: string): boolean {
  const given = Buffer.from(String(request.headers['x-csrf-token'] ?? ''));
  const expected = Buffer.from(token);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return false;
  const site = request.headers['sec-fetch-site'];
  if (site !== undefined && site !== 'same-origin') return false;
  const origin = request.headers.origin;
  if (origin === undefined) return true;
  try {
    return new URL(origin).host === request.headers.host;
  } catch {
    return false;
  }
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    // Event streams stay open until their clients leave; a stopping console does not wait for them.
    server.closeAllConnections();
  });
}
