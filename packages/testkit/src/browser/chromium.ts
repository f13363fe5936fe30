import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { TestkitError } from '../errors/testkit-error.js';

/** The Chromium the browser tests drive: Debian's package, or SHARDFLOW_CHROMIUM. */
export function chromiumPath(): string {
  return process.env['SHARDFLOW_CHROMIUM'] ?? '/usr/bin/chromium';
}

/**
 * Installs Debian's `chromium` package when no Chromium is there, like the service jars are
 * fetched: the project's own setup brings what its tests need. The package index is refreshed
 * only when the first attempt fails (a fresh machine has none).
 */
export function ensureChromium(log: (line: string) => void = console.log): string {
  const path = chromiumPath();
  if (existsSync(path)) return path;
  if (process.env['SHARDFLOW_CHROMIUM']) throw new TestkitError('MISSING_TOOL', `SHARDFLOW_CHROMIUM names ${path}, which does not exist`);
  log('Chromium missing: apt-get install -y chromium');
  const install = (): boolean => spawnSync('apt-get', ['install', '-y', '--no-install-recommends', 'chromium'], { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } }).status === 0;
  if (!install()) {
    spawnSync('apt-get', ['update'], { stdio: 'inherit' });
    if (!install()) throw new TestkitError('MISSING_TOOL', 'Installing Chromium failed: run apt-get install -y chromium as root, or set SHARDFLOW_CHROMIUM to a Chromium binary');
  }
  if (!existsSync(path)) throw new TestkitError('MISSING_TOOL', `apt-get installed chromium, but ${path} does not exist`);
  return path;
}
