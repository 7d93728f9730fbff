// The built-in CMPP 2.0 / 3.0 ISMG simulator (China Mobile's gateway, the side an SP connects to), on
// loopback. It checks the CONNECT authenticator, answers SUBMIT with an 8-byte Msg_Id (or an error
// Result, by the same outcome rules as the SMPP simulator: outcomes.ts), and sends status-report
// DELIVERs after `receiptDelayMs` (CMPP 3.0 §7.4). Frames: cmpp-ismg-frames.ts; the report schedule
// (no timer per message) is carrier-core.ts's, shared with the SMPP simulator.

import { EventEmitter } from 'node:events';
import { randomInt } from 'node:crypto';
import { createServer, type Socket } from 'node:net';
import { CMPP_DEFAULTS } from '../core/channels/channel-config.ts';
import { Fifo } from '../core/fifo.ts';
import { corkForThisTick } from '../net/tick-cork.ts';
import {
  CMPP_VERSION_3,
  CmppFrameReader,
  decode,
  encode,
  msgIdHex,
  type CmppPdu,
  type CmppVersion,
  type ConnectPdu,
  type SubmitPdu,
} from '../protocols/cmpp/codec.ts';
import { CONNECT_OK, RESULT_BAD_DEST, RESULT_OK } from '../protocols/cmpp/results.ts';
import { compileOutcomes, type OutcomeResolver } from './outcomes.ts';
import type { InboundMessage, ReceiptLink, SimulatorLogger } from './carrier-core.ts';
import { CarrierServer, ReceiptSchedule, carrierCounters, silentLogger } from './carrier-core.ts';
import { MAX_RECEIPT_ATTEMPTS, TICK_MS, receiptsInFlight } from './carrier-core.ts';
import {
  MsgIds,
  checkConnect,
  connectResp,
  moDeliver,
  moSegments,
  reportDeliver,
  reportTime,
  resultFor,
  type ReportFields,
} from './cmpp-ismg-frames.ts';
import type {
  CmppSimulatorEvents,
  CmppSimulatorOptions,
  CmppSimulatorStats,
} from './cmpp-ismg-types.ts';

export type {
  CmppConnectEvent,
  CmppSimulatorEvents,
  CmppSimulatorOptions,
  CmppSimulatorStats,
  CmppSubmitEvent,
} from './cmpp-ismg-types.ts';

const ZERO_MSG_ID = Buffer.alloc(8);

interface Conn extends ReceiptLink<ReceiptJob> {
  socket: Socket;
  reader: CmppFrameReader;
  version: CmppVersion;
  spId: string | null;
  seq: number;
  /** SUBMITs received and not yet answered. */
  unanswered: number;
  corked: boolean;
}

/** A status report owed to an SP. */
interface ReceiptJob extends ReportFields {
  spId: string;
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

export class CmppSimulator extends EventEmitter<CmppSimulatorEvents> {
  private readonly opts: CmppSimulatorOptions;
  private readonly log: SimulatorLogger;
  private readonly resolve: OutcomeResolver;
  private readonly receiptDelayMs: number;
  private readonly responseDelayMs: number;
  private readonly retryMs: number;
  private readonly msgIds: MsgIds;
  private readonly secret: string;
  private silent: boolean;
  private smscSeq = 0;

  private readonly net: CarrierServer<Conn>;
  /** Reports, to the logged-in connections of their SP. */
  private readonly receipts: ReceiptSchedule<ReceiptJob, Conn>;
  private responses = new Fifo<PendingResponse>();
  private timer: NodeJS.Timeout | null = null;
  private lastRetrySweep = 0;

  private readonly counters = {
    ...carrierCounters(),
    activeTests: 0,
    terminates: 0,
    maxOutstanding: 0,
    ignored: 0,
  };

  constructor(opts: CmppSimulatorOptions = {}) {
    super();
    this.opts = opts;
    this.receiptDelayMs = Math.max(0, opts.receiptDelayMs ?? 200);
    this.responseDelayMs = Math.max(0, opts.responseDelayMs ?? 0);
    this.resolve = compileOutcomes(opts.outcomes ?? []);
    this.log = opts.logger ?? silentLogger;
    this.net = new CarrierServer('cmpp simulator', this.log);
    this.receipts = new ReceiptSchedule<ReceiptJob, Conn>({
      window: Math.max(0, opts.receiptWindow ?? 1000),
      now: Date.now,
      accountOf: (job) => job.spId,
      send: (conn, job) => this.sendReport(conn, job),
      paused: () => this.silent,
    });
    this.retryMs = Math.max(1, opts.receiptRetryMs ?? 10_000);
    this.msgIds = new MsgIds(opts.gatewayId ?? randomInt(0, 0x400000));
    this.secret = opts.secret ?? CMPP_DEFAULTS.password;
    this.silent = opts.silent ?? false;
  }

  /** Starts listening. Resolves with the bound port (useful with port 0). */
  async start(): Promise<{ port: number }> {
    const server = createServer((socket) => this.onConnection(socket));
    const port = await this.net.listen(server, this.opts.host ?? '127.0.0.1', this.opts.port ?? 0);
    this.timer = setInterval(() => this.tick(), TICK_MS);
    this.timer.unref();
    return { port };
  }

  /** Closes every connection and the server; pending reports are dropped. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    const closing = this.net.close((conn) => conn.socket.destroy());
    this.receipts.clear();
    this.responses = new Fifo();
    await closing;
  }

  /** Hung mode: after CONNECT, read and ignore everything (no ACTIVE_TEST_RESP, no answers, no reports). */
  setSilent(silent: boolean): void {
    this.silent = silent;
    if (!silent) this.receipts.pumpAll();
  }

  stats(): CmppSimulatorStats {
    const pending = this.receipts.waiting + receiptsInFlight(this.net.conns);
    let sessions = 0;
    for (const conn of this.net.conns) if (conn.spId !== null) sessions++;
    return {
      ...this.counters,
      receiptsPending: pending,
      sessions,
      connections: this.net.conns.size,
    };
  }

  /** Writes raw bytes to every logged-in connection (fault tests: a peer sending garbage). */
  sendRaw(bytes: Buffer): number {
    let n = 0;
    for (const conn of this.net.conns) {
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
    for (const list of this.receipts.receivers()) {
      const conn = list.find((c) => !c.closed && c.socket.writable);
      if (!conn) continue;
      for (const s of segments) {
        const seq = this.nextSeq(conn);
        this.send(conn, moDeliver(msg, s, seq, this.msgIds.next(), conn.version));
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
      id: this.net.nextConnId(),
      socket,
      reader: new CmppFrameReader(),
      version: CMPP_VERSION_3,
      spId: null,
      seq: 0,
      canReceive: false,
      inflight: new Map(),
      unanswered: 0,
      corked: false,
      closed: false,
    };
    this.net.conns.add(conn);
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
    if (!this.net.closed(conn)) return;
    this.receipts.closed(conn.spId, conn, this.net.running);
    this.log.debug({ session: conn.id, spId: conn.spId }, 'cmpp simulator connection closed');
  }

  private send(conn: Conn, frame: Buffer): void {
    if (conn.closed) return;
    corkForThisTick(conn, conn.socket);
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
      case 'deliver_resp':
        this.onDeliverResp(conn, pdu.sequenceId, pdu.result);
        return;
      case 'connect':
        this.onConnect(conn, pdu);
        return;
      case 'submit':
        this.onSubmit(conn, pdu);
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
    const login = checkConnect(pdu, this.opts.credentials, this.secret, conn.spId !== null);
    const { status, authSourceAddr } = login;
    if (conn.spId === null) conn.version = login.version;
    this.send(conn, connectResp(pdu, login, conn.version));
    if (this.listenerCount('connect') > 0)
      this.emit('connect', {
        sessionId: conn.id,
        spId,
        version: pdu.version,
        status,
        authSourceAddr,
      });
    if (status !== CONNECT_OK) {
      this.counters.bindFailures++;
      this.log.warn({ session: conn.id, spId, status }, 'cmpp simulator refused a CONNECT');
      if (conn.spId === null) this.close(conn);
      return;
    }
    conn.spId = spId;
    conn.canReceive = true;
    this.counters.binds++;
    this.log.info({ session: conn.id, spId, version: pdu.version }, 'cmpp simulator connected');
    this.receipts.addReceiver(spId, conn); // reports that waited for a connection
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
    const msgId = result === RESULT_OK ? this.msgIds.next() : ZERO_MSG_ID;
    if (result !== RESULT_OK) this.counters.submitErrors++;
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
    if (result === RESULT_OK && outcome?.receipt && pdu.registeredDelivery === 1) {
      this.receipts.schedule({
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
        msgId: result === RESULT_OK ? msgIdHex(msgId) : null,
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
      this.receipts.flushDue(now, touched);
      if (now - this.lastRetrySweep >= 1000) {
        this.lastRetrySweep = now;
        this.resendUnacknowledged(now, touched);
      }
      this.receipts.pumpAll(touched);
    } catch (err) {
      this.log.error({ err }, 'cmpp simulator tick failed');
    }
  }

  /** Reports sent but never answered go out again, up to MAX_RECEIPT_ATTEMPTS times. */
  private resendUnacknowledged(now: number, touched: Set<string>): void {
    for (const conn of this.net.conns) {
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
        this.receipts.ready(job);
        touched.add(job.spId);
      }
    }
  }

  private sendReport(conn: Conn, job: ReceiptJob): void {
    const now = Date.now();
    let frame: Buffer;
    try {
      this.smscSeq = (this.smscSeq + 1) >>> 0;
      frame = reportDeliver(
        job,
        now,
        this.smscSeq,
        this.nextSeq(conn),
        this.msgIds.next(),
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
    const job = this.receipts.acknowledged(conn, seq);
    if (!job) return; // late, unknown, or an MO's answer
    if (result === RESULT_OK) {
      this.counters.receiptsAcked++;
    } else if (job.attempts >= MAX_RECEIPT_ATTEMPTS) {
      this.log.warn(
        { session: conn.id, result, attempts: job.attempts },
        'cmpp simulator report dropped',
      );
    } else {
      // Refused (e.g. Result 8, flow control): retry after the delay (the FIFO stays ordered).
      job.due = Date.now() + this.receiptDelayMs;
      this.receipts.schedule(job);
    }
    this.receipts.pumpIfWaiting(job.spId);
  }
}
