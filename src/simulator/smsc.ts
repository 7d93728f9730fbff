// Over 500 lines: submits and receipt acks share the journal's answer-after-fsync rule; split, it would hide.
// The built-in carrier simulator: an SMPP 3.4 SMSC on loopback, built on the `smpp` package's server.
// It binds ESMEs, answers submit_sm with a message_id (or an error, per the outcome rules), and sends
// delivery receipts (deliver_sm, esm_class 0x04, receipted_message_id + message_state TLVs + the text
// form, SMPP 3.4 §4.6.1, §5.3.2, Appendix B) after `receiptDelayMs`. The receipt schedule (no timer
// per message; the benchmark pushes ~10k submit_sm/s with 100k receipts) is carrier-core.ts's,
// shared with the CMPP simulator; the PDU fields are read and written in smsc-pdus.ts. Writes are
// corked per event-loop turn.
//
// With `stateFile`, the simulator keeps what it owes like a real SMSC: every accepted submit's receipt
// is in the journal (receipt-journal.ts), fsync'd in batches, before its submit_sm_resp goes out; a
// restarted simulator reloads the journal and delivers what is still owed when a receiver or
// transceiver of the same system_id binds; a receipt is forgotten only after its deliver_sm_resp.

import { EventEmitter } from 'node:events';
import type { Socket } from 'node:net';
import smpp, { type PDU, type Session } from 'smpp';
import { corkForThisTick } from '../net/tick-cork.ts';
import {
  ESME_RALYBND,
  ESME_RINVBNDSTS,
  ESME_RINVCMDID,
  ESME_RINVCMDLEN,
  ESME_RINVDSTADR,
  ESME_RINVPASWD,
  ESME_RINVSYSID,
  ESME_ROK,
  ESME_RSYSERR,
  ESME_RX_P_APPN,
  ESME_RX_R_APPN,
} from '../protocols/smpp/command-status.ts';
import { DEFAULT_RECEIPT_MAX_AGE_MS, ReceiptJournal, type OwedReceipt } from './receipt-journal.ts';
import { compileOutcomes, type Outcome, type OutcomeResolver } from './outcomes.ts';
import {
  MAX_RECEIPT_ATTEMPTS,
  CarrierServer,
  ReceiptSchedule,
  TICK_MS,
  carrierCounters,
  receiptsInFlight,
  silentLogger,
  type InboundMessage,
  type ReceiptLink,
  type SimulatorLogger,
  type SimulatorStats,
} from './carrier-core.ts';
import {
  SmscMessageIds,
  inboundDeliverSm,
  ownedOf,
  owedReceiptOf,
  receiptDeliverSm,
  submitEventOf,
} from './smsc-pdus.ts';
import { captureRawBodies, endWithNack, refusal } from '../protocols/smpp/wire.ts';
import type { BindMode, SimulatorEvents, SimulatorOptions, SubmitEvent } from './smsc-types.ts';

export type {
  BindEvent,
  BindMode,
  SimulatorEvents,
  SimulatorOptions,
  SubmitEvent,
} from './smsc-types.ts';
export type { InboundMessage, SimulatorLogger, SimulatorStats } from './carrier-core.ts';

/** How often receipts owed past their age are looked for (at most). */
const EXPIRY_SWEEP_MS = 60_000;
const SMSC_SYSTEM_ID = 'hongyan-sim';

interface Conn extends ReceiptLink<ReceiptJob> {
  session: Session;
  socket: Socket;
  systemId: string | null;
  mode: BindMode | null;
  canSubmit: boolean;
  /** The body (after command_length) of the PDU node-smpp read last: raw bytes for 'submit'. */
  lastBody: Buffer | null;
  corked: boolean;
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

const str = (v: unknown): string => (typeof v === 'string' ? v : '');
const num = (v: unknown): number => (typeof v === 'number' ? v : 0);

export class SmscSimulator extends EventEmitter<SimulatorEvents> {
  private readonly opts: SimulatorOptions;
  private readonly log: SimulatorLogger;
  private readonly resolve: OutcomeResolver;
  private readonly receiptDelayMs: number;

  private readonly net: CarrierServer<Conn>;
  private readonly ids: SmscMessageIds;
  private readonly receipts: ReceiptSchedule<ReceiptJob, Conn>;
  private timer: NodeJS.Timeout | null = null;
  private sweeper: NodeJS.Timeout | null = null;
  private readonly maxAgeMs: number;
  private readonly now: () => number;
  /** The receipts owed, on disk (stateFile); null when kept in memory only. */
  private journal: ReceiptJournal | null = null;
  /** Receipts recorded in the journal whose submit_sm_resp waits for the fsync. */
  private journaling = 0;

  private readonly counters = carrierCounters();

  constructor(opts: SimulatorOptions = {}) {
    super();
    this.opts = opts;
    this.log = opts.logger ?? silentLogger;
    this.net = new CarrierServer('smpp simulator', this.log);
    this.resolve = compileOutcomes(opts.outcomes ?? []);
    this.receiptDelayMs = Math.max(0, opts.receiptDelayMs ?? 200);
    this.maxAgeMs = Math.max(0, opts.receiptMaxAgeMs ?? DEFAULT_RECEIPT_MAX_AGE_MS);
    this.now = opts.clock ?? Date.now;
    this.receipts = new ReceiptSchedule<ReceiptJob, Conn>({
      window: Math.max(0, opts.receiptWindow ?? 1000),
      now: this.now,
      accountOf: (job) => job.systemId,
      send: (conn, job) => this.sendReceipt(conn, job),
      dropIfStale: (job, now) => {
        if (job.expires > now) return false;
        this.drop([job]);
        return true;
      },
    });
    this.ids = new SmscMessageIds(opts.idFormat ?? 'hex', opts.dlrIdFormat ?? 'same');
  }

  /** Starts listening. Resolves with the bound port (useful with port 0). */
  async start(): Promise<{ port: number }> {
    if (this.net.running) throw new Error('simulator already started');
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
    let port: number;
    try {
      port = await this.net.listen(server, this.opts.host ?? '127.0.0.1', this.opts.port ?? 0);
    } catch (err) {
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
      for (const owed of journal.owed()) this.receipts.schedule(this.jobFromJournal(owed));
      this.ensureTimer();
      this.log.info(
        { owed: journal.size, stateFile: journal.path },
        'smpp simulator: receipts owed from before the restart',
      );
    }
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
    const closing = this.net.close((conn) => conn.session.destroy());
    this.receipts.clear();
    const journal = this.journal;
    this.journal = null;
    await journal?.close();
    await closing;
  }

  stats(): SimulatorStats {
    const pending = this.receipts.waiting + this.journaling + receiptsInFlight(this.net.conns);
    let sessions = 0;
    for (const conn of this.net.conns) if (conn.mode) sessions++;
    return { ...this.counters, receiptsPending: pending, sessions };
  }

  /**
   * Sends a mobile-originated deliver_sm (esm_class 0) to every bound receiver/transceiver session.
   * GSM-7 text goes as data_coding 0, anything else as UCS-2 (8); text longer than one SMS goes in
   * message_payload. Returns the number of sessions it was sent to.
   */
  injectInbound(msg: InboundMessage): number {
    let sent = 0;
    for (const list of this.receipts.receivers()) {
      for (const conn of list) {
        if (conn.closed || !conn.socket.writable) continue;
        conn.session.send(inboundDeliverSm(msg));
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
      id: this.net.nextConnId(),
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
    this.net.conns.add(conn);

    captureRawBodies(socket, (body) => (conn.lastBody = body));

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
    if (!conn.closed) endWithNack(conn.socket, nackStatus);
  }

  private onClose(conn: Conn): void {
    if (!this.net.closed(conn)) return;
    this.receipts.closed(conn.systemId, conn, this.net.running);
    this.log.debug({ session: conn.id, systemId: conn.systemId }, 'smpp simulator session closed');
  }

  private send(conn: Conn, pdu: PDU): void {
    corkForThisTick(conn, conn.socket);
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
        if (conn.systemId !== null) this.receipts.removeReceiver(conn.systemId, conn);
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
        this.send(conn, refusal(pdu, conn.mode ? ESME_RINVCMDID : ESME_RINVBNDSTS));
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
    if (conn.canReceive) this.receipts.addReceiver(systemId, conn);
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
      messageId = this.ids.next();
      const wanted = num(pdu.registered_delivery) & 0x03; // 01 always, 10 on failure only, 11 reserved (≈ 01)
      if (outcome.receipt && wanted !== 0 && !(wanted === 2 && outcome.stat === 'DELIVRD'))
        job = this.receiptFor(conn, pdu, messageId, outcome);
    }
    // The raw bytes are only readable now (the next PDU overwrites lastBody).
    const event =
      this.listenerCount('submit') > 0
        ? submitEventOf(conn.id, conn.systemId, pdu, conn.lastBody)
        : null;

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
      if (err || !this.net.running || conn.closed || !conn.socket.writable) {
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
      this.receipts.schedule(job);
      this.ensureTimer();
    }
    if (event)
      this.emit('submit', {
        ...event,
        commandStatus: status,
        messageId: answered ? messageId : null,
      });
  }

  private receiptFor(conn: Conn, pdu: PDU, messageId: string, outcome: Outcome): ReceiptJob {
    const now = this.now();
    const due = now + this.receiptDelayMs;
    const owed = owedReceiptOf(pdu, this.ids.inReceipt(messageId), outcome, now, due);
    const systemId = conn.systemId as string;
    return { ...owed, systemId, expires: due + this.maxAgeMs, via: conn, attempts: 0, seq: 0 };
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
    if (this.timer || !this.net.running) return;
    this.timer = setInterval(() => this.tick(), TICK_MS);
    this.timer.unref();
  }

  private tick(): void {
    try {
      this.flushDue();
    } catch (err) {
      this.log.error({ err }, 'smpp simulator receipt flush failed');
    }
    if (this.receipts.dueCount === 0 && this.timer) {
      clearInterval(this.timer);
      this.timer = null;
    }
  }

  private flushDue(): void {
    const touched = new Set<string>();
    this.receipts.flushDue(this.now(), touched);
    this.receipts.pumpAll(touched);
  }

  private sendReceipt(conn: Conn, job: ReceiptJob): void {
    const pdu = new smpp.PDU('deliver_sm', receiptDeliverSm(job, this.now()));
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
    this.receipts.removeReady(
      (job) => job.expires <= now,
      (_, jobs) => this.drop(jobs),
    );
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
    const job = this.receipts.acknowledged(conn, pdu.sequence_number);
    if (!job) return; // an MO's resp, or a late one
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
      this.receipts.schedule(job);
      this.ensureTimer();
    }
    this.receipts.pumpIfWaiting(job.systemId);
  }
}
