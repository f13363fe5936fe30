import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

/** Debian's chromium, which the project's setup installs (`npm run services:install`). */
export const CHROMIUM_PATH = process.env['SHARDFLOW_CHROMIUM'] ?? '/usr/bin/chromium';

/** Headless Chromium without a sandbox (tests run as root) or any background traffic. */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) throw new Error(`No Chromium at ${CHROMIUM_PATH}: run 'npm run services:install' (it installs Debian's chromium) or set SHARDFLOW_CHROMIUM`);
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
}
