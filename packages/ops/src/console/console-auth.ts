import { timingSafeEqual } from 'node:crypto';
import { isIP } from 'node:net';

/** Who may use a console bound beyond loopback: a token, or a user and password (HTTP basic). */
export type ConsoleAuth = { readonly token: string } | { readonly user: string; readonly password: string };

/** The secret comes from the environment only, never from a flag. Undefined when none is set. */
export function consoleAuthFromEnv(env: NodeJS.ProcessEnv): ConsoleAuth | undefined {
  const token = env['SHARDFLOW_CONSOLE_TOKEN'];
  if (token) return { token };
  const user = env['SHARDFLOW_CONSOLE_USER'];
  const password = env['SHARDFLOW_CONSOLE_PASSWORD'];
  return user && password ? { user, password } : undefined;
}

export function isLoopback(host: string): boolean {
  if (host === 'localhost') return true;
  if (isIP(host) === 4) return host.startsWith('127.');
  return host === '::1';
}

/**
 * Checks an Authorization header: `Bearer <token>` or basic auth. With a token, basic auth with
 * any user name and the token as password is accepted too, so a browser's own login prompt works.
 */
export function isAuthorized(header: string | undefined, auth: ConsoleAuth): boolean {
  if (!header) return false;
  const [scheme, credentials = ''] = header.split(' ', 2);
  if ('token' in auth) {
    if (scheme === 'Bearer') return same(credentials, auth.token);
    if (scheme !== 'Basic') return false;
    const decoded = Buffer.from(credentials, 'base64').toString('utf8');
    return same(decoded.slice(decoded.indexOf(':') + 1), auth.token);
  }
  if (scheme !== 'Basic') return false;
  const decoded = Buffer.from(credentials, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  // Both compared every time: how long a check takes says nothing about which part was wrong.
  const userMatches = same(decoded.slice(0, Math.max(colon, 0)), auth.user);
  const passwordMatches = same(decoded.slice(colon + 1), auth.password);
  return colon >= 0 && userMatches && passwordMatches;
}

/** Constant-time comparison of two strings. */
function same(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}
