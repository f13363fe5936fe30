import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';
import { chromiumPath } from '@shardflow/testkit';

/** Headless Chromium (Debian's, which `npm run services:install` installs) without a sandbox (tests run as root) or any background traffic. */
export async function launchChromium(): Promise<Browser> {
  const executablePath = chromiumPath();
  if (!existsSync(executablePath)) throw new Error(`No Chromium at ${executablePath}: run 'npm run services:install' (it installs Debian's chromium) or set SHARDFLOW_CHROMIUM`);
  return chromium.launch({
    executablePath,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
}
