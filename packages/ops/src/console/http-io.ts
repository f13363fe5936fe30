import type { IncomingMessage, ServerResponse } from 'node:http';
import { InvalidJobConfigError, JobNotFoundError, ShardflowError } from '@shardflow/core';
import { InvalidOutboxConfigError } from '@shardflow/outbox-relay';
import { InvalidOpsArgumentError } from '../errors/invalid-ops-argument-error.js';
import { JobHasInstancesError } from '../errors/job-has-instances-error.js';

const MAX_BODY_BYTES = 64 * 1024;

export function sendJson(response: ServerResponse, status: number, value: unknown): void {
  const body = JSON.stringify(value);
  response.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
  response.end(body);
}

/** A small JSON object body; anything else is a 400 naming the problem. */
export async function readJsonBody(request: IncomingMessage): Promise<Record<string, unknown>> {
  if (!String(request.headers['content-type'] ?? '').startsWith('application/json')) throw new InvalidOpsArgumentError('content-type', request.headers['content-type'], 'must be application/json');
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new InvalidOpsArgumentError('body', undefined, `is larger than ${MAX_BODY_BYTES} bytes`);
    chunks.push(chunk as Buffer);
  }
  let parsed: unknown;
  try {
    parsed = chunks.length === 0 ? {} : JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw new InvalidOpsArgumentError('body', undefined, 'is not JSON');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new InvalidOpsArgumentError('body', undefined, 'must be a JSON object');
  return parsed as Record<string, unknown>;
}

/** A field of the console's error answers: flags of the shared CLI parsers lose their dashes. */
function fieldName(field: string): string {
  return field.replace(/^--/, '');
}

/**
 * Typed errors to HTTP answers. Validation errors list each problem with its field, so the page
 * can show the message next to that field.
 */
export function sendError(response: ServerResponse, error: unknown): void {
  if (error instanceof InvalidJobConfigError) {
    sendJson(response, 400, { error: { code: error.code, message: error.message, problems: error.problems.map((problem) => ({ field: problem.field, message: problem.message })) } });
  } else if (error instanceof InvalidOpsArgumentError || error instanceof InvalidOutboxConfigError) {
    sendJson(response, 400, { error: { code: error.code, message: error.message, problems: [{ field: fieldName(error.field), message: error.message }] } });
  } else if (error instanceof JobNotFoundError) {
    sendJson(response, 404, { error: { code: error.code, message: error.message } });
  } else if (error instanceof JobHasInstancesError) {
    sendJson(response, 409, { error: { code: error.code, message: error.message } });
  } else {
    const shardflow = error instanceof ShardflowError ? error : undefined;
    sendJson(response, 500, { error: { code: shardflow?.code ?? 'INTERNAL', message: error instanceof Error ? error.message : String(error) } });
  }
}
