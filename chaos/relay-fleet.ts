/**
 * The relay processes of a chaos run, and the record of what was done to them. Each slot
 * (relay-1..3) always has one process: when one dies (killed by us or not) a new one starts, with
 * its own run log and its own instance id (`relay-1.2` is slot 1's second process), as a restarted
 * process on another host or pid would have. Frozen processes (SIGSTOP) are neither killed nor
 * frozen again until resumed; a freeze is aimed at a process in the middle of an item run.
 * The times recorded here are what the overlap analysis cuts out and ends runs at: a pause is timed
 * from just after SIGSTOP to just before SIGCONT, a death from just after SIGKILL.
 */
import type { ChildProcess } from 'node:child_process';
import { closeSync, createWriteStream, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { startRelayProcess } from '../test/fixtures/relay-processes.js';
import type { Interval } from './intervals.js';
import type { Kill } from './failover-times.js';
import type { RelayLife } from './overlaps.js';
import { RunLogTail } from './run-log-tail.js';

interface Life extends RelayLife {
  endedAt: number | undefined;
  readonly pauses: Interval[];
  readonly runLog: string;
  readonly stderr: string;
}

interface Member {
  readonly life: Life;
  readonly child: ChildProcess;
  readonly tail: RunLogTail;
  killedByUs: boolean;
  frozenSince: number | undefined;
}

export interface UnexpectedExit {
  readonly process: string;
  readonly how: string;
  readonly stderrTail: string;
}

export class RelayFleet {
  readonly lives: Life[] = [];
  readonly kills: Kill[] = [];
  readonly unexpectedExits: UnexpectedExit[] = [];
  private readonly current = new Map<string, Member>();
  private readonly launches = new Set<Promise<void>>();
  private readonly incarnations = new Map<string, number>();
  private stopping = false;

  constructor(
    private readonly slots: readonly string[],
    private readonly env: Record<string, string>,
    private readonly logDir: string,
  ) {}

  /** Starts a process in every slot and waits until each is ready. */
  async start(): Promise<void> {
    await Promise.all(this.slots.map((slot) => this.launch(slot)));
  }

  /** SIGKILL a random live, unfrozen, ready relay; it is restarted at once. Returns its process name. */
  kill(random: () => number): string | undefined {
    const victim = this.pick(random);
    if (!victim) return undefined;
    victim.killedByUs = true;
    victim.child.kill('SIGKILL');
    const at = Date.now();
    victim.life.endedAt = at;
    this.kills.push({ process: victim.life.process, at });
    return victim.life.process;
  }

  /**
   * SIGSTOP a live, unfrozen, ready relay for `forMs`, then SIGCONT: the first one seen within
   * `aimMs` in an item run that has begun sending, else one seen in any item run, else a random
   * one. Returns its process name.
   */
  async freeze(random: () => number, forMs: number, aimMs = 3_000): Promise<string | undefined> {
    const deadline = Date.now() + aimMs;
    let sending: Member | undefined;
    let busy: Member | undefined;
    while (!sending && Date.now() < deadline) {
      for (const member of this.candidates()) {
        const runs = [...member.tail.openRuns().values()];
        if (runs.some((sends) => sends > 0)) sending ??= member;
        if (runs.length > 0) busy ??= member;
      }
      if (!sending) await sleep(5);
    }
    const victim = [sending, busy, this.pick(random)].find((member) => member !== undefined && this.candidates().includes(member));
    if (!victim) return undefined;
    victim.child.kill('SIGSTOP');
    victim.frozenSince = Date.now();
    setTimeout(() => this.resume(victim), forMs).unref();
    return victim.life.process;
  }

  resumeAll(): void {
    for (const member of this.current.values()) this.resume(member);
  }

  /** Resolves once every slot has a ready process (restarts keep going), or after `timeoutMs`. */
  async allReady(timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (this.current.size < this.slots.length && Date.now() < deadline) await sleep(200);
    return this.current.size === this.slots.length;
  }

  /** Stops restarting, resumes frozen relays, and stops them all gracefully (SIGKILL after 15 s). */
  async stop(): Promise<void> {
    this.stopping = true;
    await Promise.allSettled([...this.launches]);
    this.resumeAll();
    await Promise.all([...this.current.values()].map((member) => new Promise<void>((resolve) => {
      if (member.child.exitCode !== null || member.child.signalCode !== null) return resolve();
      member.child.once('exit', () => resolve());
      member.child.kill('SIGTERM');
      setTimeout(() => member.child.kill('SIGKILL'), 15_000).unref();
    })));
  }

  private resume(member: Member): void {
    if (member.frozenSince === undefined) return;
    const to = Date.now();
    member.child.kill('SIGCONT');
    member.life.pauses.push({ from: member.frozenSince, to });
    member.frozenSince = undefined;
  }

  private pick(random: () => number): Member | undefined {
    const candidates = this.candidates();
    return candidates[Math.floor(random() * candidates.length)];
  }

  private candidates(): Member[] {
    return [...this.current.values()].filter((member) => member.frozenSince === undefined && member.life.endedAt === undefined);
  }

  private launch(slot: string): Promise<void> {
    const launch = this.launchUntilReady(slot).finally(() => this.launches.delete(launch));
    this.launches.add(launch);
    return launch;
  }

  private async launchUntilReady(slot: string): Promise<void> {
    while (!this.stopping) {
      const incarnation = (this.incarnations.get(slot) ?? 0) + 1;
      this.incarnations.set(slot, incarnation);
      const instance = `${slot}.${incarnation}`;
      const life: Life = {
        process: instance, instance, endedAt: undefined, pauses: [],
        runLog: join(this.logDir, `${instance}.jsonl`),
        stderr: join(this.logDir, `${instance}.stderr`),
      };
      this.lives.push(life);
      const stderr = openSync(life.stderr, 'a');
      try {
        const child = await startRelayProcess(instance, { ...this.env, RELAY_RUN_LOG: life.runLog }, { stderr });
        // Its events after ready (items, leadership, errors), beside its run log.
        child.stdout?.pipe(createWriteStream(join(this.logDir, `${instance}.stdout`)));
        const member: Member = { life, child, tail: new RunLogTail(life.runLog), killedByUs: false, frozenSince: undefined };
        this.current.set(slot, member);
        child.once('exit', (code, signal) => this.onExit(slot, member, code ?? signal));
        return;
      } catch (error) {
        life.endedAt = Date.now();
        this.unexpectedExits.push({ process: instance, how: (error as Error).message, stderrTail: tail(life.stderr) });
        await sleep(1_000);
      } finally {
        closeSync(stderr);
      }
    }
  }

  private onExit(slot: string, member: Member, how: number | string | null): void {
    member.life.endedAt ??= Date.now();
    if (this.current.get(slot) === member) this.current.delete(slot);
    if (this.stopping) return;
    if (!member.killedByUs) this.unexpectedExits.push({ process: member.life.process, how: `exited (${how})`, stderrTail: tail(member.life.stderr) });
    void this.launch(slot);
  }
}

function tail(path: string): string {
  try {
    return readFileSync(path, 'utf8').slice(-1_500);
  } catch {
    return '';
  }
}
