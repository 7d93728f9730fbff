// Upstream CMPP 2.0 / 3.0 channel (China Mobile, SP → ISMG): `binds` long-lived connections,
// each with its own CONNECT, a window of outstanding SUBMITs, ACTIVE_TEST after silence and
// reconnect with backoff; one token bucket for the whole channel. Wire format: protocols/cmpp/codec.ts.
// Reference: shared sms-domain.md §3.1.
//
// Text encoding. CMPP has no GSM 03.38 alphabet, and the dispatcher hands us parts already split and
// encoded for SMPP (data_coding 0 = unpacked GSM septets, 8 = UCS-2). So:
// - data_coding 8 → Msg_Fmt 8 (UCS-2), the bytes as given;
// - data_coding 0 → the septets are decoded to text; pure ASCII goes as Msg_Fmt 0 with ASCII bytes
//   (the spec's Msg_Length < 160 for Msg_Fmt 0, CMPP 3.0 §7.4.3.1, but up to 160 bytes so that a
//   full single GSM part fits, as gateways accept); anything else
//   (£ € è …) goes as Msg_Fmt 8 when UDH + UCS-2 fits 140 bytes, and is otherwise refused as
//   `rejected` / `cmpp_unencodable` (a GSM part of up to 160/153 septets can need 320/306 UCS-2
//   bytes; re-splitting is the dispatcher's job, never the driver's).

import net, { type Socket } from 'node:net';
import { TextDecoder } from 'node:util';
import type { Logger } from '../logger.ts';
import type { CmppChannelConfig } from '../core/channels/channel-config.ts';
import { SendRate } from '../core/channels/send-rate.ts';
import type {
  ChannelDriver,
  ChannelEvents,
  ChannelInbound,
  ChannelState,
  OutboundPart,
  SubmitOutcome,
} from './channel.ts';
import { statusFromStat } from '../core/receipts.ts';
import { decodeGsm7 } from '../core/message/gsm7.ts';
import { decodeLatin1, decodeUcs2, encodeUcs2 } from '../core/message/encoding.ts';
import {
  CMPP_VERSION_2,
  CMPP_VERSION_3,
  CmppFrameReader,
  CmppProtocolError,
  MSG_FMT_ASCII,
  MSG_FMT_BINARY,
  MSG_FMT_GBK,
  MSG_FMT_UCS2,
  authenticatorIsmg,
  authenticatorSource,
  decode,
  encode,
  msgIdHex,
  parseStatusReport,
  statusReportLength,
  timestampOf,
  type CmppPdu,
  type CmppVersion,
  type DeliverPdu,
  type StatusReport,
  type SubmitRespPdu,
} from '../protocols/cmpp/codec.ts';

interface InFlight {
  resolve(outcome: SubmitOutcome): void;
  sentAt: number;
}

interface Waiting {
  /** The whole SUBMIT frame; its Sequence_Id (bytes 8–11) is written when it is sent. */
  frame: Buffer;
  resolve(outcome: SubmitOutcome): void;
}

/** One connection to the ISMG. idle = closed, waiting for its reconnect. */
interface Bind {
  index: number;
  socket: Socket | null;
  phase: 'idle' | 'connecting' | 'up';
  reader: CmppFrameReader;
  seq: number;
  inFlight: Map<number, InFlight>;
  authSource: Buffer | null;
  connectStartedAt: number;
  lastActivity: number;
  activeTestPending: boolean;
  backoffMs: number;
  reconnectTimer: NodeJS.Timeout | null;
  corked: boolean;
  /** Why we dropped this connection, for the state change it causes. */
  dropReason: string | null;
}

const ZERO_MSG_ID = Buffer.alloc(8);
const ASCII = /^\p{ASCII}*$/u;
/** The spec says Msg_Length < 160 for Msg_Fmt 0; gateways take 160, and a full GSM single part
 * (160 characters, priced as one part) must not be refused for one byte. */
const MAX_ASCII_CONTENT = 160;

/** Results about the gateway's own links (not connected, link down, timeout inside the ISMG):
 * the part is tried again later instead of failing. */
const GATEWAY_TROUBLE = new Set([51, 52, 53, 54, 70, 73]);
const MAX_CONTENT = 140;

/** SUBMIT_RESP Result (CMPP 3.0 §7.4.3.2, reference §3.1). */
const RESULT_NAMES: Readonly<Record<number, string>> = {
  1: 'message structure error',
  2: 'command word error',
  3: 'duplicate Msg_Id / sequence',
  4: 'wrong Msg_Length',
  5: 'wrong fee code',
  6: 'over the maximum message length',
  7: 'wrong Service_Id',
  8: 'flow control',
  9: 'gateway does not serve the charged number',
  10: 'wrong Src_Id',
  11: 'wrong Msg_src',
  12: 'wrong Fee_terminal_Id',
  13: 'wrong Dest_terminal_Id',
};

/** CONNECT_RESP Status (reference §3.1). */
const CONNECT_STATUS: Readonly<Record<number, string>> = {
  1: 'message structure error',
  2: 'illegal source address',
  3: 'authentication failed',
  4: 'version too high',
  55: 'too many connections (system)',
  56: 'too many connections (account)',
  57: 'login from a wrong IP address',
};

export function cmppResultName(result: number): string {
  return RESULT_NAMES[result] ?? 'other error';
}

export class CmppChannel implements ChannelDriver {
  readonly id: string;
  readonly use: 'live' | 'test' | 'both';
  readonly #version: CmppVersion;
  readonly #binds: Bind[];
  #state: ChannelState = 'stopped';
  #waiting: Waiting[] = [];
  /** The token bucket, halved on flow-control answers (AIMD, shared with SMPP). */
  #rate: SendRate;
  #pumpTimer: NodeJS.Timeout | null = null;
  #sweepTimer: NodeJS.Timeout | null = null;
  #stopping = false;

  constructor(
    private readonly cfg: CmppChannelConfig,
    private readonly events: ChannelEvents,
    private readonly log: Logger,
  ) {
    this.id = cfg.id;
    this.use = cfg.use;
    this.#version = cfg.version === 3 ? CMPP_VERSION_3 : CMPP_VERSION_2;
    // Burst at most one window per bind: the limit holds over any second.
    this.#rate = new SendRate(cfg.throughput, cfg.window * cfg.binds, Date.now());
    this.#binds = Array.from({ length: Math.max(1, cfg.binds) }, (_, index) => ({
      index,
      socket: null,
      phase: 'idle',
      reader: new CmppFrameReader(),
      seq: 0,
      inFlight: new Map(),
      authSource: null,
      connectStartedAt: 0,
      lastActivity: 0,
      activeTestPending: false,
      backoffMs: cfg.reconnectMinMs,
      reconnectTimer: null,
      corked: false,
      dropReason: null,
    }));
  }

  state(): ChannelState {
    return this.#state;
  }

  capacity(): number {
    if (this.#state !== 'bound') return 0;
    // Room for one window in flight and two more queued per bind, so parts are ready when answers come.
    let room = 0;
    for (const b of this.#binds)
      if (b.phase === 'up') room += this.cfg.window * 3 - b.inFlight.size;
    return Math.max(0, room - this.#waiting.length);
  }

  async start(): Promise<void> {
    if (this.#sweepTimer) return; // already started
    this.#stopping = false;
    this.#sweepTimer = setInterval(() => this.#sweep(), 1000);
    this.#sweepTimer.unref();
    for (const b of this.#binds) this.#connect(b);
  }

  async stop(opts: { drain?: boolean } = {}): Promise<void> {
    this.#stopping = true;
    if (this.#sweepTimer) clearInterval(this.#sweepTimer);
    this.#sweepTimer = null;
    for (const b of this.#binds) {
      if (b.reconnectTimer) clearTimeout(b.reconnectTimer);
      b.reconnectTimer = null;
    }
    // Parts not yet sent go back to the dispatcher at once (retried, on another channel if routed);
    // with drain, the ones the ISMG has are answered before the connections close.
    this.#failWaiting('channel stopped');
    if (opts.drain) {
      const until = Date.now() + this.cfg.responseTimeoutSeconds * 1000;
      while (
        this.#outstanding() > 0 &&
        Date.now() < until &&
        this.#binds.some((b) => b.phase === 'up')
      ) {
        await new Promise((r) => setTimeout(r, 20));
      }
    }
    if (this.#pumpTimer) clearTimeout(this.#pumpTimer);
    this.#pumpTimer = null;
    this.#failWaiting('channel stopped');
    await Promise.all(this.#binds.map((b) => this.#terminate(b)));
    for (const b of this.#binds) this.#failInFlight(b, 'channel stopped');
    this.#setState('stopped');
  }

  submit(part: OutboundPart): Promise<SubmitOutcome> {
    if (this.#state !== 'bound' || this.#stopping) {
      return Promise.resolve(
        failure('temporary', 'channel_down', `channel ${this.id} is not bound`),
      );
    }
    const frame = this.#submitFrame(part);
    if (!Buffer.isBuffer(frame)) return Promise.resolve(frame);
    return new Promise((resolve) => {
      this.#waiting.push({ frame, resolve });
      this.#pump();
    });
  }

  // -------------------------------------------------------------------------------------------
  // Connections
  // -------------------------------------------------------------------------------------------

  #connect(b: Bind): void {
    if (this.#stopping) return;
    b.reconnectTimer = null;
    b.phase = 'connecting';
    b.reader = new CmppFrameReader();
    b.activeTestPending = false;
    b.dropReason = null;
    b.connectStartedAt = Date.now();
    const socket = net.connect({ host: this.cfg.host, port: this.cfg.port });
    socket.setNoDelay(true);
    b.socket = socket;
    this.#updateState();
    socket.on('connect', () => {
      if (b.socket !== socket) return;
      const timestamp = timestampOf(new Date());
      b.authSource = authenticatorSource(
        this.cfg.spId,
        this.cfg.password,
        timestamp,
        this.cfg.authSourceAddr,
      );
      this.#write(
        b,
        socket,
        encode(
          {
            command: 'connect',
            sequenceId: this.#nextSeq(b),
            sourceAddr: this.cfg.spId,
            authenticatorSource: b.authSource,
            version: this.#version,
            timestamp: Number(timestamp),
          },
          this.#version,
        ),
      );
    });
    socket.on('data', (chunk: Buffer) => this.#onData(b, socket, chunk));
    socket.on('error', (err: Error) => {
      this.log.warn({ channel: this.id, bind: b.index, err: err.message }, 'cmpp connection error');
      this.#drop(b, socket, `connection error: ${err.message}`);
    });
    socket.on('close', () => this.#onClose(b, socket));
  }

  #onData(b: Bind, socket: Socket, chunk: Buffer): void {
    if (b.socket !== socket) return;
    let frames: Buffer[];
    try {
      frames = b.reader.push(chunk);
    } catch (err) {
      this.#dropForProtocolError(b, socket, err);
      return;
    }
    b.lastActivity = Date.now();
    for (const frame of frames) {
      if (b.socket !== socket) return; // dropped by an earlier frame of this chunk
      let pdu: CmppPdu;
      try {
        pdu = decode(frame, this.#version);
      } catch (err) {
        this.#dropForProtocolError(b, socket, err);
        return;
      }
      try {
        this.#onPdu(b, socket, pdu);
      } catch (err) {
        // Our handler (or an event listener) failing must not escape the socket's data event.
        this.log.error(
          { channel: this.id, bind: b.index, command: pdu.command, err },
          'cmpp channel failed to handle a PDU',
        );
        this.#drop(b, socket, `failed to handle ${pdu.command}`);
        return;
      }
    }
  }

  #dropForProtocolError(b: Bind, socket: Socket, err: unknown): void {
    const detail =
      err instanceof CmppProtocolError
        ? { code: err.code, err: err.message }
        : { err: String(err) };
    this.log.warn(
      { channel: this.id, bind: b.index, ...detail },
      'bad frame from ISMG; reconnecting',
    );
    this.#drop(b, socket, `bad frame from ISMG: ${detail.err}`);
  }

  #drop(b: Bind, socket: Socket, reason: string): void {
    if (b.socket === socket) b.dropReason ??= reason;
    socket.destroy();
  }

  #onClose(b: Bind, socket: Socket): void {
    if (b.socket !== socket) return;
    const wasUp = b.phase === 'up';
    b.socket = null;
    b.phase = 'idle';
    b.corked = false;
    this.#failInFlight(b, wasUp ? 'connection lost before the ISMG answered' : 'not connected');
    if (!this.#binds.some((x) => x.phase === 'up')) this.#failWaiting('connection lost');
    if (this.#stopping) return;
    this.#updateState(b.dropReason ?? 'connection closed');
    // ±25 % jitter: many nodes or channels that lost one carrier do not all come back at once.
    const delay = Math.round(b.backoffMs * (0.75 + Math.random() * 0.5));
    b.backoffMs = Math.min(this.cfg.reconnectMaxMs, b.backoffMs * 2);
    b.reconnectTimer = setTimeout(() => this.#connect(b), delay);
    b.reconnectTimer.unref();
  }

  /** TERMINATE, then wait (bounded) for the ISMG's TERMINATE_RESP or close. */
  async #terminate(b: Bind): Promise<void> {
    const socket = b.socket;
    if (!socket) return;
    await new Promise<void>((resolve) => {
      const t = setTimeout(() => socket.destroy(), 1000);
      socket.once('close', () => {
        clearTimeout(t);
        resolve();
      });
      if (b.phase === 'up' && socket.writable) {
        this.#write(
          b,
          socket,
          encode({ command: 'terminate', sequenceId: this.#nextSeq(b) }, this.#version),
        );
      } else {
        socket.destroy();
      }
    });
  }

  // -------------------------------------------------------------------------------------------
  // PDUs from the ISMG
  // -------------------------------------------------------------------------------------------

  #onPdu(b: Bind, socket: Socket, pdu: CmppPdu): void {
    switch (pdu.command) {
      case 'submit_resp':
        this.#onSubmitResp(b, pdu);
        return;
      case 'deliver':
        this.#onDeliver(b, socket, pdu);
        return;
      case 'active_test':
        this.#write(
          b,
          socket,
          encode(
            { command: 'active_test_resp', sequenceId: pdu.sequenceId, reserved: 0 },
            this.#version,
          ),
        );
        return;
      case 'active_test_resp':
        b.activeTestPending = false;
        return;
      case 'connect_resp':
        this.#onConnectResp(b, socket, pdu.status, pdu.authenticatorIsmg);
        return;
      case 'terminate':
        this.log.info({ channel: this.id, bind: b.index }, 'ISMG terminated the connection');
        this.#write(
          b,
          socket,
          encode({ command: 'terminate_resp', sequenceId: pdu.sequenceId }, this.#version),
        );
        b.dropReason ??= 'ISMG sent TERMINATE';
        socket.end();
        setTimeout(() => socket.destroy(), 1000).unref();
        return;
      case 'terminate_resp':
        socket.end();
        return;
      default:
        // connect / submit / cancel … are SP → ISMG requests; an ISMG has no business sending them.
        this.log.warn(
          { channel: this.id, bind: b.index, command: pdu.command },
          'unexpected PDU from ISMG',
        );
    }
  }

  #onConnectResp(b: Bind, socket: Socket, status: number, authIsmg: Buffer): void {
    if (b.phase !== 'connecting' || !b.authSource) return;
    if (status !== 0) {
      this.log.error(
        {
          channel: this.id,
          bind: b.index,
          status,
          reason: CONNECT_STATUS[status] ?? 'other error',
        },
        'CMPP CONNECT refused by ISMG',
      );
      const why = CONNECT_STATUS[status] ?? 'other error';
      this.#drop(b, socket, `CONNECT refused: Status ${status} (${why})`);
      return;
    }
    // AuthenticatorISMG = MD5(Status ‖ AuthenticatorSource ‖ secret). Status is hashed at its wire
    // width (1 byte in 2.0) by gocmpp, as 4 bytes by SMSGate-based gateways: accept either.
    const pw = this.cfg.password;
    if (
      !authIsmg.equals(authenticatorIsmg(0, b.authSource, pw, CMPP_VERSION_3)) &&
      !authIsmg.equals(authenticatorIsmg(0, b.authSource, pw, CMPP_VERSION_2))
    ) {
      this.log.error(
        { channel: this.id, bind: b.index },
        'AuthenticatorISMG does not match our shared secret; not trusting this ISMG',
      );
      this.#drop(b, socket, 'AuthenticatorISMG does not match our shared secret');
      return;
    }
    b.phase = 'up';
    b.backoffMs = this.cfg.reconnectMinMs;
    b.lastActivity = Date.now();
    b.activeTestPending = false;
    this.log.info({ channel: this.id, bind: b.index }, 'cmpp bind connected');
    this.#updateState();
    this.#pump();
  }

  #onSubmitResp(b: Bind, pdu: SubmitRespPdu): void {
    const waiting = b.inFlight.get(pdu.sequenceId);
    if (!waiting) return; // answered after we gave up on it: the receipt will still settle it
    b.inFlight.delete(pdu.sequenceId);
    const result = pdu.result;
    if (result === 0) {
      if (pdu.msgId.equals(ZERO_MSG_ID)) {
        waiting.resolve({
          ok: false,
          reason: 'unanswered',
          code: 'empty_message_id',
          commandStatus: 0,
          detail: 'SUBMIT_RESP carried a zero Msg_Id',
        });
      } else {
        waiting.resolve({ ok: true, carrierId: msgIdHex(pdu.msgId) });
      }
    } else {
      const throttled = result === 8;
      if (throttled && this.#rate.throttled(Date.now()))
        this.log.warn(
          { channel: this.id, rate: Math.round(this.#rate.rate) },
          'ISMG flow control; slowing down',
        );
      waiting.resolve({
        ok: false,
        reason: throttled ? 'throttled' : GATEWAY_TROUBLE.has(result) ? 'temporary' : 'rejected',
        code: `CMPP_RESULT_${result}`,
        commandStatus: result,
        detail: `ISMG answered Result ${result} (${cmppResultName(result)})`,
      });
    }
    this.#pump();
  }

  #onDeliver(b: Bind, socket: Socket, pdu: DeliverPdu): void {
    let answered = false;
    const answer = (result: number) => {
      if (answered || b.socket !== socket || socket.destroyed) return;
      answered = true;
      this.#write(
        b,
        socket,
        encode(
          { command: 'deliver_resp', sequenceId: pdu.sequenceId, msgId: pdu.msgId, result },
          this.#version,
        ),
      );
    };
    const ack = () => answer(0);
    if (pdu.registeredDelivery === 1) {
      let report;
      try {
        report = statusReportOf(pdu.msgContent, this.#version);
      } catch (err) {
        // The frame itself was sound, so the stream is fine: refuse this one DELIVER (Result 1).
        this.log.warn(
          { channel: this.id, bind: b.index, err: (err as Error).message },
          'unreadable status report from ISMG',
        );
        answer(1);
        return;
      }
      const stat = report.stat.trim();
      this.events.onReceipt(
        { carrierId: msgIdHex(report.msgId), stat, err: null, status: statusFromStat(stat) },
        ack,
      );
      return;
    }
    const inbound: ChannelInbound = { from: pdu.srcTerminalId, to: pdu.destId, text: '' };
    let content = pdu.msgContent;
    if (pdu.tpUdhi === 1 && content.length > 0) {
      const udhEnd = 1 + (content[0] as number);
      if (udhEnd <= content.length) {
        const concat = concatInfo(content.subarray(0, udhEnd));
        if (concat) inbound.concat = concat;
        content = content.subarray(udhEnd);
      }
    }
    inbound.text = moText(pdu.msgFmt, content);
    this.events.onInbound(inbound, ack);
  }

  // -------------------------------------------------------------------------------------------
  // Submitting
  // -------------------------------------------------------------------------------------------

  /** The SUBMIT frame (Sequence_Id 0, set when sent), or the outcome refusing it. */
  #submitFrame(part: OutboundPart): Buffer | SubmitOutcome {
    const content = submitContent(part);
    if (!('msgFmt' in content)) return content;
    const [pkTotal, pkNumber] = part.udh ? concatCounts(part.udh) : [1, 1];
    const to = part.to.replace(/^\+/, '');
    try {
      return encode(
        {
          command: 'submit',
          sequenceId: 0,
          msgId: ZERO_MSG_ID,
          pkTotal,
          pkNumber,
          registeredDelivery: part.wantReceipt ? 1 : 0,
          msgLevel: 0,
          serviceId: this.cfg.serviceId,
          feeUserType: 0,
          feeTerminalId: '',
          feeTerminalType: 0,
          tpPid: 0,
          tpUdhi: part.udh ? 1 : 0,
          msgFmt: content.msgFmt,
          msgSrc: this.cfg.spId,
          feeType: '01',
          feeCode: '000000',
          validTime: '',
          atTime: '',
          srcId: (part.from ?? this.cfg.sourceAddr + (part.extension ?? '')).replace(/^\+/, ''),
          // Chinese ISMGs expect the national 11 digits (or 86…): strip the country code of +86 numbers.
          destTerminalIds: [/^86\d{11}$/.test(to) ? to.slice(2) : to],
          destTerminalType: 0,
          msgContent: content.bytes,
          linkId: '',
          reserve: '',
        },
        this.#version,
      );
    } catch (err) {
      // A field that does not fit its CMPP width (a sender longer than Src_Id's 21 bytes, …).
      return failure('rejected', 'cmpp_bad_field', (err as Error).message);
    }
  }

  #pump(): void {
    if (this.#waiting.length === 0) return;
    let outOfTokens = false;
    while (this.#waiting.length > 0) {
      const b = this.#pickBind();
      if (!b) break; // every window is full; an answer will pump again
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

  /** The up bind with the fewest outstanding submits and room in its window. */
  #pickBind(): Bind | null {
    let best: Bind | null = null;
    for (const b of this.#binds) {
      if (b.phase !== 'up' || b.inFlight.size >= this.cfg.window) continue;
      if (!best || b.inFlight.size < best.inFlight.size) best = b;
    }
    return best;
  }

  #send(b: Bind, w: Waiting): void {
    const socket = b.socket;
    if (!socket || !socket.writable) {
      w.resolve(failure('temporary', 'channel_down', 'socket not writable'));
      return;
    }
    const seq = this.#nextSeq(b);
    w.frame.writeUInt32BE(seq, 8);
    this.#write(b, socket, w.frame);
    b.inFlight.set(seq, { resolve: w.resolve, sentAt: Date.now() });
  }

  /** Writes made in one tick go out in one syscall: bursts of SUBMIT, batches of DELIVER_RESP. */
  #write(b: Bind, socket: Socket, frame: Buffer): void {
    if (!b.corked) {
      b.corked = true;
      socket.cork();
      process.nextTick(() => {
        b.corked = false;
        socket.uncork();
      });
    }
    socket.write(frame);
  }

  #nextSeq(b: Bind): number {
    b.seq = b.seq >= 0xffffffff ? 1 : b.seq + 1;
    return b.seq;
  }

  /** Response timeouts, CONNECT timeouts and keep-alive, once a second instead of a timer per PDU. */
  #sweep(): void {
    const now = Date.now();
    this.#rate.recover(now);
    const timeoutMs = this.cfg.responseTimeoutSeconds * 1000;
    for (const b of this.#binds) {
      for (const [seq, f] of b.inFlight) {
        if (f.sentAt >= now - timeoutMs) continue;
        b.inFlight.delete(seq);
        f.resolve(
          failure(
            'unanswered',
            'response_timeout',
            `no SUBMIT_RESP within ${this.cfg.responseTimeoutSeconds}s`,
          ),
        );
      }
      const socket = b.socket;
      if (!socket) continue;
      if (b.phase === 'connecting' && now - b.connectStartedAt > timeoutMs) {
        this.log.warn({ channel: this.id, bind: b.index }, 'CMPP CONNECT unanswered; reconnecting');
        this.#drop(b, socket, 'CONNECT unanswered');
        continue;
      }
      if (b.phase === 'up' && now - b.lastActivity > this.cfg.enquireLinkSeconds * 1000) {
        if (b.activeTestPending) {
          this.log.warn(
            { channel: this.id, bind: b.index },
            'ACTIVE_TEST unanswered; reconnecting',
          );
          this.#drop(b, socket, 'ACTIVE_TEST unanswered');
          continue;
        }
        b.activeTestPending = true;
        b.lastActivity = now;
        this.#write(
          b,
          socket,
          encode({ command: 'active_test', sequenceId: this.#nextSeq(b) }, this.#version),
        );
      }
    }
    this.#pump();
  }

  #outstanding(): number {
    let n = 0;
    for (const b of this.#binds) n += b.inFlight.size;
    return n;
  }

  #failInFlight(b: Bind, detail: string): void {
    if (b.inFlight.size === 0) return;
    const all = [...b.inFlight.values()];
    b.inFlight.clear();
    for (const f of all) f.resolve(failure('unanswered', 'connection_lost', detail));
  }

  #failWaiting(detail: string): void {
    const all = this.#waiting;
    this.#waiting = [];
    for (const w of all) w.resolve(failure('temporary', 'channel_down', detail));
  }

  #updateState(detail?: string): void {
    if (this.#stopping) return;
    let state: ChannelState = 'down';
    if (this.#binds.some((b) => b.phase === 'up')) state = 'bound';
    else if (this.#binds.some((b) => b.phase === 'connecting')) state = 'connecting';
    this.#setState(state, detail);
  }

  #setState(state: ChannelState, detail?: string): void {
    if (state === this.#state) return;
    this.#state = state;
    if (state === 'bound') this.log.info({ channel: this.id }, 'channel bound');
    this.events.onState(state, detail);
  }
}

/** The report in this connection's layout, else the other version's (a 2.0-style report on 3.0). */
function statusReportOf(content: Buffer, version: CmppVersion): StatusReport {
  try {
    return parseStatusReport(content, version);
  } catch (err) {
    const other = version === CMPP_VERSION_3 ? CMPP_VERSION_2 : CMPP_VERSION_3;
    if (content.length >= statusReportLength(other)) return parseStatusReport(content, other);
    throw err;
  }
}

function failure(
  reason: 'rejected' | 'throttled' | 'temporary' | 'unanswered',
  code: string,
  detail: string,
): SubmitOutcome {
  return { ok: false, reason, code, commandStatus: null, detail };
}

/** Msg_Fmt and Msg_Content (UDH included) for a part, by the rule at the top of this file. */
function submitContent(part: OutboundPart): { msgFmt: number; bytes: Buffer } | SubmitOutcome {
  const udh = part.udh ?? new Uint8Array(0);
  const join = (body: Uint8Array) => Buffer.concat([udh, body]);
  const tooLong = (detail: string) => failure('rejected', 'cmpp_unencodable', detail);
  switch (part.dataCoding) {
    case 8: {
      if (udh.length + part.userData.length > MAX_CONTENT)
        return tooLong(`UCS-2 content of ${udh.length + part.userData.length} bytes exceeds 140`);
      return { msgFmt: MSG_FMT_UCS2, bytes: join(part.userData) };
    }
    case 4: {
      if (udh.length + part.userData.length > MAX_CONTENT)
        return tooLong(`binary content of ${udh.length + part.userData.length} bytes exceeds 140`);
      return { msgFmt: MSG_FMT_BINARY, bytes: join(part.userData) };
    }
    case 0:
    case 1:
    case 3: {
      const text = part.dataCoding === 3 ? decodeLatin1(part.userData) : decodeGsm7(part.userData);
      if (ASCII.test(text)) {
        if (udh.length + text.length > MAX_ASCII_CONTENT)
          return tooLong(
            `ASCII content of ${udh.length + text.length} bytes exceeds ${MAX_ASCII_CONTENT}`,
          );
        return { msgFmt: MSG_FMT_ASCII, bytes: join(Buffer.from(text, 'latin1')) };
      }
      const ucs2 = encodeUcs2(text);
      if (udh.length + ucs2.length > MAX_CONTENT)
        return tooLong(
          `text outside ASCII needs UCS-2 on CMPP: ${udh.length + ucs2.length} bytes exceed 140`,
        );
      return { msgFmt: MSG_FMT_UCS2, bytes: join(ucs2) };
    }
    default:
      return tooLong(`data_coding ${part.dataCoding} has no CMPP Msg_Fmt`);
  }
}

/** [Pk_total, Pk_number] from a concatenation UDH (8-bit IE 0x00 or 16-bit IE 0x08); [1, 1] otherwise. */
function concatCounts(udh: Uint8Array): [number, number] {
  const c = concatInfo(udh);
  return c ? [c.total, c.seq] : [1, 1];
}

/** The concatenation IE of a UDH (its length octet first), or undefined. */
function concatInfo(udh: Uint8Array): { ref: number; total: number; seq: number } | undefined {
  const end = Math.min(udh.length, 1 + (udh[0] ?? 0));
  let i = 1;
  while (i + 1 < end) {
    const iei = udh[i] as number;
    const len = udh[i + 1] as number;
    const v = i + 2;
    if (v + len > end) return undefined;
    if (iei === 0x00 && len === 3)
      return { ref: udh[v] as number, total: udh[v + 1] as number, seq: udh[v + 2] as number };
    if (iei === 0x08 && len === 4)
      return {
        ref: ((udh[v] as number) << 8) | (udh[v + 1] as number),
        total: udh[v + 2] as number,
        seq: udh[v + 3] as number,
      };
    i = v + len;
  }
  return undefined;
}

let gbk: TextDecoder | null = null;

/** MO text by Msg_Fmt: 0 ASCII, 8 UCS-2 (UTF-16BE), 15 GBK, anything else Latin-1 (best effort). */
function moText(msgFmt: number, bytes: Uint8Array): string {
  switch (msgFmt) {
    case MSG_FMT_UCS2:
      return decodeUcs2(bytes);
    case MSG_FMT_GBK:
      gbk ??= new TextDecoder('gbk');
      return gbk.decode(bytes);
    default:
      return decodeLatin1(bytes);
  }
}
