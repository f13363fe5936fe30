import { readdirSync, readFileSync } from 'node:fs';

/** CPU time (user + system) a process has used so far, ms, from /proc; a busy machine slows a process but hardly changes this. */
export function cpuMs(pid: number | undefined): number {
  return statCpuMs(readFileSync(`/proc/${pid}/stat`, 'utf8'));
}

/** utime + stime of a /proc/<pid>/stat line (clock ticks of 10 ms), after the command name, which may hold spaces. */
function statCpuMs(stat: string): number {
  const fields = stat.replace(/^.*\) /, '').split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
}

/** The machine's CPU time so far, busy and in all, summed over its cores (the first line of /proc/stat, in clock ticks). */
export interface MachineCpu {
  readonly busy: number;
  readonly total: number;
}

export function machineCpu(): MachineCpu {
  const ticks = (readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '').trim().split(/\s+/).slice(1).map(Number);
  // user nice system idle iowait irq softirq steal: idle and iowait are the time no core had work.
  const idle = (ticks[3] ?? 0) + (ticks[4] ?? 0);
  const total = ticks.slice(0, 8).reduce((sum, value) => sum + value, 0);
  return { busy: total - idle, total };
}

/** The share of all cores' time that was busy between two readings: 1 means every core worked throughout. */
export function busyShare(before: MachineCpu, after: MachineCpu): number {
  return (after.busy - before.busy) / Math.max(1, after.total - before.total);
}

/**
 * CPU time (user + system) all processes of this command name (`mariadbd`, `postgres`) have used
 * so far, ms: a database server's own cost of a benchmark's work, whatever connections did it.
 */
export function commandCpuMs(command: string): number {
  let total = 0;
  for (const pid of readdirSync('/proc').filter((entry) => /^\d+$/.test(entry))) {
    let stat: string;
    try {
      stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    } catch {
      continue; // ended between the listing and the read
    }
    if (stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')) === command) total += statCpuMs(stat);
  }
  return total;
}
