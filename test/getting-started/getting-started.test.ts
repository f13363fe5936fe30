import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { waitUntil } from '@shardflow/testkit';
import { afterAll, describe, expect, it } from 'vitest';
import { packWorkspaces, repositoryRoot } from '../fixtures/packed-workspaces.js';

/**
 * docs/getting-started.md, followed as a new user would: its code blocks are read from the page
 * itself, so the page cannot drift from what this test proves. Only the packing step runs here
 * with a scratch destination instead of the checkout's parent folder.
 */
const page = readFileSync(join(repositoryRoot, 'docs', 'getting-started.md'), 'utf8');
const blocks = [...page.matchAll(/```(\w+)\n([\s\S]*?)```/g)].map((match) => ({ lang: match[1] as string, code: match[2] as string }));

function block(lang: string, containing: string): string {
  const found = blocks.filter((candidate) => candidate.lang === lang && candidate.code.includes(containing));
  if (found.length !== 1) throw new Error(`docs/getting-started.md: expected one ${lang} block containing '${containing}', found ${found.length}`);
  return (found[0] as { code: string }).code;
}

// Asynchronous throughout: a test worker whose event loop blocks for long loses its link to vitest.
const run = promisify(execFile);

const ITEMS_LINE = /^this instance runs items (\[[\d,]*\])$/;
const SENT_LINE = /^item (\d+) \(\w\): sent [\d, ]+$/;

/** A shell command of the page, run as its own process group so that a kill reaches every process it started. */
class DocProcess {
  readonly lines: string[] = [];
  private stderr = '';
  private readonly child: ChildProcess;
  readonly exited: Promise<void>;

  constructor(readonly name: string, command: string, cwd: string, env: NodeJS.ProcessEnv) {
    this.child = spawn('bash', ['-c', command], { cwd, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let partial = '';
    this.child.stdout?.on('data', (chunk: Buffer) => {
      const parts = (partial + chunk.toString()).split('\n');
      partial = parts.pop() ?? '';
      this.lines.push(...parts);
    });
    this.child.stderr?.on('data', (chunk: Buffer) => (this.stderr += chunk.toString()));
    this.exited = new Promise((resolve) => this.child.once('exit', () => resolve()));
  }

  get exitCode(): number | null {
    return this.child.exitCode;
  }

  get alive(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** The items of the last `this instance runs items [...]` line, or undefined before the first. */
  get items(): number[] | undefined {
    const last = this.lines.map((line) => ITEMS_LINE.exec(line)).filter((match) => match !== null).at(-1);
    return last ? (JSON.parse(last[1] as string) as number[]) : undefined;
  }

  sentItems(fromLine = 0): Set<number> {
    return new Set(this.lines.slice(fromLine).map((line) => SENT_LINE.exec(line)).filter((match) => match !== null).map((match) => Number(match[1])));
  }

  output(): string {
    return `--- ${this.name} stdout\n${this.lines.join('\n')}\n--- ${this.name} stderr\n${this.stderr.slice(-3_000)}`;
  }

  kill(signal: NodeJS.Signals): void {
    if (this.child.pid !== undefined && this.alive) process.kill(-this.child.pid, signal);
  }
}

describe('docs/getting-started.md, step by step', () => {
  const workDir = mkdtempSync(join(tmpdir(), 'shardflow-getting-started-'));
  const processes: DocProcess[] = [];
  // A fresh shell: none of the test run's services or npm settings, this test's Node first on PATH.
  const shellEnv: NodeJS.ProcessEnv = Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^(SHARDFLOW_|npm_|NODE_OPTIONS$|VITEST)/i.test(name)));
  shellEnv['PATH'] = `${dirname(process.execPath)}${delimiter}${process.env['PATH'] ?? ''}`;

  afterAll(async () => {
    for (const running of processes) running.kill('SIGKILL');
    await Promise.all(processes.map((running) => running.exited));
    rmSync(workDir, { recursive: true, force: true });
  });

  it('packs, installs, starts ZooKeeper, runs the job twice, reshards and fails over a kill -9', async () => {
    const start = (name: string, command: string, cwd: string, env = shellEnv): DocProcess => {
      const started = new DocProcess(name, command, cwd, env);
      processes.push(started);
      return started;
    };
    const detail = (): string => processes.map((running) => running.output()).join('\n');

    // "Packages from the checkout": the tarballs the page names, beside the project folder.
    const packBlock = block('sh', 'npm pack');
    const packed = (await packWorkspaces(workDir)).filter((entry) => packBlock.includes(entry.name));
    expect(packed.map((entry) => entry.name)).toEqual(['@shardflow/core', '@shardflow/testkit']);
    for (const entry of packed) expect(page).toContain(`\`${entry.tarball.slice(workDir.length + 1)}\``);

    // "A project for your job", literally.
    await run('bash', ['-ec', block('sh', 'mkdir my-job')], { cwd: workDir, env: shellEnv, timeout: 300_000 });
    const project = join(workDir, 'my-job');
    expect((await run('npx', ['shardflow-services', '--version'], { cwd: project, env: shellEnv, encoding: 'utf8' })).stdout.trim()).toBe(packed[1]?.version);

    // "Start ZooKeeper": its printed export line is what the job reads.
    const services = start('shardflow-services', block('sh', 'shardflow-services start').trim(), project);
    await waitUntil(() => services.lines.some((line) => line.startsWith('export SHARDFLOW_ZK=')), { what: 'the SHARDFLOW_ZK line', timeoutMs: 240_000, intervalMs: 200, detail });
    const exportLine = services.lines.find((line) => line.startsWith('export SHARDFLOW_ZK=')) as string;
    const zookeeper = /^export SHARDFLOW_ZK='([^']+)'$/.exec(exportLine)?.[1];
    expect(zookeeper).toMatch(/^127\.0\.0\.1:\d+$/);
    const jobEnv = { ...shellEnv, SHARDFLOW_ZK: zookeeper };

    // "Write a DataflowJob": the page's code, saved as it says.
    writeFileSync(join(project, 'my-job.ts'), block('ts', '// my-job.ts'));
    // "Run it on two processes": Node that strips types runs the file itself, as the page says.
    const typeStripping = Boolean((process.features as { typescript?: unknown }).typescript);
    const runCommand = typeStripping ? 'node my-job.ts' : block('sh', 'my-job.ts').trim();
    expect(page).toContain('`node my-job.ts`');
    expect(runCommand).toMatch(/^(npx tsx|node) my-job\.ts$/);

    const first = start('first', runCommand, project, jobEnv);
    await waitUntil(() => JSON.stringify(first.items) === '[0,1,2,3]', { what: 'the first process to run every item', timeoutMs: 60_000, intervalMs: 100, detail });

    const second = start('second', runCommand, project, jobEnv);
    await waitUntil(() => first.items?.length === 2 && second.items?.length === 2, { what: 'the reshard to two items each', timeoutMs: 60_000, intervalMs: 100, detail });
    expect([...(first.items ?? []), ...(second.items ?? [])].sort()).toEqual([0, 1, 2, 3]);
    // The second process really works its items: its own stand-in backlog goes out on the next fire.
    const secondItems = second.items ?? [];
    await waitUntil(() => secondItems.every((item) => second.sentItems().has(item)), { what: 'the second process to send its items', timeoutMs: 60_000, intervalMs: 200, detail });

    // "See failover": kill -9 of the first, the survivor takes every item and works the taken ones.
    const firstItems = first.items ?? [];
    const linesBeforeKill = second.lines.length;
    const killedAt = Date.now();
    first.kill('SIGKILL');
    await first.exited;
    await waitUntil(() => JSON.stringify(second.items) === '[0,1,2,3]', { what: 'the survivor to own every item', timeoutMs: 90_000, intervalMs: 100, detail });
    const failoverMs = Date.now() - killedAt;
    await waitUntil(() => firstItems.every((item) => second.sentItems(linesBeforeKill).has(item)), { what: 'the survivor to send the taken items', timeoutMs: 60_000, intervalMs: 200, detail });
    console.log(`getting started on Node ${process.version} with '${runCommand}': survivor owned every item ${failoverMs} ms after kill -9`);

    // "Operate it from anywhere": the page's operator script, run like the job, reshards it live to 8 items.
    writeFileSync(join(project, 'operate.ts'), block('ts', '// operate.ts'));
    const operate = start('operate', runCommand.replace('my-job.ts', 'operate.ts'), project, jobEnv);
    await operate.exited;
    expect(operate.exitCode, detail()).toBe(0);
    // Its status shows the one instance left, the one the survivor said it is.
    const survivorId = second.lines.map((line) => /^instance (\S+) started/.exec(line)?.[1]).find(Boolean);
    expect(survivorId).toBeDefined();
    expect(operate.lines.join('\n')).toContain(survivorId);
    await waitUntil(() => JSON.stringify(second.items) === '[0,1,2,3,4,5,6,7]', { what: 'the live reshard to 8 items', timeoutMs: 60_000, intervalMs: 100, detail });

    // Ctrl-C ends the job through its shutdown path while ZooKeeper is still there; then the services.
    second.kill('SIGINT');
    await waitUntil(() => !second.alive, { what: 'the job to exit after Ctrl-C', timeoutMs: 60_000, intervalMs: 100, detail });
    services.kill('SIGINT');
    await waitUntil(() => !services.alive, { what: 'shardflow-services to exit after Ctrl-C', timeoutMs: 60_000, intervalMs: 100, detail });
  }, 900_000);
});
