// The built-in CMPP 2.0 / 3.0 ISMG simulator (China Mobile's gateway, the side an SP connects to), on
// loopback. It checks the CONNECT authenticator, answers SUBMIT with an 8-byte Msg_Id (or an error
// Result, by the same outcome rules as the SMPP simulator: outcomes.ts), and sends status-report
// DELIVERs after `receiptDelayMs`. Reference: shared sms-domain.md §3.1; codec: protocols/cmpp/codec.ts.
//
// Performance (the channel benchmark pushes > 10k SUBMIT/s): no timer per message. Due reports sit in
// one FIFO (the delay is constant, so due times are in order) flushed by a single interval; due
// reports wait per SP until a connection of that SP has room in its report window; a report's state
// is dropped once its DELIVER_RESP arrives. Writes are corked per event-loop turn.

import { listen } from '../net/listen.ts';
import { EventEmitter } from 'node:events';
import { randomInt } from 'node:crypto';
import net, { type Server, type Socket } from 'node:net';
import { CMPP_DEFAULTS } from '../core/channels/channel-config.ts';
import { encodeUcs2 } from '../core/message/encoding.ts';
import { concatUdh, splitMessage } from '../core/message/parts.ts';
import {
  CMPP_VERSION_2,
  CMPP_VERSION_3,
  CmppFrameReader,
  MSG_FMT_ASCII,
  MSG_FMT_UCS2,
  authenticatorIsmg,
  authenticatorSourceForm,
  decode,
  encode,
  encodeMsgId,
  encodeStatusReport,
  msgIdHex,
  type CmppPdu,
  type AuthSourceAddrForm,
  type CmppVersion,
  type ConnectPdu,
  type SubmitPdu,
} from '../protocols/cmpp/codec.ts';
import { compileOutcomes, type OutcomeResolver, type OutcomeRule } from './outcomes.ts';
import type { InboundMessage, SimulatorLogger, SimulatorStats } from './smsc.ts';

const TICK_MS = 10;
const MAX_RECEIPT_ATTEMPTS = 5;
const ASCII = /^\p{ASCII}*$/u;
const ZERO_MSG_ID = Buffer.alloc(8);

// CONNECT_RESP Status and SUBMIT_RESP Result values used here (reference §3.1).
const STATUS_BAD_STRUCTURE = 1;
const STATUS_BAD_SOURCE = 2;
const STATUS_AUTH_FAILED = 3;
const STATUS_VERSION_TOO_HIGH = 4;
const RESULT_FLOW_CONTROL = 8;
const RESULT_OTHER = 9;
const RESULT_BAD_DEST = 13;

const silentLogger: SimulatorLogger = { info() {}, warn() {}, error() {}, debug() {} };

export interface CmppSimulatorOptions {
  /** Listen address. Default '127.0.0.1'. */
  host?: string;
  /** Listen port; 0 (default) picks an ephemeral port, returned by start(). */
  port?: number;
  /**
   * SP_Id → shared secret. Undefined (default) accepts any SP and any authenticator. Otherwise an
   * unknown SP_Id gets Status 2 and a wrong AuthenticatorSource Status 3 (then the connection closes).
   * Source_Addr may be hashed padded to its 6 octets or not (codec.ts `AuthSourceAddrForm`).
   */
  credentials?: Record<string, string>;
  /** The secret AuthenticatorISMG is signed with for SPs not in `credentials` (default: the CMPP channel default). */
  secret?: string;
  /** Delay between the SUBMIT and its status report. Default 200 ms. */
  receiptDelayMs?: number;
  /** Delay before each SUBMIT_RESP (to hold a window open in tests). Default 0 (at once). */
  responseDelayMs?: number;
  /** Custom outcome rules, checked before the defaults (see outcomes.ts). */
  outcomes?: OutcomeRule[];
  /** Max unacknowledged report DELIVERs per connection; 0 = unlimited. Default 1000. */
  receiptWindow?: number;
  /** A report not acknowledged within this long is sent again (up to 5 times). Default 10 s. */
  receiptRetryMs?: number;
  /** The 22-bit ISMG code inside every Msg_Id. Default random per instance. */
  gatewayId?: number;
  /** Start hung: read and ignore everything after CONNECT (see setSilent). */
  silent?: boolean;
  logger?: SimulatorLogger;
}

export interface CmppSimulatorStats extends SimulatorStats {
  /** Open TCP connections, logged in or not. */
  connections: number;
  /** ACTIVE_TEST received. */
  activeTests: number;
  /** TERMINATE received from SPs. */
  terminates: number;
  /** The most SUBMITs any one connection had waiting for their SUBMIT_RESP at once. */
  maxOutstanding: number;
  /** Frames read and ignored while silent (lets a test know a PDU reached a hung ISMG). */
  ignored: number;
}

/** What arrived in a SUBMIT (emitted as 'submit'). */
export interface CmppSubmitEvent {
  sessionId: number;
  spId: string;
  version: CmppVersion;
  /** The SUBMIT_RESP Result sent back (0 = accepted). */
  result: number;
  /** The Msg_Id sent back (16 hex characters), or null when refused. */
  msgId: string | null;
  submit: SubmitPdu;
}

export interface CmppConnectEvent {
  sessionId: number;
  spId: string;
  version: number;
  /** CONNECT_RESP Status (0 = logged in). */
  status: number;
  /** How the SP hashed a Source_Addr shorter than 6 octets (both are accepted); null when the
   * authenticator was not checked (no `credentials`) or matched neither form. */
  authSourceAddr: AuthSourceAddrForm | null;
}

export interface CmppSimulatorEvents {
  submit: [CmppSubmitEvent];
  connect: [CmppConnectEvent];
}

interface Conn {
  id: number;
  socket: Socket;
  reader: CmppFrameReader;
  version: CmppVersion;
  spId: string | null;
  seq: number;
  /** Report DELIVERs sent and not yet acknowledged, by Sequence_Id (null: an MO, not retried). */
  inflight: Map<number, ReceiptJob | null>;
  /** SUBMITs received and not yet answered. */
  unanswered: number;
  corked: boolean;
  closed: boolean;
}

interface ReceiptJob {
  spId: string;
  /** The Msg_Id from the SUBMIT_RESP. */
  msgId: Buffer;
  stat: string;
  /** The handset: the SUBMIT's Dest_terminal_Id, the report's Src_terminal_Id. */
  terminal: string;
  /** The SUBMIT's Src_Id, the report's Dest_Id. */
  srcId: string;
  serviceId: string;
  submitTime: string;
  due: number;
  via: Conn | null;
  sentAt: number;
  attempts: number;
}

interface PendingResponse {
  conn: Conn;
  frame: Buffer;
  due: number;
}

/** A FIFO over an array with a moving head (Array#shift is O(n)). */
class Fifo<T> {
  private items: (T | undefined)[] = [];
  private head = 0;
  get size(): number {
    return this.items.length - this.head;
  }
  push(item: T): void {
    this.items.push(item);
  }
  peek(): T | undefined {
    return this.items[this.head];
  }
  shift(): T | undefined {
    if (this.head >= this.items.length) return undefined;
    const item = this.items[this.head];
    this.items[this.head++] = undefined;
    if (this.head === this.items.length) {
      this.items = [];
      this.head = 0;
    } else if (this.head >= 1024 && this.head * 2 >= this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return item;
  }
  unshiftAll(items: T[]): void {
    this.items = [...items, ...this.items.slice(this.head)];
    this.head = 0;
  }
  clear(): void {
    this.items = [];
    this.head = 0;
  }
}

/** Beijing time (UTC+8, the ISMG's clock) split into fields, cached per second. */
let clockSecond = -1;
let clock = { year: 0, month: 1, day: 1, hour: 0, minute: 0, second: 0 };
function beijing(ms: number): typeof clock {
  const s = Math.floor(ms / 1000);
  if (s !== clockSecond) {
    const d = new Date(s * 1000 + 8 * 3600_000);
    clock = {
      year: d.getUTCFullYear(),
      month: d.getUTCMonth() + 1,
      day: d.getUTCDate(),
      hour: d.getUTCHours(),
      minute: d.getUTCMinutes(),
      second: d.getUTCSeconds(),
    };
    clockSecond = s;
  }
  return clock;
}

/** YYMMDDHHMM, the report's Submit_time / Done_time. */
function reportTime(ms: number): string {
  const c = beijing(ms);
  const p = (n: number) => String(n).padStart(2, '0');
  return p(c.year % 100) + p(c.month) + p(c.day) + p(c.hour) + p(c.minute);
}

/** The SMPP command_status of an outcome rule as a CMPP SUBMIT_RESP Result. */
function resultFor(submitStatus: number): number {
  if (submitStatus === 0) return 0;
  if (submitStatus === 0x58 || submitStatus === 0x14) return RESULT_FLOW_CONTROL; // throttled / queue full
  if (submitStatus === 0x0b) return RESULT_BAD_DEST;
  return RESULT_OTHER;
}

export class CmppSimulator extends EventEmitter<CmppSimulatorEvents> {
  private readonly opts: CmppSimulatorOptions;
  private readonly log: SimulatorLogger;
  private readonly resolve: OutcomeResolver;
  private readonly receiptDelayMs: number;
  private readonly responseDelayMs: number;
  private readonly window: number;
  private readonly retryMs: number;
  private readonly gatewayId: number;
  private readonly secret: string;
  private silent: boolean;
  private msgSeq = 0;
  private smscSeq = 0;

  private server: Server | null = null;
  private readonly conns = new Set<Conn>();
  private nextConnId = 1;
  /** Logged-in connections by SP_Id. */
  private readonly receivers = new Map<string, Conn[]>();
  private rr = 0;
  private readonly due = new Fifo<ReceiptJob>();
  private readonly ready = new Map<string, Fifo<ReceiptJob>>();
  private readonly responses = new Fifo<PendingResponse>();
  private timer: NodeJS.Timeout | null = null;
  private lastRetrySweep = 0;

  private readonly counters = {
    binds: 0,
    bindFailures: 0,
    submits: 0,
    submitErrors: 0,
    receiptsSent: 0,
    receiptsAcked: 0,
    inboundSent: 0,
    activeTests: 0,
    terminates: 0,
    maxOutstanding: 0,
    ignored: 0,
  };

  constructor(opts: CmppSimulatorOptions = {}) {
    super();
    this.opts = opts;
    this.log = opts.logger ?? silentLogger;
    this.resolve = compileOutcomes(opts.outcomes ?? []);
    this.receiptDelayMs = Math.max(0, opts.receiptDelayMs ?? 200);
    this.responseDelayMs = Math.max(0, opts.responseDelayMs ?? 0);
    this.window = Math.max(0, opts.receiptWindow ?? 1000);
    this.retryMs = Math.max(1, opts.receiptRetryMs ?? 10_000);
    this.gatewayId = opts.gatewayId ?? randomInt(0, 0x400000);
    this.secret = opts.secret ?? CMPP_DEFAULTS.password;
    this.silent = opts.silent ?? false;
  }

  /** Starts listening. Resolves with the bound port (useful with port 0). */
  async start(): Promise<{ port: number }> {
    if (this.server) throw new Error('simulator already started');
    const server = net.createServer((socket) => this.onConnection(socket));
    this.server = server;
    const host = this.opts.host ?? '127.0.0.1';
    let port: number;
    try {
      port = await listen(server, this.opts.port ?? 0, host, (err: Error) =>
        this.log.error({ err }, 'cmpp simulator server error'),
      );
    } catch (err) {
      this.server = null;
      throw err;
    }
    this.timer = setInterval(() => this.tick(), TICK_MS);
    this.timer.unref();
    this.log.info({ host, port }, 'cmpp simulator listening');
    return { port };
  }

  /** Closes every connection and the server; pending reports are dropped. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    const server = this.server;
    this.server = null;
    for (const conn of this.conns) conn.socket.destroy();
    this.due.clear();
    this.ready.clear();
    this.responses.clear();
    if (!server) return;
    await new Promise<void>((resolve) => server.close(() => resolve()));
    this.log.info({}, 'cmpp simulator stopped');
  }

  /** Hung mode: after CONNECT, read and ignore everything (no ACTIVE_TEST_RESP, no answers, no reports). */
  setSilent(silent: boolean): void {
    this.silent = silent;
    if (!silent) for (const spId of this.ready.keys()) this.pump(spId);
  }

  stats(): CmppSimulatorStats {
    let pending = this.due.size;
    for (const q of this.ready.values()) pending += q.size;
    let sessions = 0;
    for (const conn of this.conns) {
      for (const job of conn.inflight.values()) if (job) pending++;
      if (conn.spId !== null) sessions++;
    }
    return { ...this.counters, receiptsPending: pending, sessions, connections: this.conns.size };
  }

  /** Writes raw bytes to every logged-in connection (fault tests: a peer sending garbage). */
  sendRaw(bytes: Buffer): number {
    let n = 0;
    for (const conn of this.conns) {
      if (conn.spId === null || conn.closed) continue;
      conn.socket.write(bytes);
      n++;
    }
    return n;
  }

  /**
   * Sends a mobile-originated DELIVER (Registered_Delivery 0) to one logged-in connection of every
   * SP. ASCII text goes as Msg_Fmt 0, anything else as UCS-2; text longer than one SMS is split into
   * segments with a concatenation UDH (TP_udhi 1). Returns the number of connections it went to.
   */
  injectInbound(msg: InboundMessage): number {
    const segments = moSegments(msg.text, randomInt(0, 256));
    let sent = 0;
    for (const list of this.receivers.values()) {
      const conn = list.find((c) => !c.closed && c.socket.writable);
      if (!conn) continue;
      for (const s of segments) {
        const seq = this.nextSeq(conn);
        this.send(
          conn,
          encode(
            {
              command: 'deliver',
              sequenceId: seq,
              msgId: this.nextMsgId(),
              destId: msg.to.replace(/^\+/, ''),
              serviceId: '',
              tpPid: 0,
              tpUdhi: s.udhi ? 1 : 0,
              msgFmt: s.msgFmt,
              srcTerminalId: msg.from.replace(/^\+/, ''),
              srcTerminalType: 0,
              registeredDelivery: 0,
              msgContent: s.content,
              linkId: '',
              reserve: '',
            },
            conn.version,
          ),
        );
        conn.inflight.set(seq, null);
      }
      sent++;
    }
    this.counters.inboundSent += sent;
    return sent;
  }

  // -------------------------------------------------------------------------------------------
  // Connections
  // -------------------------------------------------------------------------------------------

  private onConnection(socket: Socket): void {
    socket.setNoDelay(true);
    const conn: Conn = {
      id: this.nextConnId++,
      socket,
      reader: new CmppFrameReader(),
      version: CMPP_VERSION_3,
      spId: null,
      seq: 0,
      inflight: new Map(),
      unanswered: 0,
      corked: false,
      closed: false,
    };
    this.conns.add(conn);
    socket.on('data', (chunk: Buffer) => this.onData(conn, chunk));
    socket.on('error', (err: Error) => {
      this.log.debug({ err: err.message, session: conn.id }, 'cmpp simulator socket error');
      socket.destroy();
    });
    socket.on('close', () => this.onClose(conn));
    this.log.debug({ session: conn.id, remote: socket.remoteAddress }, 'cmpp simulator connection');
  }

  private onData(conn: Conn, chunk: Buffer): void {
    if (conn.closed) return;
    try {
      for (const frame of conn.reader.push(chunk)) {
        if (conn.closed || conn.socket.destroyed) return;
        // Before CONNECT the version is unknown; CONNECT reads the same in 2.0 and 3.0.
        const pdu = decode(frame, conn.version);
        if (conn.spId !== null && this.silent) {
          this.counters.ignored++;
          continue;
        }
        this.onPdu(conn, pdu);
      }
    } catch (err) {
      // A broken frame (length that lies, unknown command, truncated body): this connection is
      // finished, since CMPP cannot resynchronise a byte stream; the others go on.
      this.log.warn(
        { err: (err as Error).message, session: conn.id, spId: conn.spId },
        'cmpp simulator dropped a connection after a bad frame',
      );
      conn.socket.destroy();
    }
  }

  private onClose(conn: Conn): void {
    if (conn.closed) return;
    conn.closed = true;
    this.conns.delete(conn);
    if (conn.spId !== null) {
      const list = this.receivers.get(conn.spId);
      const i = list ? list.indexOf(conn) : -1;
      if (list && i >= 0) list.splice(i, 1);
      if (list && list.length === 0) this.receivers.delete(conn.spId);
      const jobs = [...conn.inflight.values()].filter((j): j is ReceiptJob => j !== null);
      if (jobs.length > 0 && this.server) {
        // Unacknowledged reports go back in front of the queue, like an ISMG retrying.
        for (const job of jobs) job.via = null;
        this.readyQueue(conn.spId).unshiftAll(jobs);
        this.pump(conn.spId);
      }
    }
    conn.inflight.clear();
    this.log.debug({ session: conn.id, spId: conn.spId }, 'cmpp simulator connection closed');
  }

  private send(conn: Conn, frame: Buffer): void {
    if (conn.closed) return;
    if (!conn.corked) {
      conn.corked = true;
      conn.socket.cork();
      process.nextTick(() => {
        conn.corked = false;
        conn.socket.uncork();
      });
    }
    conn.socket.write(frame);
  }

  private close(conn: Conn): void {
    conn.socket.end();
    setTimeout(() => conn.socket.destroy(), 1000).unref();
  }

  private nextSeq(conn: Conn): number {
    conn.seq = conn.seq >= 0xffffffff ? 1 : conn.seq + 1;
    return conn.seq;
  }

  private nextMsgId(): Buffer {
    const c = beijing(Date.now());
    this.msgSeq = (this.msgSeq + 1) & 0xffff;
    return encodeMsgId({
      month: c.month,
      day: c.day,
      hour: c.hour,
      minute: c.minute,
      second: c.second,
      gateway: this.gatewayId,
      sequence: this.msgSeq,
    });
  }

  private onPdu(conn: Conn, pdu: CmppPdu): void {
    if (conn.spId === null && pdu.command !== 'connect') {
      this.log.warn(
        { session: conn.id, command: pdu.command },
        'cmpp simulator: PDU before CONNECT',
      );
      conn.socket.destroy();
      return;
    }
    const v = conn.version;
    switch (pdu.command) {
      case 'connect':
        this.onConnect(conn, pdu);
        return;
      case 'submit':
        this.onSubmit(conn, pdu);
        return;
      case 'deliver_resp':
        this.onDeliverResp(conn, pdu.sequenceId, pdu.result);
        return;
      case 'active_test':
        this.counters.activeTests++;
        this.send(
          conn,
          encode({ command: 'active_test_resp', sequenceId: pdu.sequenceId, reserved: 0 }, v),
        );
        return;
      case 'terminate':
        this.counters.terminates++;
        this.send(conn, encode({ command: 'terminate_resp', sequenceId: pdu.sequenceId }, v));
        this.close(conn);
        return;
      case 'terminate_resp':
        this.close(conn);
        return;
      case 'cancel':
        // Nothing here waits long enough to be cancelled: Success_Id 1 (failed).
        this.send(
          conn,
          encode({ command: 'cancel_resp', sequenceId: pdu.sequenceId, successId: 1 }, v),
        );
        return;
      case 'active_test_resp':
        return;
      default:
        // A response or ISMG → SP command sent by an SP: there is no generic NACK in CMPP.
        this.log.warn({ session: conn.id, command: pdu.command }, 'cmpp simulator: unexpected PDU');
        conn.socket.destroy();
    }
  }

  private onConnect(conn: Conn, pdu: ConnectPdu): void {
    const spId = pdu.sourceAddr;
    const major = pdu.version >> 4;
    const version = major === 3 ? CMPP_VERSION_3 : CMPP_VERSION_2;
    const credentials = this.opts.credentials;
    const known = credentials ? credentials[spId] : undefined;
    let status = 0;
    const authSourceAddr =
      known === undefined
        ? null
        : authenticatorSourceForm(
            pdu.authenticatorSource,
            spId,
            known,
            String(pdu.timestamp).padStart(10, '0'),
          );
    if (conn.spId !== null)
      status = STATUS_BAD_STRUCTURE; // a second CONNECT on one connection
    else if (major !== 2 && major !== 3) status = STATUS_VERSION_TOO_HIGH;
    else if (credentials && !Object.hasOwn(credentials, spId)) status = STATUS_BAD_SOURCE;
    else if (known !== undefined && authSourceAddr === null) status = STATUS_AUTH_FAILED;
    if (conn.spId === null) conn.version = version;
    const secret = known ?? this.secret;
    // AuthenticatorISMG is all zeros when the login fails (reference §3.1).
    const authIsmg =
      status === 0
        ? authenticatorIsmg(0, pdu.authenticatorSource, secret, conn.version)
        : Buffer.alloc(16);
    this.send(
      conn,
      encode(
        {
          command: 'connect_resp',
          sequenceId: pdu.sequenceId,
          status,
          authenticatorIsmg: authIsmg,
          version: conn.version,
        },
        conn.version,
      ),
    );
    if (this.listenerCount('connect') > 0)
      this.emit('connect', {
        sessionId: conn.id,
        spId,
        version: pdu.version,
        status,
        authSourceAddr,
      });
    if (status !== 0) {
      this.counters.bindFailures++;
      this.log.warn({ session: conn.id, spId, status }, 'cmpp simulator refused a CONNECT');
      if (conn.spId === null) this.close(conn);
      return;
    }
    conn.spId = spId;
    this.counters.binds++;
    let list = this.receivers.get(spId);
    if (!list) this.receivers.set(spId, (list = []));
    list.push(conn);
    this.log.info({ session: conn.id, spId, version: pdu.version }, 'cmpp simulator connected');
    this.pump(spId); // reports that waited for a connection
  }

  // -------------------------------------------------------------------------------------------
  // SUBMIT
  // -------------------------------------------------------------------------------------------

  private onSubmit(conn: Conn, pdu: SubmitPdu): void {
    this.counters.submits++;
    conn.unanswered++;
    if (conn.unanswered > this.counters.maxOutstanding)
      this.counters.maxOutstanding = conn.unanswered;
    const destination = pdu.destTerminalIds[0] ?? '';
    const outcome = destination.length > 0 ? this.resolve(destination) : null;
    const result = outcome ? resultFor(outcome.submitStatus) : RESULT_BAD_DEST;
    const msgId = result === 0 ? this.nextMsgId() : ZERO_MSG_ID;
    if (result !== 0) this.counters.submitErrors++;
    const frame = encode(
      { command: 'submit_resp', sequenceId: pdu.sequenceId, msgId, result },
      conn.version,
    );
    const now = Date.now();
    if (this.responseDelayMs > 0) {
      this.responses.push({ conn, frame, due: now + this.responseDelayMs });
    } else {
      conn.unanswered--;
      this.send(conn, frame);
    }
    if (result === 0 && outcome?.receipt && pdu.registeredDelivery === 1) {
      this.due.push({
        spId: conn.spId as string,
        msgId,
        stat: outcome.stat.slice(0, 7),
        terminal: destination,
        srcId: pdu.srcId,
        serviceId: pdu.serviceId,
        submitTime: reportTime(now),
        due: now + this.receiptDelayMs,
        via: conn,
        sentAt: 0,
        attempts: 0,
      });
    }
    if (this.listenerCount('submit') > 0) {
      this.emit('submit', {
        sessionId: conn.id,
        spId: conn.spId as string,
        version: conn.version,
        result,
        msgId: result === 0 ? msgIdHex(msgId) : null,
        submit: pdu,
      });
    }
  }

  // -------------------------------------------------------------------------------------------
  // Status reports
  // -------------------------------------------------------------------------------------------

  private tick(): void {
    try {
      const now = Date.now();
      for (
        let r = this.responses.peek();
        r !== undefined && r.due <= now;
        r = this.responses.peek()
      ) {
        this.responses.shift();
        if (r.conn.closed) continue;
        r.conn.unanswered--;
        if (!this.silent) this.send(r.conn, r.frame);
      }
      const touched = new Set<string>();
      for (let job = this.due.peek(); job !== undefined && job.due <= now; job = this.due.peek()) {
        this.due.shift();
        this.readyQueue(job.spId).push(job);
        touched.add(job.spId);
      }
      if (now - this.lastRetrySweep >= 1000) {
        this.lastRetrySweep = now;
        this.resendUnacknowledged(now, touched);
      }
      for (const spId of touched) this.pump(spId);
    } catch (err) {
      this.log.error({ err }, 'cmpp simulator tick failed');
    }
  }

  /** Reports sent but never answered go out again, up to MAX_RECEIPT_ATTEMPTS times. */
  private resendUnacknowledged(now: number, touched: Set<string>): void {
    for (const conn of this.conns) {
      for (const [seq, job] of conn.inflight) {
        if (job === null || job.sentAt > now - this.retryMs) continue;
        conn.inflight.delete(seq);
        if (job.attempts >= MAX_RECEIPT_ATTEMPTS) {
          this.log.warn(
            { session: conn.id, attempts: job.attempts },
            'cmpp simulator report dropped',
          );
          continue;
        }
        this.readyQueue(job.spId).push(job);
        touched.add(job.spId);
      }
    }
  }

  private readyQueue(spId: string): Fifo<ReceiptJob> {
    let q = this.ready.get(spId);
    if (!q) this.ready.set(spId, (q = new Fifo()));
    return q;
  }

  private hasRoom(conn: Conn): boolean {
    return (
      !conn.closed &&
      conn.socket.writable &&
      (this.window === 0 || conn.inflight.size < this.window)
    );
  }

  /** Sends the due reports of one SP while one of its connections has room. */
  private pump(spId: string): void {
    if (this.silent) return;
    const q = this.ready.get(spId);
    if (!q || q.size === 0) return;
    const list = this.receivers.get(spId);
    if (!list || list.length === 0) return; // kept until the SP connects again
    for (let job = q.peek(); job !== undefined; job = q.peek()) {
      let target: Conn | null = job.via && this.hasRoom(job.via) ? job.via : null;
      for (let i = 0; target === null && i < list.length; i++) {
        const c = list[this.rr++ % list.length] as Conn;
        if (this.hasRoom(c)) target = c;
      }
      if (target === null) break; // every window is full; an answer will pump again
      q.shift();
      this.sendReport(target, job);
    }
    if (q.size === 0) this.ready.delete(spId);
  }

  private sendReport(conn: Conn, job: ReceiptJob): void {
    const now = Date.now();
    let frame: Buffer;
    try {
      const report = encodeStatusReport(
        {
          msgId: job.msgId,
          stat: job.stat,
          submitTime: job.submitTime,
          doneTime: reportTime(now),
          destTerminalId: job.terminal,
          smscSequence: (this.smscSeq = (this.smscSeq + 1) >>> 0),
        },
        conn.version,
      );
      frame = encode(
        {
          command: 'deliver',
          sequenceId: this.nextSeq(conn),
          msgId: this.nextMsgId(),
          destId: job.srcId,
          serviceId: job.serviceId,
          tpPid: 0,
          tpUdhi: 0,
          msgFmt: MSG_FMT_ASCII,
          srcTerminalId: job.terminal,
          srcTerminalType: 0,
          registeredDelivery: 1,
          msgContent: report,
          linkId: '',
          reserve: '',
        },
        conn.version,
      );
    } catch (err) {
      // A 3.0 terminal id (32 bytes) cannot go over a 2.0 connection (21): drop the report.
      this.log.warn(
        { session: conn.id, err: (err as Error).message },
        'cmpp simulator report dropped',
      );
      return;
    }
    job.attempts++;
    job.sentAt = now;
    job.via = conn;
    this.send(conn, frame);
    conn.inflight.set(conn.seq, job);
    this.counters.receiptsSent++;
  }

  private onDeliverResp(conn: Conn, seq: number, result: number): void {
    if (!conn.inflight.has(seq)) return; // late, or unknown
    const job = conn.inflight.get(seq);
    conn.inflight.delete(seq);
    if (!job) return; // an MO's answer
    if (result === 0) {
      this.counters.receiptsAcked++;
    } else if (job.attempts >= MAX_RECEIPT_ATTEMPTS) {
      this.log.warn(
        { session: conn.id, result, attempts: job.attempts },
        'cmpp simulator report dropped',
      );
    } else {
      // Refused (e.g. Result 8, flow control): retry after the delay (the FIFO stays ordered).
      job.due = Date.now() + this.receiptDelayMs;
      this.due.push(job);
    }
    if (this.ready.has(job.spId)) this.pump(job.spId);
  }
}

/** The DELIVER contents of an MO: ASCII as Msg_Fmt 0 (< 160 bytes), else UCS-2 (≤ 140), split with a UDH. */
function moSegments(
  text: string,
  ref: number,
): Array<{ msgFmt: number; udhi: boolean; content: Buffer }> {
  if (ASCII.test(text)) {
    if (text.length <= 159)
      return [{ msgFmt: MSG_FMT_ASCII, udhi: false, content: Buffer.from(text, 'latin1') }];
    const per = 153;
    const total = Math.ceil(text.length / per);
    return Array.from({ length: total }, (_, k) => ({
      msgFmt: MSG_FMT_ASCII,
      udhi: true,
      content: Buffer.concat([
        concatUdh(ref, total, k + 1),
        Buffer.from(text.slice(k * per, (k + 1) * per), 'latin1'),
      ]),
    }));
  }
  if (text.length <= 70)
    return [{ msgFmt: MSG_FMT_UCS2, udhi: false, content: Buffer.from(encodeUcs2(text)) }];
  const split = splitMessage(text, { concatRef: ref, encoding: 'ucs2', maxParts: 255 });
  return split.parts.map((p) => ({
    msgFmt: MSG_FMT_UCS2,
    udhi: p.udh !== null,
    content: Buffer.concat([p.udh ?? new Uint8Array(0), p.userData]),
  }));
}
