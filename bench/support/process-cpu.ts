import { readFileSync } from 'node:fs';

/** CPU time (user + system) a process has used so far, ms, from /proc; a busy machine slows a process but hardly changes this. */
export function cpuMs(pid: number | undefined): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /, '').split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
}
