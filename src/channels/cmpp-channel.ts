// Upstream CMPP 2.0 / 3.0 channel (China Mobile, SP → ISMG): `binds` long-lived connections,
// each with its own CONNECT, a window of outstanding SUBMITs, ACTIVE_TEST after silence and
// reconnect with backoff; one token bucket for the whole channel (CMPP 3.0 §5, §7.4). Wire format:
// protocols/cmpp/codec.ts; Result and Status codes: protocols/cmpp/results.ts; what goes into
// the frames (text encoding, SUBMIT fields, MO text): cmpp-frames.ts.
import net, { type Socket } from 'node:net';
import type { Logger } from '../logger.ts';
import type { CmppChannelConfig } from '../core/channels/channel-config.ts';
import { reconnectWait } from '../core/channels/reconnect.ts';
import type { ChannelDriver, ChannelEvents, ChannelState, OutboundPart } from './channel.ts';
import { ChannelStatus, failure, type SubmitOutcome } from './channel.ts';
import { statusFromStat } from '../core/receipts.ts';
import {
  CMPP_VERSION_2,
  CMPP_VERSION_3,
  CmppFrameReader,
  CmppProtocolError,
  decode,
  encode,
  msgIdHex,
  type CmppPdu,
  type CmppVersion,
  type DeliverPdu,
  type SubmitRespPdu,
} from '../protocols/cmpp/codec.ts';
import {
  CONNECT_OK,
  RESULT_OK,
  RESULT_STRUCTURE,
  classifySubmitResult,
  connectStatusName,
  resultName,
} from '../protocols/cmpp/results.ts';
import { SubmitWindow } from './submit-window.ts';
import { corkForThisTick } from '../net/tick-cork.ts';
import {
  connectFrame,
  inboundOf,
  ismgAuthenticated,
  statusReportOf,
  submitFrame,
} from './cmpp-frames.ts';

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

export class CmppChannel implements ChannelDriver {
  readonly id: string;
  readonly use: 'live' | 'test' | 'both';
  readonly #version: CmppVersion;
  readonly #binds: Bind[];
  readonly #status: ChannelStatus;
  #window: SubmitWindow<Waiting>;
  #sweepTimer: NodeJS.Timeout | null = null;
  #stopping = false;

  constructor(
    private readonly cfg: CmppChannelConfig,
    private readonly events: ChannelEvents,
    private readonly log: Logger,
  ) {
    this.#version = cfg.version === 3 ? CMPP_VERSION_3 : CMPP_VERSION_2;
    this.#status = new ChannelStatus(cfg.id, events, log);
    this.id = cfg.id;
    this.use = cfg.use;
    this.#window = new SubmitWindow<Waiting>({
      window: cfg.window,
      binds: cfg.binds,
      throughput: cfg.throughput,
      isUp: (index) => this.#binds[index]!.phase === 'up',
      send: (index, w) => this.#send(this.#binds[index]!, w),
      slowedDown: (rate) =>
        this.log.warn({ channel: this.id, rate }, 'ISMG flow control; slowing down'),
      answerName: 'SUBMIT_RESP',
    });
    this.#binds = Array.from({ length: Math.max(1, cfg.binds) }, (_, index) => ({
      index,
      socket: null,
      phase: 'idle',
      reader: new CmppFrameReader(),
      seq: 0,
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
    return this.#status.current;
  }

  capacity(): number {
    return this.#status.current === 'bound' ? this.#window.capacity() : 0;
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
    if (opts.drain)
      await this.#window.drain(this.cfg.responseTimeoutSeconds, () =>
        this.#binds.some((b) => b.phase === 'up'),
      );
    this.#window.stopPumping();
    this.#failWaiting('channel stopped');
    await Promise.all(this.#binds.map((b) => this.#terminate(b)));
    for (const b of this.#binds) this.#failInFlight(b, 'channel stopped');
    this.#status.set('stopped');
  }

  submit(part: OutboundPart): Promise<SubmitOutcome> {
    if (this.#status.current !== 'bound' || this.#stopping) {
      return Promise.resolve(
        failure('temporary', 'channel_down', `channel ${this.id} is not bound`),
      );
    }
    const frame = submitFrame(part, this.cfg, this.#version);
    if (!Buffer.isBuffer(frame)) return Promise.resolve(frame);
    return new Promise((resolve) => this.#window.enqueue({ frame, resolve }));
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
      const login = connectFrame(this.cfg, this.#version, this.#nextSeq(b), new Date());
      b.authSource = login.authSource;
      this.#write(b, socket, login.frame);
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
    const { delayMs, nextBackoffMs } = reconnectWait(b.backoffMs, this.cfg.reconnectMaxMs);
    b.backoffMs = nextBackoffMs;
    b.reconnectTimer = setTimeout(() => this.#connect(b), delayMs);
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
      case 'deliver':
        this.#onDeliver(b, socket, pdu);
        return;
      case 'submit_resp':
        this.#window.settle(b.index, pdu.sequenceId, submitOutcome(pdu));
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
    if (status !== CONNECT_OK) {
      const why = connectStatusName(status);
      this.log.error(
        { channel: this.id, bind: b.index, status, reason: why },
        'CMPP CONNECT refused by ISMG',
      );
      this.#drop(b, socket, `CONNECT refused: Status ${status} (${why})`);
      return;
    }
    if (!ismgAuthenticated(authIsmg, b.authSource, this.cfg.password)) {
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
    this.#window.pump();
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
    const ack = () => answer(RESULT_OK);
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
        answer(RESULT_STRUCTURE);
        return;
      }
      const stat = report.stat.trim();
      this.events.onReceipt(
        { carrierId: msgIdHex(report.msgId), stat, err: null, status: statusFromStat(stat) },
        ack,
      );
      return;
    }
    this.events.onInbound(inboundOf(pdu), ack);
  }

  // -------------------------------------------------------------------------------------------
  // Submitting
  // -------------------------------------------------------------------------------------------

  /** Writes the SUBMIT: its Sequence_Id, or null when the socket is not writable. */
  #send(b: Bind, w: Waiting): number | null {
    const socket = b.socket;
    if (!socket || !socket.writable) return null;
    const seq = this.#nextSeq(b);
    w.frame.writeUInt32BE(seq, 8);
    this.#write(b, socket, w.frame);
    return seq;
  }

  #write(b: Bind, socket: Socket, frame: Buffer): void {
    corkForThisTick(b, socket);
    socket.write(frame);
  }

  #nextSeq(b: Bind): number {
    b.seq = b.seq >= 0xffffffff ? 1 : b.seq + 1;
    return b.seq;
  }

  /** Response timeouts, CONNECT timeouts and keep-alive, once a second instead of a timer per PDU. */
  #sweep(): void {
    const now = Date.now();
    this.#window.sweep(now, this.cfg.responseTimeoutSeconds);
    const timeoutMs = this.cfg.responseTimeoutSeconds * 1000;
    for (const b of this.#binds) {
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
    this.#window.pump();
  }

  #failInFlight(b: Bind, detail: string): void {
    this.#window.failInFlight(b.index, failure('unanswered', 'connection_lost', detail));
  }

  #failWaiting(detail: string): void {
    this.#window.failWaiting(failure('temporary', 'channel_down', detail));
  }

  #updateState(detail?: string): void {
    if (this.#stopping) return;
    let state: ChannelState = 'down';
    if (this.#binds.some((b) => b.phase === 'up')) state = 'bound';
    else if (this.#binds.some((b) => b.phase === 'connecting')) state = 'connecting';
    this.#status.set(state, detail);
  }
}

/** What a SUBMIT_RESP says: the ISMG's Msg_Id, or why not (CMPP 3.0 §7.4.3.2). */
function submitOutcome(pdu: SubmitRespPdu): SubmitOutcome {
  const result = pdu.result;
  if (result === RESULT_OK)
    return pdu.msgId.equals(ZERO_MSG_ID)
      ? failure('unanswered', 'empty_message_id', 'SUBMIT_RESP carried a zero Msg_Id', 0)
      : { ok: true, carrierId: msgIdHex(pdu.msgId) };
  return failure(
    classifySubmitResult(result),
    `CMPP_RESULT_${result}`,
    `ISMG answered Result ${result} (${resultName(result)})`,
    result,
  );
}
