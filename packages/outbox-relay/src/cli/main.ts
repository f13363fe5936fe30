#!/usr/bin/env node
import { runDeadRowsCli } from './dead-rows-cli.js';

process.exitCode = await runDeadRowsCli(process.argv.slice(2), {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
});
