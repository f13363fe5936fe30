import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { servicesCacheDir } from './service-jars.js';

/** Every JVM we start carries this property, so an orphan sweep never kills anything else. */
const MARKER = '-Dshardflow.testkit=1';

export interface JvmSpec {
  /** Short name for logs and pid files, e.g. `zookeeper-1` or `kafka-cluster_a`. */
  readonly name: string;
  readonly classpathDir: string;
  readonly mainClass: string;
  readonly args: readonly string[];
  readonly workDir: string;
  readonly heapMb?: number;
  /** Extra JVM options (system properties), placed before the main class. */
  readonly jvmArgs?: readonly string[];
}

const live = new Set<ChildProcess>();
let exitHookInstalled = false;

function pidDir(): string {
  return join(servicesCacheDir(), 'pids');
}

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  const killAll = (): void => {
    for (const child of live) child.kill('SIGKILL');
  };
  process.once('exit', killAll);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(signal, () => {
      killAll();
      process.exit(130);
    });
  }
}

function isOurJvm(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').includes(MARKER);
  } catch {
    return false;
  }
}

/**
 * Kills JVMs left behind by an earlier run that was itself killed (its exit hooks never ran).
 * Only processes whose command line carries our marker are touched.
 */
export function sweepOrphanJvms(): number {
  if (!existsSync(pidDir())) return 0;
  let killed = 0;
  for (const file of readdirSync(pidDir())) {
    const pid = Number(readFileSync(join(pidDir(), file), 'utf8'));
    const owner = Number(file.split('-')[0]);
    const ownerAlive = owner !== process.pid && existsSync(`/proc/${owner}`);
    if (!ownerAlive && isOurJvm(pid)) {
      process.kill(pid, 'SIGKILL');
      killed += 1;
    }
    if (!ownerAlive) rmSync(join(pidDir(), file), { force: true });
  }
  return killed;
}

/** A JVM service process: started, stopped (SIGTERM, then SIGKILL after a bound), restartable. */
export class JvmProcess {
  private child: ChildProcess | undefined;
  private exited: Promise<void> = Promise.resolve();

  constructor(private readonly spec: JvmSpec) {}

  get logFile(): string {
    return join(this.spec.workDir, `${this.spec.name}.out`);
  }

  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  start(): void {
    if (this.running) return;
    installExitHook();
    mkdirSync(this.spec.workDir, { recursive: true });
    const log4j = join(this.spec.workDir, 'log4j.properties');
    writeFileSync(log4j, [
      'log4j.rootLogger=WARN, file',
      'log4j.appender.file=org.apache.log4j.FileAppender',
      `log4j.appender.file.File=${join(this.spec.workDir, `${this.spec.name}.log`)}`,
      'log4j.appender.file.layout=org.apache.log4j.PatternLayout',
      'log4j.appender.file.layout.ConversionPattern=%d %p %c{1} %m%n',
      '',
    ].join('\n'));
    const out = openSync(this.logFile, 'a');
    const heap = this.spec.heapMb ?? 256;
    const child = spawn('java', [
      MARKER,
      `-Xms${Math.min(64, heap)}m`, `-Xmx${heap}m`, '-XX:+UseSerialGC', '-XX:TieredStopAtLevel=1', '-Xss512k',
      '-Djava.awt.headless=true', `-Dlog4j.configuration=file:${log4j}`, '-Dzookeeper.admin.enableServer=false',
      ...(this.spec.jvmArgs ?? []), '-cp', `${this.spec.classpathDir}/*`, this.spec.mainClass, ...this.spec.args,
    ], { cwd: this.spec.workDir, stdio: ['ignore', out, out] });
    closeSync(out);
    this.child = child;
    live.add(child);
    mkdirSync(pidDir(), { recursive: true });
    const pidFile = join(pidDir(), `${process.pid}-${this.spec.name}-${child.pid}`);
    writeFileSync(pidFile, String(child.pid));
    this.exited = new Promise((resolve) => child.once('exit', () => {
      live.delete(child);
      rmSync(pidFile, { force: true });
      resolve();
    }));
  }

  async stop(graceMs = 10_000): Promise<void> {
    const child = this.child;
    if (!child || !this.running) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    await this.exited;
    clearTimeout(timer);
  }

  /** Last lines of the process output, for error messages. */
  tail(lines = 30): string {
    try {
      return readFileSync(this.logFile, 'utf8').split('\n').slice(-lines).join('\n');
    } catch {
      return '';
    }
  }
}
