// Upstream SMPP 3.4 channel: `binds` bind_transceiver connections (optionally TLS), each with its
// window of outstanding submit_sm and its own enquire_link and reconnect with backoff; one
// token-bucket throughput limit for the channel that halves when the carrier throttles.
// PDU encoding is the `smpp` package's; we hand it ready-made bytes (UDH + user data) and an
// explicit data_coding, so it never re-encodes our text.
import smpp, { type PDU, type Session } from 'smpp';
import type { Logger } from '../logger.ts';
import type { SmppChannelConfig } from '../core/channels/channel-config.ts';
import {
  ChannelStatus,
  failure,
  type ChannelDriver,
  type ChannelEvents,
  type ChannelState,
  type OutboundPart,
  type SubmitOutcome,
} from './channel.ts';
import { carrierIdVariants, normaliseCarrierId, readReceipt } from '../core/receipts.ts';
import { transcodeGsmPart } from '../core/message/transcode.ts';
import { reconnectWait } from '../core/channels/reconnect.ts';
import {
  ESME_ROK,
  classifySubmitStatus,
  smppStatusName,
} from '../protocols/smpp/command-status.ts';
import { SubmitWindow } from './submit-window.ts';
import { corkForThisTick } from '../net/tick-cork.ts';
import { addressing, concatOf, textOf } from './smpp-fields.ts';

interface Waiting {
  part: OutboundPart;
  resolve(outcome: SubmitOutcome): void;
}

/** One connection to the carrier: its own bind, window of outstanding submits and keep-alive. */
interface Bind {
  n: number;
  session: Session | null;
  bound: boolean;
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
  readonly #status: ChannelStatus;
  #window: SubmitWindow<Waiting>;
  #sweepTimer: NodeJS.Timeout | null = null;
  #stopping = false;

  constructor(
    private readonly cfg: SmppChannelConfig,
    private readonly events: ChannelEvents,
    private readonly log: Logger,
  ) {
    this.id = cfg.id;
    this.use = cfg.use;
    this.#status = new ChannelStatus(cfg.id, events, log);
    this.#binds = Array.from({ length: cfg.binds }, (_, n) => ({
      n,
      session: null,
      bound: false,
      lastActivity: Date.now(),
      enquirePending: false,
      backoffMs: cfg.reconnectMinMs,
      reconnectTimer: null,
      corked: false,
    }));
    this.#window = new SubmitWindow<Waiting>({
      window: cfg.window,
      binds: cfg.binds,
      throughput: cfg.throughput,
      isUp: (n) => this.#binds[n]!.bound && this.#binds[n]!.session !== null,
      send: (n, w) => this.#send(this.#binds[n]!, w),
      slowedDown: (rate) =>
        this.log.warn({ channel: this.id, rate }, 'carrier throttles us; slowing down'),
      answerName: 'submit_sm_resp',
    });
  }

  state(): ChannelState {
    return this.#status.current;
  }

  /** Binds up and the rate we allow ourselves now (for the operator's channel view). */
  health(): { bindsUp: number; binds: number; rate: number; inFlight: number; waiting: number } {
    return {
      bindsUp: this.#binds.filter((b) => b.bound).length,
      binds: this.#binds.length,
      rate: Math.round(this.#window.rate.rate),
      inFlight: this.#window.outstanding(),
      waiting: this.#window.waiting,
    };
  }

  capacity(): number {
    return this.#window.capacity();
  }

  async start(): Promise<void> {
    this.#stopping = false;
    this.#sweepTimer = setInterval(() => this.#sweep(), 1000);
    this.#sweepTimer.unref();
    this.#status.set('connecting');
    for (const b of this.#binds) this.#connect(b);
  }

  async stop(opts: { drain?: boolean } = {}): Promise<void> {
    this.#stopping = true;
    for (const b of this.#binds) if (b.reconnectTimer) clearTimeout(b.reconnectTimer);
    if (this.#sweepTimer) clearInterval(this.#sweepTimer);
    this.#window.stopPumping();
    // Parts not yet sent go back to the dispatcher at once (retried, on another channel if routed);
    // with drain, the ones the carrier has are answered before the binds close.
    this.#failWaiting('channel stopped');
    if (opts.drain)
      await this.#window.drain(
        this.cfg.responseTimeoutSeconds,
        () => this.#status.current === 'bound',
      );
    await Promise.all(this.#binds.map((b) => this.#close(b)));
    this.#status.set('stopped');
  }

  submit(part: OutboundPart): Promise<SubmitOutcome> {
    if (this.#status.current !== 'bound' || this.#stopping) {
      return Promise.resolve(
        failure('temporary', 'channel_down', `channel ${this.id} is not bound`),
      );
    }
    return new Promise((resolve) => this.#window.enqueue({ part, resolve }));
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
          if (pdu.command_status !== ESME_ROK) {
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
          this.#window.pump();
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
      const { delayMs, nextBackoffMs } = reconnectWait(b.backoffMs, this.cfg.reconnectMaxMs);
      b.backoffMs = nextBackoffMs;
      b.reconnectTimer = setTimeout(() => this.#connect(b), delayMs);
      b.reconnectTimer.unref();
    });
  }

  /** The channel is bound while any bind is; waiting parts fail over to nothing when none is. */
  #updateState(detail?: string): void {
    if (this.#stopping) return;
    if (this.#binds.some((b) => b.bound)) this.#status.set('bound');
    else {
      this.#failWaiting('connection lost');
      this.#status.set('down', detail);
    }
  }

  #onPdu(b: Bind, session: Session, pdu: PDU): void {
    switch (pdu.command) {
      case 'submit_sm_resp':
        this.#window.settle(b.n, pdu.sequence_number, submitOutcome(pdu));
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
        const waiting = this.#window.release(b.n, pdu.sequence_number);
        if (waiting) {
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

  /** Writes the submit_sm: its sequence_number, or null when the socket is not writable. */
  #send(b: Bind, w: Waiting): number | null {
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
    return this.#write(b, session, pdu) ? pdu.sequence_number : null;
  }

  #write(b: Bind, session: Session, pdu: PDU): boolean {
    corkForThisTick(b, session.socket);
    return session.send(pdu);
  }

  /** Response timeouts, keep-alive and rate recovery, once a second instead of a timer per PDU. */
  #sweep(): void {
    const now = Date.now();
    this.#window.sweep(now, this.cfg.responseTimeoutSeconds);
    for (const b of this.#binds) {
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
    this.#window.pump();
  }

  #failInFlight(b: Bind, detail: string): void {
    this.#window.failInFlight(b.n, failure('unanswered', 'connection_lost', detail));
  }

  #failWaiting(detail: string): void {
    this.#window.failWaiting(failure('temporary', 'channel_down', detail));
  }
}

/** What a submit_sm_resp says: the carrier's message id, or why not (SMPP 3.4 §4.4.2). */
function submitOutcome(pdu: PDU): SubmitOutcome {
  const status = pdu.command_status;
  if (status !== ESME_ROK)
    return {
      ok: false,
      reason: classifySubmitStatus(status),
      code: smppStatusName(status),
      commandStatus: status,
      detail: `carrier answered ${smppStatusName(status)}`,
    };
  const carrierId = normaliseCarrierId(typeof pdu.message_id === 'string' ? pdu.message_id : '');
  if (carrierId === '')
    return {
      ok: false,
      reason: 'unanswered',
      code: 'empty_message_id',
      commandStatus: 0,
      detail: 'submit_sm_resp carried no message_id',
    };
  return { ok: true, carrierId };
}
