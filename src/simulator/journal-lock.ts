// One receipt journal, one process: two simulators appending to one journal would each rewrite the
// other's records away on compaction.
//
// Why a lock file and how it stays sound: Node has no flock(2)/fcntl lock (a lock the kernel drops
// when its process dies), so `<journal>.lock` names its owner, and a lock whose owner is gone
// (SIGKILL leaves it behind) is taken over. A pid alone does not name a process: pids are reused
// (in a container the platform often gets the same small pid on every start), so the lock records
// the pid, the process's start time in clock ticks since boot (proc(5), /proc/<pid>/stat field 22)
// and the boot id; an owner is alive only if that pid runs now with that start time on this boot.
// Where /proc is missing the pid alone decides (a reused pid there is refused, with the lock's path
// in the error, until the file is removed). The lock is created complete and exclusively:
// written to a private file, then link(2)ed to the lock's name, which fails if the name exists
// (an open with 'wx' would leave an empty lock that a racer reads as garbage). A dead owner's lock
// is first renamed to a private name (atomic: of two processes taking it over at once only one
// renames it), checked to be the very lock judged dead (not a fresh one another process has just
// linked, which is put back), and removed; then the exclusive link decides who owns the journal.
// The lock is per host: pids mean nothing across hosts or pid namespaces, so a data dir shared by
// two containers or machines is not protected.

import { linkSync, readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';

interface LockOwner {
  pid: number;
  /** /proc/<pid>/stat starttime; absent where /proc is not available (or in a pre-JSON lock). */
  start?: string;
  boot?: string;
}

const code = (err: unknown): string | undefined => (err as NodeJS.ErrnoException).code;

function readOr(path: string): string | null {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch {
    return null;
  }
}

/** A process's start time in clock ticks since boot, or null (no such process, or no /proc). */
export function processStartTime(pid: number): string | null {
  const stat = readOr(`/proc/${pid}/stat`);
  if (stat === null) return null;
  // Field 2 (the command name) may hold spaces and parentheses: count from the last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return fields[19] ?? null; // field 22; fields[0] is field 3
}

const bootId = (): string | null => readOr('/proc/sys/kernel/random/boot_id');

function self(): LockOwner {
  const start = processStartTime(process.pid);
  const boot = bootId();
  return { pid: process.pid, ...(start && boot ? { start, boot } : {}) };
}

function parseOwner(text: string): LockOwner | null {
  // A lock written before the start time was recorded holds the pid alone.
  if (/^\d+$/.test(text)) return { pid: Number(text) };
  try {
    const v = JSON.parse(text) as Partial<LockOwner>;
    if (!Number.isSafeInteger(v.pid) || (v.pid as number) <= 0) return null;
    return {
      pid: v.pid as number,
      ...(typeof v.start === 'string' && typeof v.boot === 'string'
        ? { start: v.start, boot: v.boot }
        : {}),
    };
  } catch {
    return null;
  }
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return code(err) === 'EPERM';
  }
}

function ownerAlive(owner: LockOwner): boolean {
  // Our own pid in a lock this process does not hold (the caller checks that): a previous process
  // that had the same pid.
  if (owner.pid === process.pid || !pidAlive(owner.pid)) return false;
  if (owner.start === undefined || owner.boot === undefined) return true;
  const boot = bootId();
  if (boot !== null && boot !== owner.boot) return false; // rebooted since
  const start = processStartTime(owner.pid);
  return start === null || start === owner.start;
}

/** Takes `lockPath` for this process; throws when a live process holds it. */
export function takeLock(lockPath: string): void {
  const mine = JSON.stringify(self());
  const privateName = () => `${lockPath}.${process.pid}.${randomBytes(6).toString('hex')}`;
  const draft = privateName();
  writeFileSync(draft, mine, { flag: 'wx', mode: 0o600 });
  try {
    // A few rounds: each lost race ends in a live owner (refused) or a vanished lock (again).
    for (let round = 0; round < 8; round++) {
      try {
        linkSync(draft, lockPath);
        return;
      } catch (err) {
        if (code(err) !== 'EEXIST') throw err;
      }
      const text = readOr(lockPath);
      if (text === null) continue; // removed meanwhile
      const owner = parseOwner(text);
      if (owner !== null && ownerAlive(owner))
        throw new Error(`receipt journal lock ${lockPath} is in use by process ${owner.pid}`);
      const aside = privateName();
      try {
        renameSync(lockPath, aside);
      } catch (err) {
        if (code(err) === 'ENOENT') continue; // another process took it over first
        throw err;
      }
      if (readOr(aside) !== text) {
        // Not the dead lock we read: another process replaced it meanwhile. Put it back.
        try {
          linkSync(aside, lockPath);
        } catch {
          // a third process holds the name now; the next round judges it
        }
      }
      unlinkSync(aside);
    }
    throw new Error(`receipt journal lock ${lockPath}: could not take it (contended)`);
  } finally {
    unlinkSync(draft);
  }
}

/** Removes `lockPath` if it is still this process's lock. */
export function releaseLock(lockPath: string): void {
  const text = readOr(lockPath);
  if (text === null || text !== JSON.stringify(self())) return;
  try {
    unlinkSync(lockPath);
  } catch {
    // already gone
  }
}
