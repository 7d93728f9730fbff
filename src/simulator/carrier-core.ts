// What both carrier simulators (the SMPP SMSC, smsc.ts, and the CMPP ISMG, cmpp-ismg.ts) do the
// same way, whatever the protocol: the logger and stats shapes, and the receipt schedule.
//
// Receipts, without a timer per message (the benchmarks push > 10k submits/s): a receipt falls
// due after a constant delay, so the not-yet-due ones sit in one FIFO in due order; a due receipt
// waits in its account's ready queue (system_id / SP_Id) until a receiving connection of that
// account has room in its window; it goes to the connection that submitted it when that one can
// take it, else round-robin; it stays in its connection's in-flight map until acknowledged, and
// goes back in front of the queue when that connection closes first (a carrier resends what was
// not acknowledged).
import type { Socket } from 'node:net';
import { Fifo } from '../core/fifo.ts';
import { listen } from '../net/listen.ts';

/** A pino-compatible logger (only these four methods are used). */
export interface SimulatorLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
  debug(obj: object, msg?: string): void;
}

export const silentLogger: SimulatorLogger = { info() {}, warn() {}, error() {}, debug() {} };

export interface InboundMessage {
  from: string;
  to: string;
  text: string;
}

export interface SimulatorStats {
  /** Successful binds. */
  binds: number;
  bindFailures: number;
  /** submit_sm received (accepted or not). */
  submits: number;
  /** submit_sm answered with a non-zero command_status. */
  submitErrors: number;
  /** Receipt deliver_sm sent (retries count again). */
  receiptsSent: number;
  /** Receipts answered with deliver_sm_resp ESME_ROK. */
  receiptsAcked: number;
  /** MO deliver_sm sent by injectInbound. */
  inboundSent: number;
  /** Receipts not yet acknowledged: waiting for their time, for a receiver, or for a resp. */
  receiptsPending: number;
  /** Currently bound sessions. */
  sessions: number;
}

/** The counters both simulators keep (SimulatorStats without the ones computed on demand). */
export function carrierCounters(): Omit<SimulatorStats, 'receiptsPending' | 'sessions'> {
  return {
    binds: 0,
    bindFailures: 0,
    submits: 0,
    submitErrors: 0,
    receiptsSent: 0,
    receiptsAcked: 0,
    inboundSent: 0,
  };
}

/** How often due receipts are looked for. */
export const TICK_MS = 10;
/** A receipt refused or unanswered this many times is dropped. */
export const MAX_RECEIPT_ATTEMPTS = 5;

/** A connection receipts can go to. */
export interface ReceiptLink<J> {
  readonly id: number;
  socket: Socket;
  closed: boolean;
  /** Bound / logged in for receiving (an SMPP transmitter is not). */
  canReceive: boolean;
  /** Deliveries sent and not yet acknowledged, by sequence number (null: an MO, not retried). */
  inflight: Map<number, J | null>;
}

/** A receipt on its way: when it falls due, and the connection it prefers. */
export interface ScheduledReceipt<C> {
  due: number;
  via: C | null;
}

export interface ReceiptScheduleOptions<J, C> {
  /** Unacknowledged receipts per connection; 0 = unlimited. */
  window: number;
  now(): number;
  /** The account whose connections may take the receipt (system_id, SP_Id). */
  accountOf(job: J): string;
  /** Writes the receipt on the connection and records it in `conn.inflight`. */
  send(conn: C, job: J): void;
  /** Drops the receipt (and says so) when it is too old to send; false to send it. */
  dropIfStale?(job: J, now: number): boolean;
  /** True while nothing may be sent (a hung carrier). */
  paused?(): boolean;
}

export class ReceiptSchedule<J extends ScheduledReceipt<C>, C extends ReceiptLink<J>> {
  /** Receipts not yet due, in due order. */
  #due = new Fifo<J>();
  /** Due receipts waiting for a receiving connection with room, by account. */
  readonly #ready = new Map<string, Fifo<J>>();
  /** Connections that can receive, by account. */
  readonly #receivers = new Map<string, C[]>();
  #rr = 0;

  constructor(private readonly o: ReceiptScheduleOptions<J, C>) {}

  /** Receipts waiting for their time or for a connection (not those in flight). */
  get waiting(): number {
    let n = this.#due.size;
    for (const q of this.#ready.values()) n += q.size;
    return n;
  }

  get dueCount(): number {
    return this.#due.size;
  }

  /** Each account's receiving connections (for MO messages). */
  receivers(): IterableIterator<C[]> {
    return this.#receivers.values();
  }

  /** Receipts owed after a delay (new, or retried: the delay is constant, so the FIFO stays ordered). */
  schedule(job: J): void {
    this.#due.push(job);
  }

  /** A receipt to send again as soon as a connection has room. */
  ready(job: J): void {
    this.#readyQueue(this.o.accountOf(job)).push(job);
  }

  /** Moves the receipts due by `now` to their ready queues; the accounts touched are added. */
  flushDue(now: number, touched: Set<string>): void {
    for (let job = this.#due.peek(); job !== undefined && job.due <= now; job = this.#due.peek()) {
      this.#due.shift();
      this.ready(job);
      touched.add(this.o.accountOf(job));
    }
  }

  addReceiver(account: string, conn: C): void {
    let list = this.#receivers.get(account);
    if (!list) this.#receivers.set(account, (list = []));
    list.push(conn);
    this.pump(account); // receipts that waited for a receiver
  }

  removeReceiver(account: string, conn: C): void {
    const list = this.#receivers.get(account);
    if (!list) return;
    const i = list.indexOf(conn);
    if (i >= 0) list.splice(i, 1);
    if (list.length === 0) this.#receivers.delete(account);
  }

  /**
   * A connection closed: it receives no more, and what it had not acknowledged goes back in
   * front of its account's queue (when `requeue`: the simulator still runs), like a carrier retrying.
   */
  closed(account: string | null, conn: C, requeue: boolean): void {
    if (account !== null) this.removeReceiver(account, conn);
    const jobs: J[] = [];
    for (const job of conn.inflight.values()) if (job) jobs.push(job);
    conn.inflight.clear();
    if (account === null || jobs.length === 0 || !requeue) return;
    for (const job of jobs) job.via = null;
    this.#readyQueue(account).unshiftAll(jobs);
    this.pump(account);
  }

  /** The receipt (null: an MO) sent under `seq`, no longer in flight; undefined if unknown or late. */
  acknowledged(conn: C, seq: number): J | null | undefined {
    const job = conn.inflight.get(seq);
    conn.inflight.delete(seq);
    return job;
  }

  /** Sends what waits for the account, if anything does. */
  pumpIfWaiting(account: string): void {
    if (this.#ready.has(account)) this.pump(account);
  }

  pumpAll(accounts: Iterable<string> = [...this.#ready.keys()]): void {
    for (const account of accounts) this.pump(account);
  }

  /** Sends the account's due receipts while one of its receiving connections has room. */
  pump(account: string): void {
    if (this.o.paused?.()) return;
    const q = this.#ready.get(account);
    if (!q || q.size === 0) return;
    const list = this.#receivers.get(account);
    if (!list || list.length === 0) return; // kept until a receiver binds (or it expires)
    const now = this.o.now();
    for (let job = q.peek(); job !== undefined; job = q.peek()) {
      if (this.o.dropIfStale?.(job, now)) {
        q.shift();
        continue;
      }
      let target: C | null = job.via && this.#hasRoom(job.via) ? job.via : null;
      for (let i = 0; target === null && i < list.length; i++) {
        const c = list[this.#rr++ % list.length] as C;
        if (this.#hasRoom(c)) target = c;
      }
      if (target === null) break; // every window is full; an acknowledgement will pump again
      q.shift();
      this.o.send(target, job);
    }
    if (q.size === 0) this.#ready.delete(account);
  }

  /** Removes the waiting receipts that match, account by account. */
  removeReady(match: (job: J) => boolean, removed: (account: string, jobs: J[]) => void): void {
    for (const [account, q] of this.#ready) {
      const gone: J[] = [];
      for (let n = q.size; n > 0; n--) {
        const job = q.shift() as J;
        if (match(job)) gone.push(job);
        else q.push(job);
      }
      if (gone.length > 0) removed(account, gone);
      if (q.size === 0) this.#ready.delete(account);
    }
  }

  clear(): void {
    this.#due = new Fifo();
    this.#ready.clear();
  }

  #readyQueue(account: string): Fifo<J> {
    let q = this.#ready.get(account);
    if (!q) this.#ready.set(account, (q = new Fifo()));
    return q;
  }

  #hasRoom(conn: C): boolean {
    return (
      !conn.closed &&
      conn.canReceive &&
      conn.socket.writable &&
      (this.o.window === 0 || conn.inflight.size < this.o.window)
    );
  }
}

/** Unacknowledged receipts over the connections (MOs not counted). */
export function receiptsInFlight<J>(conns: Iterable<ReceiptLink<J>>): number {
  let n = 0;
  for (const conn of conns) for (const job of conn.inflight.values()) if (job) n++;
  return n;
}

/** The listening side of a simulator: its server, its connections, and their ids. */
export class CarrierServer<C extends { readonly id: number; closed: boolean }> {
  readonly conns = new Set<C>();
  #server: { close(cb: () => void): void } | null = null;
  #nextConnId = 1;

  constructor(
    /** 'smpp simulator', 'cmpp simulator': the start of its log lines. */
    private readonly label: string,
    private readonly log: SimulatorLogger,
  ) {}

  get running(): boolean {
    return this.#server !== null;
  }

  nextConnId(): number {
    return this.#nextConnId++;
  }

  /** Listens on host:port (port 0: an ephemeral one); resolves with the port. */
  async listen(
    server: Parameters<typeof listen>[0] & { close(cb: () => void): void },
    host: string,
    port: number,
  ): Promise<number> {
    if (this.#server) throw new Error('simulator already started');
    this.#server = server;
    try {
      const bound = await listen(server, port, host, (err: Error) =>
        this.log.error({ err }, `${this.label} server error`),
      );
      this.log.info({ host, port: bound }, `${this.label} listening`);
      return bound;
    } catch (err) {
      this.#server = null;
      throw err;
    }
  }

  /** Ends every connection (`destroy`) and closes the server. */
  async close(destroy: (conn: C) => void): Promise<void> {
    const server = this.#server;
    this.#server = null;
    for (const conn of this.conns) destroy(conn);
    if (!server) return;
    await new Promise<void>((resolve) => server.close(() => resolve()));
    this.log.info({}, `${this.label} stopped`);
  }

  /** Marks the connection closed; false when it already was. */
  closed(conn: C): boolean {
    if (conn.closed) return false;
    conn.closed = true;
    this.conns.delete(conn);
    return true;
  }
}
