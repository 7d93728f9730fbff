// Upstream SMPP 3.4 channel: `binds` bind_transceiver connections (optionally TLS), each with its
// window of outstanding submit_sm and its own enquire_link and reconnect with backoff; one
// token-bucket throughput limit for the channel that halves when the carrier throttles.
// PDU encoding is the `smpp` package's; we hand it ready-made bytes (UDH + user data) and an
// explicit data_coding, so it never re-encodes our text.
import smpp, { type PDU, type Session } from 'smpp';
import type { Logger } from '../logger.ts';
import type { SmppChannelConfig } from '../core/channels/channel-config.ts';
import type {
  ChannelDriver,
  ChannelEvents,
  ChannelState,
  OutboundPart,
  SubmitOutcome,
} from './channel.ts';
import {
  carrierIdVariants,
  classifySubmitStatus,
  normaliseCarrierId,
  readReceipt,
  smppStatusName,
} from '../core/receipts.ts';
import { decodeUserData } from '../core/message/encoding.ts';
import { transcodeGsmPart } from '../core/message/transcode.ts';
import { SendRate } from '../core/channels/send-rate.ts';

interface InFlight {
  resolve(outcome: SubmitOutcome): void;
  sentAt: number;
}

interface Waiting {
  part: OutboundPart;
  resolve(outcome: SubmitOutcome): void;
}

/** One connection to the carrier: its own bind, window of outstanding submits and keep-alive. */
interface Bind {
  n: number;
  session: Session | null;
  bound: boolean;
  inFlight: Map<number, InFlight>;
  lastActivity: number;
  enquirePending: boolean;
  backoffMs: number;
  reconnectTimer: NodeJS.Timeout | null;
  corked: boolean;
}

export class SmppChannel implements ChannelDriver {
  readonly id: string;
  readonly use: 'live' | 'test' | 'both';
  #binds: Bind[];
  #state: ChannelState = 'stopped';
  #waiting: Waiting[] = [];
  #rate: SendRate;
  #pumpTimer: NodeJS.Timeout | null = null;
  #sweepTimer: NodeJS.Timeout | null = null;
  #stopping = false;

  constructor(
    private readonly cfg: SmppChannelConfig,
    private readonly events: ChannelEvents,
    private readonly log: Logger,
  ) {
    this.id = cfg.id;
    this.use = cfg.use;
    // Burst at most one window per bind: the limit holds over any second.
    this.#rate = new SendRate(cfg.throughput, cfg.window * cfg.binds, Date.now());
    this.#binds = Array.from({ length: cfg.binds }, (_, n) => ({
      n,
      session: null,
      bound: false,
      inFlight: new Map(),
      lastActivity: Date.now(),
      enquirePending: false,
      backoffMs: cfg.reconnectMinMs,
      reconnectTimer: null,
      corked: false,
    }));
  }

  state(): ChannelState {
    return this.#state;
  }

  /** Binds up and the rate we allow ourselves now (for the operator's channel view). */
  health(): { bindsUp: number; binds: number; rate: number; inFlight: number; waiting: number } {
    return {
      bindsUp: this.#binds.filter((b) => b.bound).length,
      binds: this.#binds.length,
      rate: Math.round(this.#rate.rate),
      inFlight: this.#binds.reduce((n, b) => n + b.inFlight.size, 0),
      waiting: this.#waiting.length,
    };
  }

  capacity(): number {
    let room = 0;
    // Room for one window in flight and two more queued per bind, so the next parts are ready when answers come.
    for (const b of this.#binds) if (b.bound) room += this.cfg.window * 3 - b.inFlight.size;
    return Math.max(0, room - this.#waiting.length);
  }

  async start(): Promise<void> {
    this.#stopping = false;
    this.#sweepTimer = setInterval(() => this.#sweep(), 1000);
    this.#sweepTimer.unref();
    this.#setState('connecting');
    for (const b of this.#binds) this.#connect(b);
  }

  async stop(opts: { drain?: boolean } = {}): Promise<void> {
    this.#stopping = true;
    for (const b of this.#binds) if (b.reconnectTimer) clearTimeout(b.reconnectTimer);
    if (this.#sweepTimer) clearInterval(this.#sweepTimer);
    if (this.#pumpTimer) clearTimeout(this.#pumpTimer);
    this.#pumpTimer = null;
    // Parts not yet sent go back to the dispatcher at once (retried, on another channel if routed);
    // with drain, the ones the carrier has are answered before the binds close.
    this.#failWaiting('channel stopped');
    if (opts.drain) {
      const until = Date.now() + this.cfg.responseTimeoutSeconds * 1000;
      while (this.#outstanding() > 0 && Date.now() < until && this.#state === 'bound') {
        await new Promise((r) => setTimeout(r, 20));
      }
    }
    await Promise.all(this.#binds.map((b) => this.#close(b)));
    this.#setState('stopped');
  }

  submit(part: OutboundPart): Promise<SubmitOutcome> {
    if (this.#state !== 'bound' || this.#stopping) {
      return Promise.resolve({
        ok: false,
        reason: 'temporary',
        code: 'channel_down',
        commandStatus: null,
        detail: `channel ${this.id} is not bound`,
      });
    }
    return new Promise((resolve) => {
      this.#waiting.push({ part, resolve });
      this.#pump();
    });
  }

  #outstanding(): number {
    return this.#binds.reduce((n, b) => n + b.inFlight.size, 0);
  }

  async #close(b: Bind): Promise<void> {
    const session = b.session;
    b.session = null;
    if (session) {
      await new Promise<void>((resolve) => {
        const t = setTimeout(() => session.destroy(), 1000);
        session.once('close', () => {
          clearTimeout(t);
          resolve();
        });
        if (b.bound) session.unbind(() => session.close());
        else session.destroy();
      });
    }
    b.bound = false;
    this.#failInFlight(b, 'channel stopped');
  }

  #connect(b: Bind): void {
    if (this.#stopping) return;
    const session = smpp.connect({
      host: this.cfg.host,
      port: this.cfg.port,
      connectTimeout: 10_000,
      ...(this.cfg.tls
        ? { tls: true, servername: this.cfg.host, rejectUnauthorized: !this.cfg.tlsInsecure }
        : {}),
    } as never);
    b.session = session;
    let bound = false;
    session.on(this.cfg.tls ? 'secureConnect' : 'connect', () => {
      session.bind_transceiver(
        {
          system_id: this.cfg.systemId,
          password: this.cfg.password,
          system_type: this.cfg.systemType,
          interface_version: 0x34,
        },
        (pdu: PDU) => {
          if (pdu.command_status !== 0) {
            this.log.error(
              { channel: this.id, bind: b.n, status: smppStatusName(pdu.command_status) },
              'bind refused by carrier',
            );
            session.destroy();
            return;
          }
          bound = true;
          b.bound = true;
          b.backoffMs = this.cfg.reconnectMinMs;
          b.lastActivity = Date.now();
          b.enquirePending = false;
          this.#updateState();
          this.#pump();
        },
      );
    });
    session.on('pdu', (pdu: PDU) => {
      b.lastActivity = Date.now();
      this.#onPdu(b, session, pdu);
    });
    // node-smpp stops reading after a decode error: drop the connection and bind again.
    session.on('error', (err: Error) => {
      this.log.warn({ channel: this.id, bind: b.n, err: err.message }, 'smpp connection error');
      session.destroy();
    });
    session.on('close', () => {
      if (b.session === session) b.session = null;
      b.bound = false;
      this.#failInFlight(b, bound ? 'connection lost before the carrier answered' : 'not bound');
      if (this.#stopping) return;
      this.#updateState('connection closed');
      // ±25 % jitter: many nodes or channels that lost one carrier do not all come back at once.
      const delay = Math.round(b.backoffMs * (0.75 + Math.random() * 0.5));
      b.backoffMs = Math.min(this.cfg.reconnectMaxMs, b.backoffMs * 2);
      b.reconnectTimer = setTimeout(() => this.#connect(b), delay);
      b.reconnectTimer.unref();
    });
  }

  /** The channel is bound while any bind is; waiting parts fail over to nothing when none is. */
  #updateState(detail?: string): void {
    if (this.#stopping) return;
    if (this.#binds.some((b) => b.bound)) this.#setState('bound');
    else {
      this.#failWaiting('connection lost');
      this.#setState('down', detail);
    }
  }

  #onPdu(b: Bind, session: Session, pdu: PDU): void {
    switch (pdu.command) {
      case 'submit_sm_resp':
        this.#onSubmitResp(b, pdu);
        return;
      case 'deliver_sm':
      case 'data_sm':
        this.#onDeliver(b, session, pdu);
        return;
      case 'enquire_link':
        this.#write(b, session, pdu.response());
        return;
      case 'enquire_link_resp':
        b.enquirePending = false;
        return;
      case 'unbind':
        session.send(pdu.response());
        session.close();
        return;
      case 'generic_nack': {
        const waiting = b.inFlight.get(pdu.sequence_number);
        if (waiting) {
          b.inFlight.delete(pdu.sequence_number);
          waiting.resolve({
            ok: false,
            reason: 'rejected',
            code: 'generic_nack',
            commandStatus: pdu.command_status,
            detail: `generic_nack ${smppStatusName(pdu.command_status)}`,
          });
        }
        return;
      }
      default:
        if (pdu.command === 'unknown') {
          this.log.warn(
            { channel: this.id, commandId: pdu.command_id },
            'unknown PDU from carrier',
          );
          session.send(pdu.response());
        }
    }
  }

  #onSubmitResp(b: Bind, pdu: PDU): void {
    const waiting = b.inFlight.get(pdu.sequence_number);
    if (!waiting) return; // answered after we gave up on it: the receipt will still settle it
    b.inFlight.delete(pdu.sequence_number);
    const status = pdu.command_status;
    if (status === 0) {
      const raw = typeof pdu.message_id === 'string' ? pdu.message_id : '';
      const carrierId = normaliseCarrierId(raw);
      if (carrierId === '') {
        waiting.resolve({
          ok: false,
          reason: 'unanswered',
          code: 'empty_message_id',
          commandStatus: 0,
          detail: 'submit_sm_resp carried no message_id',
        });
      } else {
        waiting.resolve({ ok: true, carrierId });
      }
    } else {
      const reason = classifySubmitStatus(status);
      if (reason === 'throttled' && this.#rate.throttled(Date.now()))
        this.log.warn(
          { channel: this.id, rate: Math.round(this.#rate.rate) },
          'carrier throttles us; slowing down',
        );
      waiting.resolve({
        ok: false,
        reason,
        code: smppStatusName(status),
        commandStatus: status,
        detail: `carrier answered ${smppStatusName(status)}`,
      });
    }
    this.#pump();
  }

  #onDeliver(b: Bind, session: Session, pdu: PDU): void {
    const ack = () => void this.#write(b, session, pdu.response());
    const sm = pdu.short_message as
      { message?: string | Buffer; udh?: Buffer[] } | Buffer | undefined;
    const payload = pdu.message_payload as { message?: string | Buffer } | Buffer | undefined;
    const text =
      textOf(sm, Number(pdu.data_coding ?? 0)) || textOf(payload, Number(pdu.data_coding ?? 0));
    const receipt = readReceipt({
      esmClass: Number(pdu.esm_class ?? 0),
      text,
      receiptedMessageId:
        typeof pdu.receipted_message_id === 'string' ? pdu.receipted_message_id : null,
      messageState: typeof pdu.message_state === 'number' ? pdu.message_state : null,
      networkErrorCode: Buffer.isBuffer(pdu.network_error_code) ? pdu.network_error_code : null,
    });
    if (receipt) {
      // The carrier may write DLR ids in another base than submit_sm_resp ids (per-channel setting).
      const variants = carrierIdVariants(receipt.carrierId, this.cfg.receiptIdMode, 'dlr');
      const carrierId = variants[variants.length - 1] ?? receipt.carrierId;
      this.events.onReceipt(
        { carrierId, stat: receipt.stat, err: receipt.err, status: receipt.status },
        ack,
      );
      return;
    }
    if ((Number(pdu.esm_class ?? 0) & 0x3c) !== 0) {
      // SME acks and intermediate notifications: nothing to keep.
      ack();
      return;
    }
    const concat = concatOf(sm);
    this.events.onInbound(
      {
        from: String(pdu.source_addr ?? ''),
        to: String(pdu.destination_addr ?? ''),
        text,
        ...(concat ? { concat } : {}),
      },
      ack,
    );
  }

  #pump(): void {
    if (this.#state !== 'bound' || this.#stopping) return;
    let outOfTokens = false;
    while (this.#waiting.length > 0) {
      const b = this.#leastBusy();
      if (!b) break;
      if (!this.#rate.take(Date.now())) {
        outOfTokens = true;
        break;
      }
      this.#send(b, this.#waiting.shift()!);
    }
    if (outOfTokens && !this.#pumpTimer) {
      const waitMs = this.#rate.waitMs();
      this.#pumpTimer = setTimeout(() => {
        this.#pumpTimer = null;
        this.#pump();
      }, waitMs);
    }
  }

  /** The bound bind with the fewest outstanding submits, if it has room in its window. */
  #leastBusy(): Bind | null {
    let best: Bind | null = null;
    for (const b of this.#binds)
      if (b.bound && b.session && (!best || b.inFlight.size < best.inFlight.size)) best = b;
    return best && best.inFlight.size < this.cfg.window ? best : null;
  }

  #send(b: Bind, w: Waiting): void {
    const session = b.session!;
    const { part } = w;
    const udh = part.udh ? Buffer.from(part.udh) : null;
    let dataCoding = part.dataCoding;
    let body: Uint8Array = part.userData;
    if (dataCoding === 0 && this.cfg.defaultDataCoding !== 0) {
      // This carrier reads data_coding 0 otherwise, or wants ASCII / Latin-1 bytes: same characters, other bytes.
      const bytes = transcodeGsmPart(
        part.userData,
        this.cfg.defaultDataCoding === 1 ? 'ascii' : 'latin1',
      );
      if (bytes) {
        dataCoding = this.cfg.defaultDataCoding;
        body = bytes;
      }
    }
    const data = Buffer.from(body.buffer, body.byteOffset, body.byteLength);
    const shortMessage = udh ? Buffer.concat([udh, data]) : data;
    const source = part.from ?? this.cfg.sourceAddr + (part.extension ?? '');
    const pdu = new smpp.PDU('submit_sm', {
      source_addr: source,
      ...addressing(source),
      dest_addr_ton: 1,
      dest_addr_npi: 1,
      destination_addr: part.to.replace(/^\+/, ''),
      esm_class: udh ? 0x40 : 0,
      registered_delivery: part.wantReceipt ? 1 : 0,
      data_coding: dataCoding,
      short_message: shortMessage,
    });
    const sent = this.#write(b, session, pdu);
    if (!sent) {
      w.resolve({
        ok: false,
        reason: 'temporary',
        code: 'channel_down',
        commandStatus: null,
        detail: 'socket not writable',
      });
      return;
    }
    b.inFlight.set(pdu.sequence_number, { resolve: w.resolve, sentAt: Date.now() });
  }

  /** Writes made in one tick go out in one syscall: bursts of submit_sm, batches of receipt acks. */
  #write(b: Bind, session: Session, pdu: PDU): boolean {
    if (!b.corked) {
      b.corked = true;
      session.socket.cork();
      process.nextTick(() => {
        b.corked = false;
        session.socket.uncork();
      });
    }
    return session.send(pdu);
  }

  /** Response timeouts, keep-alive and rate recovery, once a second instead of a timer per PDU. */
  #sweep(): void {
    const now = Date.now();
    this.#rate.recover(now);
    const limit = now - this.cfg.responseTimeoutSeconds * 1000;
    for (const b of this.#binds) {
      for (const [seq, f] of b.inFlight) {
        if (f.sentAt < limit) {
          b.inFlight.delete(seq);
          f.resolve({
            ok: false,
            reason: 'unanswered',
            code: 'response_timeout',
            commandStatus: null,
            detail: `no submit_sm_resp within ${this.cfg.responseTimeoutSeconds}s`,
          });
        }
      }
      const session = b.session;
      if (session && b.bound && now - b.lastActivity > this.cfg.enquireLinkSeconds * 1000) {
        if (b.enquirePending) {
          this.log.warn({ channel: this.id, bind: b.n }, 'enquire_link unanswered; reconnecting');
          session.destroy();
          continue;
        }
        b.enquirePending = true;
        b.lastActivity = now;
        session.enquire_link();
      }
    }
    this.#pump();
  }

  #failInFlight(b: Bind, detail: string): void {
    const all = [...b.inFlight.values()];
    b.inFlight.clear();
    for (const f of all)
      f.resolve({
        ok: false,
        reason: 'unanswered',
        code: 'connection_lost',
        commandStatus: null,
        detail,
      });
  }

  #failWaiting(detail: string): void {
    const all = this.#waiting;
    this.#waiting = [];
    for (const w of all)
      w.resolve({
        ok: false,
        reason: 'temporary',
        code: 'channel_down',
        commandStatus: null,
        detail,
      });
  }

  #setState(state: ChannelState, detail?: string): void {
    if (state === this.#state) return;
    this.#state = state;
    if (state === 'bound') this.log.info({ channel: this.id }, 'channel bound');
    this.events.onState(state, detail);
  }
}

/** Concatenation info from the UDH node-smpp split off (8- or 16-bit reference). */
function concatOf(
  sm: { udh?: Buffer[] } | Buffer | undefined,
): { ref: number; total: number; seq: number } | null {
  if (!sm || Buffer.isBuffer(sm) || !Array.isArray(sm.udh)) return null;
  for (const ie of sm.udh) {
    if (!Buffer.isBuffer(ie) || ie.length < 2) continue;
    if (ie[0] === 0x00 && ie[1] === 3 && ie.length >= 5)
      return { ref: ie[2]!, total: ie[3]!, seq: ie[4]! };
    if (ie[0] === 0x08 && ie[1] === 4 && ie.length >= 6)
      return { ref: ie.readUInt16BE(2), total: ie[4]!, seq: ie[5]! };
  }
  return null;
}

function addressing(source: string): { source_addr_ton: number; source_addr_npi: number } {
  if (!/^\+?\d+$/.test(source)) return { source_addr_ton: 5, source_addr_npi: 0 }; // alphanumeric
  if (source.replace('+', '').length <= 8) return { source_addr_ton: 3, source_addr_npi: 0 }; // short code / 106 number
  return { source_addr_ton: 1, source_addr_npi: 1 };
}

function textOf(
  value: { message?: string | Buffer } | Buffer | string | undefined,
  dataCoding: number,
): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'string') return value;
  if (Buffer.isBuffer(value)) return decodeUserData(dataCoding, value);
  const m = value.message;
  if (typeof m === 'string') return m;
  if (Buffer.isBuffer(m)) return decodeUserData(dataCoding, m);
  return '';
}
