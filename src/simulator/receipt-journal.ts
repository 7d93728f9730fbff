// What the simulated SMSC owes: the delivery receipts of accepted submits, kept in an append-only
// journal file so that a crash (even SIGKILL) does not lose them. A real SMSC keeps undelivered
// receipts and sends them when the ESME binds again; the simulator must do the same, or a crash of
// the default install (simulator in the platform's process) leaves messages `submitted` for 48 h.
//
// Why a file and not a table in the platform's database: the simulator also runs standalone
// (`hongyan simulator`) with no database, and it plays a carrier, which shares nothing with the
// platform it serves. A journal is one sequential append per batch: cheap, and robust to a torn
// last line (ignored on load).
//
// Lines are JSON arrays: ["+", seq, receiptId, systemId, src, srcTon, srcNpi, dst, dstTon, dstNpi,
// submitDate, stat, err, due] records a receipt owed; ["-", seq] forgets it (acknowledged or
// dropped). No message text is kept: bodies are never at rest in clear, and a receipt's `text`
// field is only a courtesy (SMPP 3.4 Appendix B), so reloaded receipts carry an empty one.
// Records are fsync'd in batches (group commit) and `whenDurable` callbacks run after the fsync:
// the simulator answers submit_sm only then. Forgets need no fsync: losing one resends a receipt,
// which the ESME treats as a duplicate. The file is rewritten with only what is still owed on open
// and whenever forgotten lines dominate it, and removed by a close that owes nothing.
//
// Growth is bounded: a receipt owed to a system_id that never binds a receiver again is dropped
// `maxAgeMs` after it fell due (default 48 h, Hongyan's own receipt timeout, after which it ends
// the message `unknown` anyway): on open here, and while running by the simulator (a forget). The
// file is read line by line on open, never as one string (V8 caps a string near 512 MB).

import { constants, createReadStream, mkdirSync } from 'node:fs';
import { open, rename, rm, type FileHandle } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { releaseLock, takeLock } from './journal-lock.ts';

/** A receipt the simulator owes, as the journal keeps it. */
export interface OwedReceipt {
  /** The journal's key for this record (a receipt id may repeat across simulator runs). */
  seq: number;
  /** The id as it appears in the receipt. */
  id: string;
  systemId: string;
  src: string;
  srcTon: number;
  srcNpi: number;
  dst: string;
  dstTon: number;
  dstNpi: number;
  submitDate: string;
  stat: string;
  err: string;
  /** When the receipt is due (ms since the epoch). */
  due: number;
}

export interface JournalLogger {
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

/** Default age past its due time after which an owed receipt is dropped (Hongyan's receipt timeout). */
export const DEFAULT_RECEIPT_MAX_AGE_MS = 48 * 3600_000;

export interface JournalOptions {
  /** Drop owed receipts this long after they fell due. Default DEFAULT_RECEIPT_MAX_AGE_MS. */
  maxAgeMs?: number;
  /** The clock (ms since the epoch). Default Date.now. */
  now?: () => number;
}

/** Compact when at least this many lines are in the file and most are dead. */
const COMPACT_MIN_LINES = 50_000;
const COMPACT_RATIO = 4;

/** Journals open in this process (the lock file cannot tell two of ours apart). */
const openPaths = new Set<string>();

function toLine(r: OwedReceipt): string {
  return (
    JSON.stringify([
      '+',
      r.seq,
      r.id,
      r.systemId,
      r.src,
      r.srcTon,
      r.srcNpi,
      r.dst,
      r.dstTon,
      r.dstNpi,
      r.submitDate,
      r.stat,
      r.err,
      r.due,
    ]) + '\n'
  );
}

const isInt = (v: unknown): v is number => Number.isSafeInteger(v);
const isStr = (v: unknown): v is string => typeof v === 'string';

/** One journal line → a record, a forget, or null when it is not a valid line (a torn write). */
function parseLine(line: string): OwedReceipt | number | null {
  let v: unknown;
  try {
    v = JSON.parse(line);
  } catch {
    return null;
  }
  if (!Array.isArray(v)) return null;
  if (v[0] === '-' && v.length === 2 && isInt(v[1])) return v[1];
  const [
    tag,
    seq,
    id,
    systemId,
    src,
    srcTon,
    srcNpi,
    dst,
    dstTon,
    dstNpi,
    submitDate,
    stat,
    err,
    due,
  ] = v as unknown[];
  if (
    tag !== '+' ||
    v.length !== 14 ||
    !isInt(seq) ||
    !isStr(id) ||
    !isStr(systemId) ||
    !isStr(src) ||
    !isInt(srcTon) ||
    !isInt(srcNpi) ||
    !isStr(dst) ||
    !isInt(dstTon) ||
    !isInt(dstNpi) ||
    !isStr(submitDate) ||
    !isStr(stat) ||
    !isStr(err) ||
    !isInt(due)
  )
    return null;
  return {
    seq,
    id,
    systemId,
    src,
    srcTon,
    srcNpi,
    dst,
    dstTon,
    dstNpi,
    submitDate,
    stat,
    err,
    due,
  };
}

function lock(path: string): void {
  if (openPaths.has(path)) throw new Error(`receipt journal ${path} is already open`);
  takeLock(`${path}.lock`);
  openPaths.add(path);
}

function unlock(path: string): void {
  openPaths.delete(path);
  releaseLock(`${path}.lock`);
}

/**
 * Writes all of `data` at the file's position. One write(2) may write less than asked (a full disk,
 * a file size limit): the rest is written again, and an error (ENOSPC, EFBIG) is thrown, never taken
 * for a whole write.
 */
async function writeAll(fh: FileHandle, data: string): Promise<void> {
  const buf = Buffer.from(data, 'utf8');
  for (let off = 0; off < buf.length;) {
    const { bytesWritten } = await fh.write(buf, off, buf.length - off);
    if (bytesWritten <= 0) throw new Error('receipt journal: write made no progress');
    off += bytesWritten;
  }
}

export class ReceiptJournal {
  private fh: FileHandle | null;
  private readonly live = new Map<number, OwedReceipt>();
  private nextSeq: number;
  /** Lines in the file (written or buffered), live or dead. */
  private lines: number;
  private buffer: string[] = [];
  private waiters: Array<(err: Error | null) => void> = [];
  private running: Promise<void> | null = null;
  private scheduled = false;
  private closed = false;
  /** Closed and flushed: nothing more is written. */
  private done = false;
  /** A write failed: the file may end in a torn line, so rewrite it before appending again. */
  private broken = false;

  private constructor(
    readonly path: string,
    fh: FileHandle,
    owed: OwedReceipt[],
    private readonly log: JournalLogger,
  ) {
    this.fh = fh;
    let max = 0;
    for (const r of owed) {
      this.live.set(r.seq, r);
      if (r.seq > max) max = r.seq;
    }
    this.nextSeq = max + 1;
    this.lines = owed.length;
  }

  /**
   * Opens (or creates, mode 0600) the journal at `path`, loads what is still owed and rewrites the
   * file with only that. Throws when another live process holds the journal.
   */
  static async open(
    file: string,
    log: JournalLogger,
    opts: JournalOptions = {},
  ): Promise<ReceiptJournal> {
    const path = resolve(file);
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    lock(path);
    try {
      const owed = new Map<number, OwedReceipt>();
      let invalid = 0;
      try {
        const lines = createInterface({
          input: createReadStream(path, { encoding: 'utf8' }),
          crlfDelay: Infinity,
        });
        for await (const line of lines) {
          if (line.length === 0) continue;
          const parsed = parseLine(line);
          if (parsed === null) invalid++;
          else if (typeof parsed === 'number') owed.delete(parsed);
          else owed.set(parsed.seq, parsed);
        }
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      }
      // A crash in the middle of an append leaves one torn last line; more is worth a warning.
      if (invalid > 1) log.warn({ path, invalid }, 'receipt journal: unreadable lines skipped');
      const oldest = (opts.now ?? Date.now)() - (opts.maxAgeMs ?? DEFAULT_RECEIPT_MAX_AGE_MS);
      let expired = 0;
      for (const [seq, r] of owed)
        if (r.due <= oldest) {
          owed.delete(seq);
          expired++;
        }
      if (expired > 0)
        log.warn({ path, expired }, 'receipt journal: receipts owed past their age dropped');
      const list = [...owed.values()].sort((a, b) => a.due - b.due || a.seq - b.seq);
      const fh = await rewrite(path, list);
      return new ReceiptJournal(path, fh, list, log);
    } catch (err) {
      unlock(path);
      throw err;
    }
  }

  /** What is owed, in due order (as loaded, plus what was recorded since). */
  owed(): OwedReceipt[] {
    return [...this.live.values()].sort((a, b) => a.due - b.due || a.seq - b.seq);
  }

  get size(): number {
    return this.live.size;
  }

  /** Records a receipt owed (buffered; see whenDurable). Returns its seq. */
  record(r: Omit<OwedReceipt, 'seq'>): number {
    const owed: OwedReceipt = { ...r, seq: this.nextSeq++ };
    this.live.set(owed.seq, owed);
    this.append(toLine(owed));
    return owed.seq;
  }

  /** Forgets a receipt (delivered and acknowledged, or dropped). */
  forget(seq: number): void {
    if (!this.live.delete(seq)) return;
    this.append(`["-",${seq}]\n`);
  }

  /** Calls `cb` once everything recorded so far is on disk (fsync'd), or with the write error. */
  whenDurable(cb: (err: Error | null) => void): void {
    if (this.closed) {
      cb(new Error('receipt journal closed'));
      return;
    }
    this.waiters.push(cb);
    this.schedule();
  }

  /** Writes and syncs what is buffered, then closes the file and releases the lock. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (;;) {
      if (this.running) await this.running;
      else if (this.buffer.length > 0 || this.waiters.length > 0) this.kick();
      else break;
    }
    this.done = true;
    const fh = this.fh;
    this.fh = null;
    await fh?.close();
    // Owing nothing, leave nothing behind (a standalone simulator on a new port each run).
    if (this.live.size === 0) await rm(this.path, { force: true });
    unlock(this.path);
  }

  private append(line: string): void {
    if (this.done) return;
    this.buffer.push(line);
    this.lines++;
    this.schedule();
  }

  /** One write per event-loop turn: the submits read from one socket chunk share an fsync. */
  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.kick();
    });
  }

  private kick(): void {
    if (this.running || this.done) return;
    this.running = this.run().finally(() => {
      this.running = null;
      if (this.buffer.length > 0 || this.waiters.length > 0) this.schedule();
    });
  }

  /** Writes batches until nothing is buffered; one fsync per batch that someone waits for. */
  private async run(): Promise<void> {
    while (this.buffer.length > 0 || this.waiters.length > 0) {
      const lines = this.buffer;
      const waiters = this.waiters;
      this.buffer = [];
      this.waiters = [];
      let failure: Error | null = null;
      try {
        let fh = this.fh;
        if (fh === null || this.broken || this.compactionDue()) fh = await this.compact();
        else if (lines.length > 0) await writeAll(fh, lines.join(''));
        if (waiters.length > 0) await fh.datasync();
      } catch (err) {
        // The file may now end in part of a line: nothing more is appended to it, and the waiters'
        // submits are refused (ESME_RSYSERR, retried), until a rewrite succeeds.
        failure = err instanceof Error ? err : new Error(String(err));
        this.broken = true;
        this.log.error({ err: failure, path: this.path }, 'receipt journal write failed');
      }
      for (const cb of waiters) cb(failure);
    }
  }

  private compactionDue(): boolean {
    return (
      this.lines >= COMPACT_MIN_LINES && this.lines >= COMPACT_RATIO * Math.max(1, this.live.size)
    );
  }

  /** Replaces the file with the live records (all of them: buffered lines are included). */
  private async compact(): Promise<FileHandle> {
    const list = this.owed();
    const old = this.fh;
    this.fh = null;
    await old?.close();
    const fh = await rewrite(this.path, list);
    this.fh = fh;
    this.lines = list.length;
    this.broken = false;
    return fh;
  }
}

/** Writes `list` to `<path>.tmp`, syncs it, renames it over `path` and reopens it for appends. */
async function rewrite(path: string, list: OwedReceipt[]): Promise<FileHandle> {
  const tmp = `${path}.tmp`;
  const out = await open(tmp, 'w', 0o600);
  try {
    const chunk: string[] = [];
    for (const r of list) {
      chunk.push(toLine(r));
      if (chunk.length === 4096) await writeAll(out, chunk.splice(0).join(''));
    }
    if (chunk.length > 0) await writeAll(out, chunk.join(''));
    await out.datasync();
  } finally {
    await out.close();
  }
  await rename(tmp, path);
  // The rename is durable once the directory is synced (not possible on every platform).
  try {
    const dir = await open(dirname(path), constants.O_RDONLY);
    try {
      await dir.sync();
    } finally {
      await dir.close();
    }
  } catch {
    // best effort
  }
  const fh = await open(path, 'a', 0o600);
  await fh.chmod(0o600);
  return fh;
}
