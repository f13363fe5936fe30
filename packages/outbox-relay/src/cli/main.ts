#!/usr/bin/env node
import { readFileSync } from 'node:fs';
import type { CliOutput } from './dead-rows-cli.js';
import { runDeadRowsCli } from './dead-rows-cli.js';
import { RELAY_USAGE, runRelayCli } from './relay-cli.js';

const output: CliOutput = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
};
const argv = process.argv.slice(2);
const [command, ...rest] = argv;

if (argv.length === 1 && (command === '--version' || command === '-v')) {
  const manifest = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  output.out(manifest.version);
} else if (command === 'relay') {
  // The first SIGTERM/SIGINT starts the hand-over; a second one ends the process at once.
  const stopSignal = new Promise<string>((resolve) => {
    const onSignal = (signal: string): void => {
      process.once(signal, () => process.exit(130));
      resolve(signal);
    };
    process.once('SIGTERM', onSignal);
    process.once('SIGINT', onSignal);
  });
  process.exitCode = await runRelayCli(rest, output, stopSignal);
  process.exit();
} else {
  process.exitCode = await runDeadRowsCli(argv, output);
  if (command === '--help' || command === '-h') output.out(`\n${RELAY_USAGE}`);
}
