// Helpers for the benchmark: child processes on loopback, their /proc counters, and waiting.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BIN = fileURLToPath(new URL('../bin/hongyan.js', import.meta.url));

export interface Child {
  name: string;
  proc: ChildProcess;
  pid: number;
  /** Resolves with the exit code (or signal name) when the process ends. */
  exited: Promise<string>;
  /** The last lines it wrote, for a failure report. */
  tail(): string;
  stop(): Promise<void>;
}

/**
 * Spawn `node [nodeArgs] bin/hongyan.js …` directly (no shell, no npm), so `pid` is the Hongyan
 * process itself. `nodeArgs` is for flags NODE_OPTIONS refuses, such as --cpu-prof.
 */
export function spawnHongyan(
  name: string,
  args: string[],
  env: Record<string, string>,
  nodeArgs: string[] = [],
): Child {
  const proc = spawn(process.execPath, [...nodeArgs, BIN, ...args], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  const keep = (chunk: Buffer) => {
    for (const l of chunk.toString('utf8').split('\n')) if (l.trim()) lines.push(l);
    if (lines.length > 60) lines.splice(0, lines.length - 60);
  };
  proc.stdout!.on('data', keep);
  proc.stderr!.on('data', keep);
  let done = false;
  const exited = new Promise<string>((resolve) => {
    proc.on('exit', (code, signal) => {
      done = true;
      resolve(signal ?? String(code));
    });
  });
  if (proc.pid === undefined) throw new Error(`could not spawn ${name}`);
  return {
    name,
    proc,
    pid: proc.pid,
    exited,
    tail: () => lines.join('\n'),
    async stop() {
      if (done) return;
      proc.kill('SIGTERM');
      const killed = await Promise.race([exited.then(() => true), sleep(10_000).then(() => false)]);
      if (!killed) {
        proc.kill('SIGKILL');
        await exited;
      }
    },
  };
}

/** Wait until `check` returns a value, failing if the child dies or the time runs out. */
export async function waitFor<T>(
  what: string,
  child: Child,
  timeoutMs: number,
  check: () => Promise<T | undefined>,
): Promise<T> {
  const until = Date.now() + timeoutMs;
  let died: string | null = null;
  void child.exited.then((c) => (died = c));
  for (;;) {
    if (died !== null)
      throw new Error(`${child.name} exited (${died}) while waiting for ${what}:\n${child.tail()}`);
    try {
      const v = await check();
      if (v !== undefined) return v;
    } catch {
      // not yet
    }
    if (Date.now() > until)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}:\n${child.tail()}`);
    await sleep(100);
  }
}

export interface ProcCounters {
  /** Peak resident set size, bytes (VmHWM). */
  peakRss: number;
  /** User + system CPU time, seconds. */
  cpuSeconds: number;
}

/** Read the peak RSS and CPU time of a live process from /proc (Linux). */
export function procCounters(pid: number): ProcCounters | null {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const hwm = /^VmHWM:\s+(\d+)\s+kB/m.exec(status);
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name "(…)": state is field 3, utime 14, stime 15.
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(rest[11]) + Number(rest[12]);
    // USER_HZ (clock ticks per second) is 100 on every mainstream Linux.
    return { peakRss: hwm ? Number(hwm[1]) * 1024 : NaN, cpuSeconds: ticks / 100 };
  } catch {
    return null;
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Unique valid Chinese mobile numbers; the last four digits stay in 0010-9999 (0000-0009 make the simulator fail). */
export function mobile(i: number): string {
  const block = Math.floor(i / 9990);
  const last4 = 10 + (i % 9990);
  const prefix = block < 10000 ? '138' : '139';
  return `+86${prefix}${String(block % 10000).padStart(4, '0')}${String(last4).padStart(4, '0')}`;
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const idx = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[idx]!;
}
