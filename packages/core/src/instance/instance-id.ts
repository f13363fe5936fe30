import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';

let sequence = 0;

/**
 * `host@pid@seq-random`: readable in the registry, and unique even for several schedulers in one
 * process (ElasticJob's `ip@-@pid` collides there).
 */
export function generateInstanceId(): string {
  sequence += 1;
  const host = hostname().replace(/[^A-Za-z0-9_.-]/g, '_');
  return `${host}@${process.pid}@${sequence}-${randomBytes(3).toString('hex')}`;
}

const INSTANCE_ID_PATTERN = /^[A-Za-z0-9_.@-]{1,200}$/;

export function isValidInstanceId(instanceId: string): boolean {
  return INSTANCE_ID_PATTERN.test(instanceId);
}
