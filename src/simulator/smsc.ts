// The built-in carrier simulator: an SMPP 3.4 SMSC on loopback, built on the `smpp` package's server.
// It binds ESMEs, answers submit_sm with a message_id (or an error, per the outcome rules), and sends
// delivery receipts (deliver_sm, esm_class 0x04, receipted_message_id + message_state TLVs + the text
// form) after `receiptDelayMs`. Reference: docs sms-domain.md §1.2–1.7.
//
// Performance (the benchmark pushes ~10k submit_sm/s with 100k receipts): no timer per message. Due
// receipts sit in one FIFO (the delay is constant, so due times are in order) flushed by a single
// interval timer; due receipts wait per system_id until a receiving session has room in its window;
// a receipt's state is deleted once its deliver_sm_resp arrives. Writes are corked per event-loop turn.
//
// With `stateFile`, the simulator keeps what it owes like a real SMSC: every accepted submit's receipt
// is in the journal (receipt-journal.ts), fsync'd in batches, before its submit_sm_resp goes out; a
// restarted simulator reloads the journal and delivers what is still owed when a receiver or
// transceiver of the same system_id binds; a receipt is forgotten only after its deliver_sm_resp.

import { listen } from '../net/listen.ts';
import { EventEmitter } from 'node:events';
import { randomBytes, randomInt } from 'node:crypto';
import type { Socket } from 'node:net';
import smpp, { type PDU, type Server, type Session } from 'smpp';
import { messageStateFromStat } from '../core/receipts.ts';
import { chooseEncoding, dataCodingFor, encodeUcs2 } from '../core/message/encoding.ts';
import { encodeGsm7 } from '../core/message/gsm7.ts';
import { DEFAULT_RECEIPT_MAX_AGE_MS, ReceiptJournal, type OwedReceipt } from './receipt-journal.ts';
import {
  compileOutcomes,
  type Outcome,
  type OutcomeResolver,
  type OutcomeRule,
} from './outcomes.ts';

// command_status values used here (SMPP 3.4 §5.1.3; reference §1.6).
const ESME_ROK = 0x00;
const ESME_RINVCMDLEN = 0x02;
const ESME_RINVCMDID = 0x03;
const ESME_RINVBNDSTS = 0x04;
const ESME_RALYBND = 0x05;
const ESME_RSYSERR = 0x08;
const ESME_RINVDSTADR = 0x0b;
const ESME_RINVPASWD = 0x0e;
const ESME_RINVSYSID = 0x0f;
const ESME_RX_P_APPN = 0x65;
const ESME_RX_R_APPN = 0x66;

const TICK_MS = 10;
/** How often receipts owed past their age are looked for (at most). */
const EXPIRY_SWEEP_MS = 60_000;
const MAX_RECEIPT_ATTEMPTS = 5;
const SMSC_SYSTEM_ID = 'hongyan-sim';

/** A pino-compatible logger (only these four methods are used). */
export interface SimulatorLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
  debug(obj: object, msg?: string): void;
}

const silentLogger: SimulatorLogger = { info() {}, warn() {}, error() {}, debug() {} };

export interface SimulatorOptions {
  /** Listen address. Default '127.0.0.1'. */
  host?: string;
  /** Listen port; 0 (default) picks an ephemeral port, returned by start(). */
  port?: number;
  /**
   * system_id → password. Undefined (default) accepts any credentials. Otherwise an unknown
   * system_id gets ESME_RINVSYSID (0x0F) and a wrong password ESME_RINVPASWD (0x0E).
   */
  accounts?: Record<string, string>;
  /** Delay between the submit and its receipt. Default 200 ms. */
  receiptDelayMs?: number;
  /** Custom outcome rules, checked before the defaults (see outcomes.ts). */
  outcomes?: OutcomeRule[];
  /** Format of the message_id in submit_sm_resp. Default 'hex'. */
  idFormat?: 'hex' | 'decimal';
  /**
   * Format of the id in receipts (TLV and text). 'same' (default) = as in submit_sm_resp; 'hex' /
   * 'decimal' convert, to imitate SMSCs whose receipt ids differ from their resp ids (reference §1.5).
   */
  dlrIdFormat?: 'same' | 'hex' | 'decimal';
  /** Max unacknowledged receipt deliver_sm per session; 0 = unlimited. Default 1000. */
  receiptWindow?: number;
  /** Pino-compatible logger. Default silent. */
  logger?: SimulatorLogger;
  /** Serve SMPP over TLS with this key and certificate (PEM). */
  tls?: { key: string; cert: string };
  /**
   * Keep the receipts owed in this journal file (created with mode 0600; `<file>.lock` holds it
   * for one process), so that they survive a stop or a crash and are delivered after a restart.
   * Undefined (default): in memory only, lost when the simulator stops.
   */
  stateFile?: string;
  /**
   * A receipt still owed this long after it fell due (no receiver of its system_id bound since) is
   * dropped, from memory and the journal. Default 48 h, Hongyan's receipt timeout.
   */
  receiptMaxAgeMs?: number;
  /** The clock (ms since the epoch), for tests. Default Date.now. */
  clock?: () => number;
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

export type BindMode = 'transmitter' | 'receiver' | 'transceiver';

/** What arrived in a submit_sm (emitted as 'submit'). */
export interface SubmitEvent {
  sessionId: number;
  systemId: string | null;
  sequenceNumber: number;
  /** The submit_sm_resp status sent back (0 = accepted). */
  commandStatus: number;
  /** The message_id sent back, or null when refused. */
  messageId: string | null;
  sourceAddr: string;
  destinationAddr: string;
  esmClass: number;
  dataCoding: number;
  registeredDelivery: number;
  /** Raw short_message octets, UDH included (message_payload's when short_message is empty). */
  shortMessage: Buffer;
  /** The UDH (with its length octet) when esm_class has UDHI (0x40), else null. */
  udh: Buffer | null;
  /** The text as node-smpp decoded it (by data_coding), or null for binary data codings. */
  text: string | null;
}

export interface BindEvent {
  sessionId: number;
  systemId: string;
  mode: BindMode;
  /** bind_resp command_status (0 = bound). */
  commandStatus: number;
}

export interface InboundMessage {
  from: string;
  to: string;
  text: string;
}

export interface SimulatorEvents {
  submit: [SubmitEvent];
  bind: [BindEvent];
}

interface Conn {
  id: number;
  session: Session;
  socket: Socket;
  systemId: string | null;
  mode: BindMode | null;
  canSubmit: boolean;
  canReceive: boolean;
  /** Receipts sent on this session and not yet acknowledged, by sequence_number. */
  inflight: Map<number, ReceiptJob>;
  /** The body (after command_length) of the PDU node-smpp read last: raw bytes for 'submit'. */
  lastBody: Buffer | null;
  corked: boolean;
  closed: boolean;
}

/** What is owed (the journal's record: src = the handset, dst = the original source) and how it goes. */
interface ReceiptJob extends OwedReceipt {
  text: string;
  /** Dropped, undelivered, from this time on (first due time + the max age; retries keep it). */
  expires: number;
  /** The submitting session, preferred when it can receive (a transceiver). */
  via: Conn | null;
  attempts: number;
  /** The journal's key for this receipt; 0 without a journal. */
  seq: number;
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
    this.items[this.head] = undefined;
    this.head++;
    if (this.head === this.items.length) {
      this.items = [];
      this.head = 0;
    } else if (this.head >= 1024 && this.head * 2 >= this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return item;
  }

  /** Removes and returns the items that match, keeping the others in order. */
  removeWhere(match: (item: T) => boolean): T[] {
    const kept: T[] = [];
    const removed: T[] = [];
    for (let i = this.head; i < this.items.length; i++) {
      const item = this.items[i] as T;
      (match(item) ? removed : kept).push(item);
    }
    this.items = kept;
    this.head = 0;
    return removed;
  }

  /** Puts items back in front (a closed session's unacknowledged receipts). */
  unshiftAll(items: T[]): void {
    this.items = [...items, ...this.items.slice(this.head)];
    this.head = 0;
  }

  clear(): void {
    this.items = [];
    this.head = 0;
  }
}

// YYMMDDhhmm (UTC) for the receipt text, cached per minute.
let dateMinute = -1;
let dateText = '';
function receiptDate(ms: number): string {
  const minute = Math.floor(ms / 60_000);
  if (minute !== dateMinute) {
    const d = new Date(minute * 60_000);
    const p = (n: number) => String(n).padStart(2, '0');
    dateText =
      p(d.getUTCFullYear() % 100) +
      p(d.getUTCMonth() + 1) +
      p(d.getUTCDate()) +
      p(d.getUTCHours()) +
      p(d.getUTCMinutes());
    dateMinute = minute;
  }
  return dateText;
}

// Receipt text is sent as data_coding 0; keep only characters with the same code in ASCII and GSM 03.38.
const UNSAFE_TEXT = /[^A-Za-z0-9 !"#%&'()*+,\-./:;<=>?]/g;

const str = (v: unknown): string => (typeof v === 'string' ? v : '');
const num = (v: unknown): number => (typeof v === 'number' ? v : 0);

function skipCString(b: Buffer, offset: number): number {
  const end = b.indexOf(0, offset);
  return end < 0 ? b.length : end + 1;
}

/**
 * The raw short_message (or message_payload) of a submit_sm, from the PDU body as read after the
 * 4-octet command_length (so command_id is at 0 and the mandatory fields start at 12).
 */
function rawUserData(body: Buffer): Buffer {
  let o = 12;
  o = skipCString(body, o); // service_type
  o = skipCString(body, o + 2); // source_addr_ton, _npi, source_addr
  o = skipCString(body, o + 2); // dest_addr_ton, _npi, destination_addr
  o += 3; // esm_class, protocol_id, priority_flag
  o = skipCString(body, o); // schedule_delivery_time
  o = skipCString(body, o); // validity_period
  o += 4; // registered_delivery, replace_if_present_flag, data_coding, sm_default_msg_id
  if (o >= body.length) return Buffer.alloc(0);
  const length = body[o] as number;
  o += 1;
  const sm = body.subarray(o, Math.min(body.length, o + length));
  o += length;
  if (sm.length === 0) {
    while (o + 4 <= body.length) {
      const tag = body.readUInt16BE(o);
      const len = body.readUInt16BE(o + 2);
      o += 4;
      if (tag === 0x0424) return Buffer.from(body.subarray(o, Math.min(body.length, o + len)));
      o += len;
    }
  }
  return Buffer.from(sm);
}

function decodedText(field: unknown): string | null {
  if (typeof field === 'string') return field;
  if (field && typeof field === 'object' && 'message' in field) {
    const m = (field as { message: unknown }).message;
    return typeof m === 'string' ? m : null;
  }
  return null;
}

function addressTonNpi(addr: string): [number, number] {
  if (/^\+?[0-9]+$/.test(addr)) return [1, 1]; // international, E.164
  return [5, 0]; // alphanumeric
}

export class SmscSimulator extends EventEmitter<SimulatorEvents> {
  private readonly opts: SimulatorOptions;
  private readonly log: SimulatorLogger;
  private readonly resolve: OutcomeResolver;
  private readonly receiptDelayMs: number;
  private readonly window: number;
  private readonly idFormat: 'hex' | 'decimal';
  private readonly dlrIdFormat: 'same' | 'hex' | 'decimal';
  private readonly idPrefix: string;
  private idCounter = 0;

  private server: Server | null = null;
  private readonly conns = new Set<Conn>();
  private nextConnId = 1;
  /** Bound sessions that can receive (receiver / transceiver), by system_id. */
  private readonly receivers = new Map<string, Conn[]>();
  private rr = 0;

  /** Receipts not yet due, in due order. */
  private readonly due = new Fifo<ReceiptJob>();
  /** Due receipts waiting for a receiving session with room, by system_id. */
  private readonly ready = new Map<string, Fifo<ReceiptJob>>();
  private timer: NodeJS.Timeout | null = null;
  private sweeper: NodeJS.Timeout | null = null;
  private readonly maxAgeMs: number;
  private readonly now: () => number;
  /** The receipts owed, on disk (stateFile); null when kept in memory only. */
  private journal: ReceiptJournal | null = null;
  /** Receipts recorded in the journal whose submit_sm_resp waits for the fsync. */
  private journaling = 0;

  private readonly counters = {
    binds: 0,
    bindFailures: 0,
    submits: 0,
    submitErrors: 0,
    receiptsSent: 0,
    receiptsAcked: 0,
    inboundSent: 0,
  };

  constructor(opts: SimulatorOptions = {}) {
    super();
    this.opts = opts;
    this.log = opts.logger ?? silentLogger;
    this.resolve = compileOutcomes(opts.outcomes ?? []);
    this.receiptDelayMs = Math.max(0, opts.receiptDelayMs ?? 200);
    this.maxAgeMs = Math.max(0, opts.receiptMaxAgeMs ?? DEFAULT_RECEIPT_MAX_AGE_MS);
    this.now = opts.clock ?? Date.now;
    this.window = Math.max(0, opts.receiptWindow ?? 1000);
    this.idFormat = opts.idFormat ?? 'hex';
    this.dlrIdFormat = opts.dlrIdFormat ?? 'same';
    // Unique per instance: a random prefix, then a counter.
    this.idPrefix =
      this.idFormat === 'hex'
        ? randomBytes(4).toString('hex')
        : String(randomInt(100_000, 1_000_000));
  }

  /** Starts listening. Resolves with the bound port (useful with port 0). */
  async start(): Promise<{ port: number }> {
    if (this.server) throw new Error('simulator already started');
    // The journal first: what is owed must be queued before the first bind can ask for it.
    const journal = this.opts.stateFile
      ? await ReceiptJournal.open(this.opts.stateFile, this.log, {
          maxAgeMs: this.maxAgeMs,
          now: this.now,
        })
      : null;
    const server = smpp.createServer(this.opts.tls ? { ...this.opts.tls } : {}, (session) =>
      this.onSession(session),
    );
    this.server = server;
    const host = this.opts.host ?? '127.0.0.1';
    let port: number;
    try {
      port = await listen(server, this.opts.port ?? 0, host, (err: Error) =>
        this.log.error({ err }, 'smpp simulator server error'),
      );
    } catch (err) {
      this.server = null;
      await journal?.close();
      throw err;
    }
    this.journal = journal;
    this.sweeper = setInterval(
      () => this.expireOwed(),
      Math.max(TICK_MS, Math.min(EXPIRY_SWEEP_MS, this.maxAgeMs)),
    );
    this.sweeper.unref();
    if (journal && journal.size > 0) {
      // Owed from before the restart: due order; delivered once a receiver of the system_id binds.
      for (const owed of journal.owed()) this.due.push(this.jobFromJournal(owed));
      this.ensureTimer();
      this.log.info(
        { owed: journal.size, stateFile: journal.path },
        'smpp simulator: receipts owed from before the restart',
      );
    }
    this.log.info({ host, port }, 'smpp simulator listening');
    return { port };
  }

  /**
   * Closes every session and the server. Pending receipts are dropped from memory; with a
   * stateFile they stay in the journal and a simulator started on it later delivers them.
   */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    if (this.sweeper) clearInterval(this.sweeper);
    this.sweeper = null;
    const server = this.server;
    this.server = null;
    for (const conn of this.conns) conn.session.destroy();
    this.due.clear();
    this.ready.clear();
    const journal = this.journal;
    this.journal = null;
    await journal?.close();
    if (!server) return;
    await new Promise<void>((resolve) => server.close(() => resolve()));
    this.log.info({}, 'smpp simulator stopped');
  }

  stats(): SimulatorStats {
    let pending = this.due.size + this.journaling;
    for (const q of this.ready.values()) pending += q.size;
    let sessions = 0;
    for (const conn of this.conns) {
      pending += conn.inflight.size;
      if (conn.mode) sessions++;
    }
    return { ...this.counters, receiptsPending: pending, sessions };
  }

  /**
   * Sends a mobile-originated deliver_sm (esm_class 0) to every bound receiver/transceiver session.
   * GSM-7 text goes as data_coding 0, anything else as UCS-2 (8); text longer than one SMS goes in
   * message_payload. Returns the number of sessions it was sent to.
   */
  injectInbound(msg: InboundMessage): number {
    const encoding = chooseEncoding(msg.text);
    const dataCoding = dataCodingFor(encoding);
    const bytes = Buffer.from(encoding === 'gsm7' ? encodeGsm7(msg.text) : encodeUcs2(msg.text));
    const single = bytes.length <= (encoding === 'gsm7' ? 160 : 140);
    const [srcTon, srcNpi] = addressTonNpi(msg.from);
    const [dstTon, dstNpi] = addressTonNpi(msg.to);
    let sent = 0;
    for (const list of this.receivers.values()) {
      for (const conn of list) {
        if (conn.closed || !conn.socket.writable) continue;
        const pdu = new smpp.PDU('deliver_sm', {
          source_addr_ton: srcTon,
          source_addr_npi: srcNpi,
          source_addr: msg.from.replace(/^\+/, ''),
          dest_addr_ton: dstTon,
          dest_addr_npi: dstNpi,
          destination_addr: msg.to.replace(/^\+/, ''),
          esm_class: 0,
          data_coding: dataCoding,
          ...(single
            ? { short_message: bytes }
            : { short_message: Buffer.alloc(0), message_payload: bytes }),
        });
        conn.session.send(pdu);
        sent++;
      }
    }
    this.counters.inboundSent += sent;
    return sent;
  }

  // -------------------------------------------------------------------------------------------
  // Sessions
  // -------------------------------------------------------------------------------------------

  private onSession(session: Session): void {
    const socket = session.socket;
    const conn: Conn = {
      id: this.nextConnId++,
      session,
      socket,
      systemId: null,
      mode: null,
      canSubmit: false,
      canReceive: false,
      inflight: new Map(),
      lastBody: null,
      corked: false,
      closed: false,
    };
    this.conns.add(conn);

    // node-smpp reads a PDU as read(4) (command_length) then read(command_length - 4) and emits
    // 'pdu' right after, so the last body read is the PDU's raw bytes. A command_length below the
    // 16-octet header would make node-smpp mis-read or stall: throw, which node-smpp turns into 'error'.
    const read = socket.read.bind(socket);
    socket.read = (size?: number) => {
      const chunk: unknown = read(size);
      if (Buffer.isBuffer(chunk)) {
        if (size === 4) {
          const length = chunk.readUInt32BE(0);
          if (length < 16)
            throw new Error(`command_length ${length} is shorter than the PDU header`);
        } else {
          conn.lastBody = chunk;
        }
      }
      return chunk;
    };

    session.on('pdu', (pdu: PDU) => {
      try {
        this.onPdu(conn, pdu);
      } catch (err) {
        // Our handler failing must not reach node-smpp's read loop (it would be an uncaught exception).
        this.log.error(
          { err, session: conn.id, command: pdu.command },
          'smpp simulator failed to handle a PDU',
        );
        this.kill(conn, ESME_RSYSERR);
      }
    });
    // A PDU parse error or a socket error. After a parse error node-smpp stops reading, so the
    // session is finished: send a generic_nack (best effort) and destroy it.
    session.on('error', (err: Error) => {
      this.log.warn(
        { err: err.message, session: conn.id, systemId: conn.systemId },
        'smpp simulator session error',
      );
      this.kill(conn, ESME_RINVCMDLEN);
    });
    session.on('close', () => this.onClose(conn));
    this.log.debug({ session: conn.id, remote: socket.remoteAddress }, 'smpp simulator connection');
  }

  private kill(conn: Conn, nackStatus: number): void {
    if (conn.closed || conn.socket.destroyed) return;
    const socket = conn.socket;
    if (socket.writable) {
      const nack = new smpp.PDU('generic_nack', {
        command_status: nackStatus,
        sequence_number: 0,
      }).toBuffer();
      socket.end(nack, () => socket.destroy());
      setTimeout(() => socket.destroy(), 1000).unref();
    } else {
      socket.destroy();
    }
  }

  private onClose(conn: Conn): void {
    if (conn.closed) return;
    conn.closed = true;
    this.conns.delete(conn);
    this.removeReceiver(conn);
    if (conn.inflight.size > 0 && conn.systemId !== null && this.server) {
      // Unacknowledged receipts go back in front of the queue, like an SMSC retrying.
      const jobs = [...conn.inflight.values()];
      for (const job of jobs) job.via = null;
      conn.inflight.clear();
      this.readyQueue(conn.systemId).unshiftAll(jobs);
      this.pump(conn.systemId);
    }
    conn.inflight.clear();
    this.log.debug({ session: conn.id, systemId: conn.systemId }, 'smpp simulator session closed');
  }

  private send(conn: Conn, pdu: PDU): void {
    if (!conn.corked) {
      conn.corked = true;
      conn.socket.cork();
      process.nextTick(() => {
        conn.corked = false;
        conn.socket.uncork();
      });
    }
    conn.session.send(pdu);
  }

  private onPdu(conn: Conn, pdu: PDU): void {
    switch (pdu.command) {
      case 'submit_sm':
        this.onSubmit(conn, pdu);
        return;
      case 'deliver_sm_resp':
        this.onDeliverSmResp(conn, pdu);
        return;
      case 'enquire_link':
        this.send(conn, pdu.response());
        return;
      case 'bind_transmitter':
        this.onBind(conn, pdu, 'transmitter');
        return;
      case 'bind_receiver':
        this.onBind(conn, pdu, 'receiver');
        return;
      case 'bind_transceiver':
        this.onBind(conn, pdu, 'transceiver');
        return;
      case 'unbind':
        this.removeReceiver(conn);
        conn.mode = null;
        conn.canSubmit = false;
        conn.canReceive = false;
        conn.session.send(pdu.response());
        conn.session.close();
        return;
      case 'unbind_resp':
        conn.session.close();
        return;
      case 'unknown':
        // Unknown command_id: generic_nack ESME_RINVCMDID with the PDU's sequence_number.
        this.send(conn, pdu.response());
        return;
      default:
        if (pdu.isResponse()) return; // enquire_link_resp, generic_nack, …: nothing to do
        this.send(conn, this.refusal(pdu, conn.mode ? ESME_RINVCMDID : ESME_RINVBNDSTS));
    }
  }

  /** `<command>_resp` with an error status; generic_nack for commands that have no response. */
  private refusal(pdu: PDU, status: number): PDU {
    try {
      return pdu.response({ command_status: status });
    } catch {
      return new smpp.PDU('generic_nack', {
        command_status: status,
        sequence_number: pdu.sequence_number,
      });
    }
  }

  private onBind(conn: Conn, pdu: PDU, mode: BindMode): void {
    const systemId = str(pdu.system_id);
    const password = str(pdu.password);
    let status = ESME_ROK;
    const accounts = this.opts.accounts;
    if (conn.mode !== null) status = ESME_RALYBND;
    else if (accounts && !Object.hasOwn(accounts, systemId)) status = ESME_RINVSYSID;
    else if (accounts && accounts[systemId] !== password) status = ESME_RINVPASWD;

    if (status !== ESME_ROK) {
      this.counters.bindFailures++;
      this.send(conn, pdu.response({ command_status: status }));
      this.log.warn({ session: conn.id, systemId, mode, status }, 'smpp simulator bind refused');
      if (this.listenerCount('bind') > 0)
        this.emit('bind', { sessionId: conn.id, systemId, mode, commandStatus: status });
      return;
    }

    conn.systemId = systemId;
    conn.mode = mode;
    conn.canSubmit = mode !== 'receiver';
    conn.canReceive = mode !== 'transmitter';
    this.counters.binds++;
    this.send(conn, pdu.response({ system_id: SMSC_SYSTEM_ID }));
    this.log.info({ session: conn.id, systemId, mode }, 'smpp simulator bound');
    if (this.listenerCount('bind') > 0)
      this.emit('bind', { sessionId: conn.id, systemId, mode, commandStatus: ESME_ROK });
    if (conn.canReceive) {
      let list = this.receivers.get(systemId);
      if (!list) this.receivers.set(systemId, (list = []));
      list.push(conn);
      this.pump(systemId); // receipts that waited for a receiver
    }
  }

  private removeReceiver(conn: Conn): void {
    if (!conn.canReceive || conn.systemId === null) return;
    const list = this.receivers.get(conn.systemId);
    if (!list) return;
    const i = list.indexOf(conn);
    if (i >= 0) list.splice(i, 1);
    if (list.length === 0) this.receivers.delete(conn.systemId);
  }

  // -------------------------------------------------------------------------------------------
  // submit_sm
  // -------------------------------------------------------------------------------------------

  private onSubmit(conn: Conn, pdu: PDU): void {
    this.counters.submits++;
    const destination = str(pdu.destination_addr);
    let status: number;
    let outcome: Outcome | null = null;
    if (!conn.canSubmit) status = ESME_RINVBNDSTS;
    else if (destination.length === 0) status = ESME_RINVDSTADR;
    else {
      outcome = this.resolve(destination);
      status = outcome.submitStatus;
    }

    let messageId: string | null = null;
    let job: ReceiptJob | null = null;
    if (status === ESME_ROK && outcome !== null) {
      messageId = this.nextId();
      const wanted = num(pdu.registered_delivery) & 0x03; // 01 always, 10 on failure only, 11 reserved (≈ 01)
      if (outcome.receipt && wanted !== 0 && !(wanted === 2 && outcome.stat === 'DELIVRD'))
        job = this.receiptFor(conn, pdu, messageId, outcome);
    }
    // The raw bytes are only readable now (the next PDU overwrites lastBody).
    const event = this.listenerCount('submit') > 0 ? this.submitEvent(conn, pdu) : null;

    const journal = this.journal;
    if (journal === null) {
      this.answerSubmit(conn, pdu, status, messageId, job, event);
      return;
    }
    // Answer only once the receipt owed is on disk, so a crash never forgets an id the ESME holds.
    // Every resp waits (refusals too): a session's answers keep the order of its submits.
    if (job) {
      job.seq = journal.record(ownedOf(job));
      this.journaling++;
    }
    journal.whenDurable((err) => {
      if (job) this.journaling--;
      if (err || this.server === null || conn.closed || !conn.socket.writable) {
        // Not answered (journal failed, or stopped / session gone first): the ESME never learns this
        // id, so nothing is owed; a journal failure is a temporary refusal, the ESME retries.
        if (job) journal.forget(job.seq);
        this.answerSubmit(conn, pdu, err ? ESME_RSYSERR : status, null, null, event);
        return;
      }
      this.answerSubmit(conn, pdu, status, messageId, job, event);
    });
  }

  private answerSubmit(
    conn: Conn,
    pdu: PDU,
    status: number,
    messageId: string | null,
    job: ReceiptJob | null,
    event: Omit<SubmitEvent, 'commandStatus' | 'messageId'> | null,
  ): void {
    const answered = status === ESME_ROK && messageId !== null;
    if (!answered) this.counters.submitErrors++;
    if (!conn.closed && conn.socket.writable)
      this.send(
        conn,
        pdu.response(answered ? { message_id: messageId } : { command_status: status }),
      );
    if (answered && job) {
      this.due.push(job);
      this.ensureTimer();
    }
    if (event)
      this.emit('submit', {
        ...event,
        commandStatus: status,
        messageId: answered ? messageId : null,
      });
  }

  private submitEvent(conn: Conn, pdu: PDU): Omit<SubmitEvent, 'commandStatus' | 'messageId'> {
    const esmClass = num(pdu.esm_class);
    const shortMessage = conn.lastBody ? rawUserData(conn.lastBody) : Buffer.alloc(0);
    const udhi =
      (esmClass & 0x40) !== 0 &&
      shortMessage.length > 0 &&
      (shortMessage[0] as number) + 1 <= shortMessage.length;
    return {
      sessionId: conn.id,
      systemId: conn.systemId,
      sequenceNumber: pdu.sequence_number,
      sourceAddr: str(pdu.source_addr),
      destinationAddr: str(pdu.destination_addr),
      esmClass,
      dataCoding: num(pdu.data_coding),
      registeredDelivery: num(pdu.registered_delivery),
      shortMessage,
      udh: udhi ? shortMessage.subarray(0, (shortMessage[0] as number) + 1) : null,
      text: decodedText(pdu.short_message) || decodedText(pdu.message_payload),
    };
  }

  private nextId(): string {
    const n = ++this.idCounter;
    return this.idFormat === 'hex'
      ? this.idPrefix + n.toString(16).padStart(8, '0')
      : this.idPrefix + String(n).padStart(10, '0');
  }

  private receiptId(messageId: string): string {
    const to = this.dlrIdFormat;
    if (to === 'same' || to === this.idFormat) return messageId;
    return to === 'decimal'
      ? BigInt('0x' + messageId).toString(10)
      : BigInt(messageId).toString(16);
  }

  private receiptFor(conn: Conn, pdu: PDU, messageId: string, outcome: Outcome): ReceiptJob {
    const now = this.now();
    const text = (decodedText(pdu.short_message) || decodedText(pdu.message_payload) || '').slice(
      0,
      20,
    );
    return {
      id: this.receiptId(messageId),
      systemId: conn.systemId as string,
      src: str(pdu.destination_addr),
      srcTon: num(pdu.dest_addr_ton),
      srcNpi: num(pdu.dest_addr_npi),
      dst: str(pdu.source_addr),
      dstTon: num(pdu.source_addr_ton),
      dstNpi: num(pdu.source_addr_npi),
      submitDate: receiptDate(now),
      stat: outcome.stat,
      err: outcome.err,
      text: text.replace(UNSAFE_TEXT, '.'),
      due: now + this.receiptDelayMs,
      expires: now + this.receiptDelayMs + this.maxAgeMs,
      via: conn,
      attempts: 0,
      seq: 0,
    };
  }

  /** A receipt owed from before a restart; its text was never kept (no bodies at rest). */
  private jobFromJournal(owed: OwedReceipt): ReceiptJob {
    const { seq, ...fields } = owed;
    return { ...fields, text: '', expires: owed.due + this.maxAgeMs, via: null, attempts: 0, seq };
  }

  // -------------------------------------------------------------------------------------------
  // Receipts
  // -------------------------------------------------------------------------------------------

  private ensureTimer(): void {
    if (this.timer || !this.server) return;
    this.timer = setInterval(() => this.tick(), TICK_MS);
    this.timer.unref();
  }

  private tick(): void {
    try {
      this.flushDue();
    } catch (err) {
      this.log.error({ err }, 'smpp simulator receipt flush failed');
    }
    if (this.due.size === 0 && this.timer) {
      clearInterval(this.timer);
      this.timer = null;
    }
  }

  private flushDue(): void {
    const now = this.now();
    const touched = new Set<string>();
    for (let job = this.due.peek(); job !== undefined && job.due <= now; job = this.due.peek()) {
      this.due.shift();
      this.readyQueue(job.systemId).push(job);
      touched.add(job.systemId);
    }
    for (const systemId of touched) this.pump(systemId);
  }

  private readyQueue(systemId: string): Fifo<ReceiptJob> {
    let q = this.ready.get(systemId);
    if (!q) this.ready.set(systemId, (q = new Fifo()));
    return q;
  }

  private hasRoom(conn: Conn): boolean {
    return (
      !conn.closed &&
      conn.canReceive &&
      conn.socket.writable &&
      (this.window === 0 || conn.inflight.size < this.window)
    );
  }

  /** Sends the due receipts of one system_id while a receiving session has room. */
  private pump(systemId: string): void {
    const q = this.ready.get(systemId);
    if (!q || q.size === 0) return;
    const list = this.receivers.get(systemId);
    if (!list || list.length === 0) return; // kept until a receiver binds (or it expires)
    const now = this.now();
    for (let job = q.peek(); job !== undefined; job = q.peek()) {
      if (job.expires <= now) {
        q.shift();
        this.drop([job]);
        continue;
      }
      let target: Conn | null = job.via && this.hasRoom(job.via) ? job.via : null;
      for (let i = 0; target === null && i < list.length; i++) {
        const c = list[this.rr++ % list.length] as Conn;
        if (this.hasRoom(c)) target = c;
      }
      if (target === null) break; // every window is full; an ack will pump again
      q.shift();
      this.sendReceipt(target, job);
    }
    if (q.size === 0) this.ready.delete(systemId);
  }

  private sendReceipt(conn: Conn, job: ReceiptJob): void {
    const delivered = job.stat === 'DELIVRD';
    const text =
      `id:${job.id} sub:001 dlvrd:${delivered ? '001' : '000'} submit date:${job.submitDate}` +
      ` done date:${receiptDate(this.now())} stat:${job.stat} err:${job.err} text:${job.text}`;
    const fields: Record<string, unknown> = {
      source_addr_ton: job.srcTon,
      source_addr_npi: job.srcNpi,
      source_addr: job.src,
      dest_addr_ton: job.dstTon,
      dest_addr_npi: job.dstNpi,
      destination_addr: job.dst,
      esm_class: 0x04,
      data_coding: 0,
      short_message: Buffer.from(text, 'latin1').subarray(0, 254), // sm_length is one octet
      receipted_message_id: job.id,
      message_state: messageStateFromStat(job.stat),
    };
    const errCode = /^\d{1,5}$/.test(job.err) ? Number(job.err) : 0;
    if (!delivered && errCode > 0 && errCode <= 0xffff) {
      // network_error_code: network type 3 (GSM) + the error code (reference §1.4).
      fields.network_error_code = Buffer.from([3, errCode >> 8, errCode & 0xff]);
    }
    const pdu = new smpp.PDU('deliver_sm', fields);
    this.send(conn, pdu);
    conn.inflight.set(pdu.sequence_number, job);
    this.counters.receiptsSent++;
  }

  /**
   * Drops the due receipts still owed past their age: their system_id has bound no receiver since
   * (Hongyan has ended those messages `unknown` by then). Without this, a system_id that never
   * comes back would grow memory and the journal forever.
   */
  private expireOwed(): void {
    const now = this.now();
    for (const [systemId, q] of this.ready) {
      this.drop(q.removeWhere((job) => job.expires <= now));
      if (q.size === 0) this.ready.delete(systemId);
    }
  }

  private drop(jobs: ReceiptJob[]): void {
    if (jobs.length === 0) return;
    for (const job of jobs) this.journal?.forget(job.seq);
    this.log.warn(
      { systemId: jobs[0]!.systemId, dropped: jobs.length, maxAgeMs: this.maxAgeMs },
      'smpp simulator: receipts owed past their age dropped',
    );
  }

  private onDeliverSmResp(conn: Conn, pdu: PDU): void {
    const job = conn.inflight.get(pdu.sequence_number);
    if (job === undefined) return; // an MO's resp, or a late one
    conn.inflight.delete(pdu.sequence_number);
    const status = pdu.command_status;
    if (status === ESME_ROK) {
      this.counters.receiptsAcked++;
      this.journal?.forget(job.seq);
    } else if (
      status === ESME_RX_P_APPN ||
      status === ESME_RX_R_APPN ||
      ++job.attempts >= MAX_RECEIPT_ATTEMPTS
    ) {
      // Permanent / reject application error, or too many attempts: drop it.
      this.journal?.forget(job.seq);
      this.log.warn(
        { session: conn.id, id: job.id, status, attempts: job.attempts },
        'smpp simulator receipt dropped',
      );
    } else {
      // ESME_RX_T_APPN or anything else: retry later (the delay is constant, so the FIFO stays ordered).
      job.due = this.now() + this.receiptDelayMs;
      this.due.push(job);
      this.ensureTimer();
    }
    if (this.ready.has(job.systemId)) this.pump(job.systemId);
  }
}

/** What the journal keeps of a receipt: everything but the text and the session. */
function ownedOf(job: ReceiptJob): Omit<OwedReceipt, 'seq'> {
  return {
    id: job.id,
    systemId: job.systemId,
    src: job.src,
    srcTon: job.srcTon,
    srcNpi: job.srcNpi,
    dst: job.dst,
    dstTon: job.dstTon,
    dstNpi: job.dstNpi,
    submitDate: job.submitDate,
    stat: job.stat,
    err: job.err,
    due: job.due,
  };
}
