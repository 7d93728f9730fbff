// Upstream SMPP 3.4 channel: one bind_transceiver, a window of outstanding submit_sm, a
// token-bucket throughput limit, enquire_link, and reconnect with backoff.
// PDU encoding is the `smpp` package's; we hand it ready-made bytes (UDH + user data) and an
// explicit data_coding, so it never re-encodes our text.
import smpp, { type PDU, type Session } from 'smpp';
import type { Logger } from '../logger.ts';
import type { SmppChannelConfig } from '../config.ts';
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

interface InFlight {
  resolve(outcome: SubmitOutcome): void;
  sentAt: number;
}

interface Waiting {
  part: OutboundPart;
  resolve(outcome: SubmitOutcome): void;
}

export class SmppChannel implements ChannelDriver {
  readonly id: string;
  readonly use: 'live' | 'test' | 'both';
  #session: Session | null = null;
  #state: ChannelState = 'stopped';
  #inFlight = new Map<number, InFlight>();
  #waiting: Waiting[] = [];
  #tokens: number;
  #lastRefill = Date.now();
  #pumpTimer: NodeJS.Timeout | null = null;
  #sweepTimer: NodeJS.Timeout | null = null;
  #reconnectTimer: NodeJS.Timeout | null = null;
  #backoffMs: number;
  #lastActivity = Date.now();
  #enquirePending = false;
  #stopping = false;
  #corked = false;

  constructor(
    private readonly cfg: SmppChannelConfig,
    private readonly events: ChannelEvents,
    private readonly log: Logger,
  ) {
    this.id = cfg.id;
    this.use = cfg.use;
    this.#tokens = Math.min(cfg.throughput, cfg.window);
    this.#backoffMs = cfg.reconnectMinMs;
  }

  state(): ChannelState {
    return this.#state;
  }

  capacity(): number {
    if (this.#state !== 'bound') return 0;
    // Room for one window in flight and two more queued, so the next parts are ready when answers come.
    return Math.max(0, this.cfg.window * 3 - this.#inFlight.size - this.#waiting.length);
  }

  async start(): Promise<void> {
    this.#stopping = false;
    this.#sweepTimer = setInterval(() => this.#sweep(), 1000);
    this.#sweepTimer.unref();
    this.#connect();
  }

  async stop(opts: { drain?: boolean } = {}): Promise<void> {
    this.#stopping = true;
    if (this.#reconnectTimer) clearTimeout(this.#reconnectTimer);
    if (this.#sweepTimer) clearInterval(this.#sweepTimer);
    if (opts.drain) {
      const until = Date.now() + this.cfg.responseTimeoutSeconds * 1000;
      while (
        (this.#inFlight.size > 0 || this.#waiting.length > 0) &&
        Date.now() < until &&
        this.#state === 'bound'
      ) {
        await new Promise((r) => setTimeout(r, 20));
      }
    }
    this.#failWaiting('temporary', 'channel stopped');
    const session = this.#session;
    this.#session = null;
    if (session) {
      await new Promise<void>((resolve) => {
        const t = setTimeout(() => session.destroy(), 1000);
        session.once('close', () => {
          clearTimeout(t);
          resolve();
        });
        if (this.#state === 'bound') session.unbind(() => session.close());
        else session.destroy();
      });
    }
    this.#failInFlight('channel stopped');
    this.#setState('stopped');
  }

  submit(part: OutboundPart): Promise<SubmitOutcome> {
    if (this.#state !== 'bound') {
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

  #connect(): void {
    if (this.#stopping) return;
    this.#setState('connecting');
    const session = smpp.connect({
      host: this.cfg.host,
      port: this.cfg.port,
      connectTimeout: 10_000,
    } as never);
    this.#session = session;
    let bound = false;
    session.on('connect', () => {
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
              { channel: this.id, status: smppStatusName(pdu.command_status) },
              'bind refused by carrier',
            );
            session.destroy();
            return;
          }
          bound = true;
          this.#backoffMs = this.cfg.reconnectMinMs;
          this.#lastActivity = Date.now();
          this.#setState('bound');
          this.#pump();
        },
      );
    });
    session.on('pdu', (pdu: PDU) => {
      this.#lastActivity = Date.now();
      this.#onPdu(session, pdu);
    });
    // node-smpp stops reading after a decode error: drop the connection and bind again.
    session.on('error', (err: Error) => {
      this.log.warn({ channel: this.id, err: err.message }, 'smpp connection error');
      session.destroy();
    });
    session.on('close', () => {
      if (this.#session === session) this.#session = null;
      this.#failInFlight(bound ? 'connection lost before the carrier answered' : 'not bound');
      this.#failWaiting('temporary', 'connection lost');
      if (this.#stopping) return;
      this.#setState('down', 'connection closed');
      // ±25 % jitter: many nodes or channels that lost one carrier do not all come back at once.
      const delay = Math.round(this.#backoffMs * (0.75 + Math.random() * 0.5));
      this.#backoffMs = Math.min(this.cfg.reconnectMaxMs, this.#backoffMs * 2);
      this.#reconnectTimer = setTimeout(() => this.#connect(), delay);
      this.#reconnectTimer.unref();
    });
  }

  #onPdu(session: Session, pdu: PDU): void {
    switch (pdu.command) {
      case 'submit_sm_resp':
        this.#onSubmitResp(pdu);
        return;
      case 'deliver_sm':
      case 'data_sm':
        this.#onDeliver(session, pdu);
        return;
      case 'enquire_link':
        session.send(pdu.response());
        return;
      case 'enquire_link_resp':
        this.#enquirePending = false;
        return;
      case 'unbind':
        session.send(pdu.response());
        session.close();
        return;
      case 'generic_nack': {
        const waiting = this.#inFlight.get(pdu.sequence_number);
        if (waiting) {
          this.#inFlight.delete(pdu.sequence_number);
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

  #onSubmitResp(pdu: PDU): void {
    const waiting = this.#inFlight.get(pdu.sequence_number);
    if (!waiting) return; // answered after we gave up on it: the receipt will still settle it
    this.#inFlight.delete(pdu.sequence_number);
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
      if (reason === 'throttled') this.#tokens = 0; // the carrier says slow down: spend no more tokens this second
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

  #onDeliver(session: Session, pdu: PDU): void {
    const ack = () => void this.#write(session, pdu.response());
    const sm = pdu.short_message as { message?: string | Buffer } | Buffer | undefined;
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
    this.events.onInbound(
      { from: String(pdu.source_addr ?? ''), to: String(pdu.destination_addr ?? ''), text },
      ack,
    );
  }

  #pump(): void {
    const session = this.#session;
    if (!session || this.#state !== 'bound') return;
    this.#refill();
    while (this.#waiting.length > 0 && this.#inFlight.size < this.cfg.window && this.#tokens >= 1) {
      const next = this.#waiting.shift()!;
      this.#tokens -= 1;
      this.#send(session, next);
    }
    if (this.#waiting.length > 0 && this.#tokens < 1 && !this.#pumpTimer) {
      const waitMs = Math.max(1, Math.ceil(((1 - this.#tokens) * 1000) / this.cfg.throughput));
      this.#pumpTimer = setTimeout(() => {
        this.#pumpTimer = null;
        this.#pump();
      }, waitMs);
    }
  }

  #refill(): void {
    const now = Date.now();
    const elapsed = now - this.#lastRefill;
    if (elapsed <= 0) return;
    this.#lastRefill = now;
    // Burst at most one window: the limit holds over any second.
    this.#tokens = Math.min(
      Math.max(this.cfg.window, 1),
      this.#tokens + (elapsed * this.cfg.throughput) / 1000,
    );
  }

  #send(session: Session, w: Waiting): void {
    const { part } = w;
    const udh = part.udh ? Buffer.from(part.udh) : null;
    const body = Buffer.from(
      part.userData.buffer,
      part.userData.byteOffset,
      part.userData.byteLength,
    );
    const shortMessage = udh ? Buffer.concat([udh, body]) : body;
    const pdu = new smpp.PDU('submit_sm', {
      source_addr: part.from ?? this.cfg.sourceAddr,
      ...addressing(part.from ?? this.cfg.sourceAddr),
      dest_addr_ton: 1,
      dest_addr_npi: 1,
      destination_addr: part.to.replace(/^\+/, ''),
      esm_class: udh ? 0x40 : 0,
      registered_delivery: part.wantReceipt ? 1 : 0,
      data_coding: part.dataCoding,
      short_message: shortMessage,
    });
    const sent = this.#write(session, pdu);
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
    this.#inFlight.set(pdu.sequence_number, { resolve: w.resolve, sentAt: Date.now() });
  }

  /** Writes made in one tick go out in one syscall: bursts of submit_sm, batches of receipt acks. */
  #write(session: Session, pdu: PDU): boolean {
    if (!this.#corked) {
      this.#corked = true;
      session.socket.cork();
      process.nextTick(() => {
        this.#corked = false;
        session.socket.uncork();
      });
    }
    return session.send(pdu);
  }

  /** Response timeouts and keep-alive, once a second instead of a timer per PDU. */
  #sweep(): void {
    const now = Date.now();
    const limit = now - this.cfg.responseTimeoutSeconds * 1000;
    for (const [seq, f] of this.#inFlight) {
      if (f.sentAt < limit) {
        this.#inFlight.delete(seq);
        f.resolve({
          ok: false,
          reason: 'unanswered',
          code: 'response_timeout',
          commandStatus: null,
          detail: `no submit_sm_resp within ${this.cfg.responseTimeoutSeconds}s`,
        });
      }
    }
    const session = this.#session;
    if (
      session &&
      this.#state === 'bound' &&
      now - this.#lastActivity > this.cfg.enquireLinkSeconds * 1000
    ) {
      if (this.#enquirePending) {
        this.log.warn({ channel: this.id }, 'enquire_link unanswered; reconnecting');
        session.destroy();
        return;
      }
      this.#enquirePending = true;
      this.#lastActivity = now;
      session.enquire_link();
    }
    if (this.#inFlight.size < this.cfg.window) this.#pump();
  }

  #failInFlight(detail: string): void {
    const all = [...this.#inFlight.values()];
    this.#inFlight.clear();
    for (const f of all)
      f.resolve({
        ok: false,
        reason: 'unanswered',
        code: 'connection_lost',
        commandStatus: null,
        detail,
      });
  }

  #failWaiting(reason: 'temporary', detail: string): void {
    const all = this.#waiting;
    this.#waiting = [];
    for (const w of all)
      w.resolve({ ok: false, reason, code: 'channel_down', commandStatus: null, detail });
  }

  #setState(state: ChannelState, detail?: string): void {
    if (state === this.#state) return;
    this.#state = state;
    if (state === 'bound') this.log.info({ channel: this.id }, 'channel bound');
    this.events.onState(state, detail);
  }
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
