// The CMPP 2.0/3.0 server (ISMG side) tenants connect to as SPs (docs/cmpp.md), beside the SMPP
// server and sharing its parts: an SP logs in with its SMPP account (Source_Addr = system_id,
// the account's CMPP secret), SUBMITs go through the same accept service (AcceptBatcher), long
// messages are reassembled (Reassembly), status reports and inbound messages come back through
// the same outbox and cursors (DeliveryEngine with a CMPP DeliverProtocol). Wire format:
// protocols/cmpp/codec.ts. Reference: sms-domain.md §3.1.
import { listen } from '../../net/listen.ts';
import net, { type Server, type Socket } from 'node:net';
import { randomBytes } from 'node:crypto';
import { TextDecoder } from 'node:util';
import { newId } from '../../core/ids.ts';
import { normaliseNumber } from '../../core/phone.ts';
import { RateLimiter } from '../../core/security/rate-limit.ts';
import { decodeLatin1, decodeUcs2 } from '../../core/message/encoding.ts';
import { checkText } from '../../core/message/text-check.ts';
import type { Logger } from '../../logger.ts';
import type { AcceptDeps } from '../../services/accept-messages.ts';
import type { SmppAccount, SmppAccountStore } from '../../store/smpp-accounts.ts';
import type { SmppOutboxStore } from '../../store/smpp-outbox.ts';
import type { TenantStore } from '../../store/tenants.ts';
import {
  CMPP_VERSION_2,
  CMPP_VERSION_3,
  CmppFrameReader,
  CmppProtocolError,
  MSG_FMT_ASCII,
  MSG_FMT_GBK,
  MSG_FMT_UCS2,
  authenticatorIsmg,
  authenticatorSourceForm,
  commandName,
  decode,
  encode,
  encodeStatusReport,
  msgIdHex,
  type CmppPdu,
  type CmppVersion,
  type ConnectPdu,
  type SubmitPdu,
} from '../../protocols/cmpp/codec.ts';
import { AcceptBatcher } from '../smpp/accept-batcher.ts';
import { BindGuard, type BindAttempt } from '../smpp/bind-guard.ts';
import type { ThrottlePolicy } from '../../core/security/login-throttle.ts';
import { ESME_ROK, ESME_RSYSERR } from '../../protocols/smpp/command-status.ts';
import { DeliveryEngine, type DeliverProtocol, type Delivery } from '../smpp/deliveries.ts';
import { Reassembly, type Held } from '../smpp/reassembly.ts';
import { classOf } from '../smpp/server.ts';
import { readUserData, recipientOf } from '../smpp/submit-sm.ts';
import { moDeliveries, refusedReport, reportDeliveries, type CmppDelivery } from './deliver.ts';
import { MsgIdSource, msgIdPlus } from './msg-id.ts';
import {
  CONNECT_AUTH,
  CONNECT_OK,
  CONNECT_OTHER,
  CONNECT_VERSION,
  RESULT_BAD_DEST,
  RESULT_FLOW_CONTROL,
  RESULT_INVALID_TEXT,
  RESULT_LENGTH,
  RESULT_OK,
  RESULT_OTHER,
  RESULT_STRUCTURE,
  resultFor,
} from '../../protocols/cmpp/results.ts';

export interface CmppServerOptions {
  host: string;
  port: number;
  accounts: SmppAccountStore;
  tenants: TenantStore;
  /** The outbox read with source 'cmpp'. */
  outbox: SmppOutboxStore;
  accept: AcceptDeps;
  onAccepted?: () => void;
  log: Logger;
  /** Password guessing on CONNECT (config `login`); default: DEFAULT_THROTTLE_POLICY. */
  throttle?: ThrottlePolicy;
  /** This node's 22-bit ISMG code in the Msg_Ids it hands out. Default 1. */
  gatewayCode?: number;
  /** SUBMITs of one connection waiting for their answer; more is Result 8. Default 100. */
  submitWindow?: number;
  /** DELIVERs of one connection waiting for their answer. Default 16 (the spec's W). */
  deliverWindow?: number;
  /** A connection must CONNECT within this. Default 30 s. */
  connectTimeoutSeconds?: number;
  /** Idle this long: we send ACTIVE_TEST. Default 60 s. */
  activeTestSeconds?: number;
  /** Nothing received for this long: the connection is closed. Default 180 s (3 × 60 s). */
  inactivitySeconds?: number;
  /** An unanswered DELIVER goes again after this. Default 60 s (the spec's T). */
  responseTimeoutSeconds?: number;
  /** Long-message parts wait this long for the rest. Default 5 min. */
  reassemblyTtlSeconds?: number;
  /** How often logged-in accounts' tenant status and revocation are checked. Default 2 s. */
  recheckMs?: number;
  /** A failed CONNECT is answered after this (slows guessing). Default 500 ms. */
  connectFailureDelayMs?: number;
  /** How often the outbox is read while an SP is connected. Default 100 ms. */
  pollMs?: number;
  gapWaitMs?: number;
  acceptConcurrency?: number;
  horizon?: { current(): Promise<number> };
}

interface AccountState {
  account: SmppAccount;
  conns: Set<Conn>;
  limiter: RateLimiter;
}

interface Conn {
  readonly id: number;
  readonly deliveries: Map<number, Delivery<CmppDelivery>>;
  isOpen(): boolean;
  socket: Socket;
  remote: string;
  reader: CmppFrameReader;
  state: 'open' | 'connecting' | 'up' | 'closed';
  version: CmppVersion;
  account: AccountState | null;
  /** The SP's Source_Addr (its system_id). */
  spId: string;
  outstanding: number;
  openedAt: number;
  lastRx: number;
  activeTestSent: boolean;
  seq: number;
}

interface PartMeta {
  receipt: number;
  /** Msg_Id answered to this part (recipient i has it + i). */
  msgId: Buffer;
}

interface PartContext {
  accountId: string;
  to: string[];
  srcId: string;
}

const MAX_RECIPIENTS = 99;

/** The DeliveryEngine account key: an SMPP account's CMPP logins have their own cursor. */
const engineKey = (accountId: string) => `cmpp:${accountId}`;

// The secret an unknown Source_Addr is checked against: random per process, so no one has it.
const UNKNOWN_SECRET = randomBytes(24).toString('base64');

export class CmppServer {
  readonly #o: Required<
    Omit<
      CmppServerOptions,
      'onAccepted' | 'accounts' | 'tenants' | 'outbox' | 'accept' | 'log' | 'horizon' | 'throttle'
    >
  >;
  readonly #log: Logger;
  #server: Server | null = null;
  readonly #conns = new Set<Conn>();
  #nextConnId = 1;
  readonly #accounts = new Map<string, AccountState>();
  readonly #guard: BindGuard;
  readonly #batcher: AcceptBatcher;
  readonly #deliveries: DeliveryEngine<CmppDelivery, Conn>;
  readonly #parts: Reassembly<PartMeta>;
  readonly #partContext = new Map<string, PartContext>();
  readonly #msgIds: MsgIdSource;
  readonly #timers: NodeJS.Timeout[] = [];
  #moRef = 0;
  #lastRecheck = 0;
  #polling = false;
  #stopping = false;

  constructor(private readonly deps: CmppServerOptions) {
    this.#o = {
      host: deps.host,
      port: deps.port,
      gatewayCode: deps.gatewayCode ?? 1,
      submitWindow: deps.submitWindow ?? 100,
      deliverWindow: deps.deliverWindow ?? 16,
      connectTimeoutSeconds: deps.connectTimeoutSeconds ?? 30,
      activeTestSeconds: deps.activeTestSeconds ?? 60,
      inactivitySeconds: deps.inactivitySeconds ?? 180,
      responseTimeoutSeconds: deps.responseTimeoutSeconds ?? 60,
      reassemblyTtlSeconds: deps.reassemblyTtlSeconds ?? 300,
      recheckMs: deps.recheckMs ?? 2000,
      connectFailureDelayMs: deps.connectFailureDelayMs ?? 500,
      pollMs: deps.pollMs ?? 100,
      gapWaitMs: deps.gapWaitMs ?? 30_000,
      acceptConcurrency: deps.acceptConcurrency ?? 2,
    };
    this.#log = deps.log;
    this.#msgIds = new MsgIdSource(this.#o.gatewayCode);
    this.#guard = new BindGuard(deps.throttle);
    this.#batcher = new AcceptBatcher(
      deps.accept,
      deps.tenants,
      { concurrency: this.#o.acceptConcurrency, maxBatch: 500 },
      deps.log,
      deps.onAccepted,
    );
    const protocol: DeliverProtocol<CmppDelivery, Conn> = {
      build: (item) =>
        item.kind === 'inbound'
          ? moDeliveries(item, () => this.#msgIds.next(), this.#moRef++ & 0xff)
          : reportDeliveries(item, () => this.#msgIds.next()),
      send: (conn, d) => this.#sendDeliver(conn, d),
    };
    this.#deliveries = new DeliveryEngine<CmppDelivery, Conn>(
      deps.outbox,
      {
        window: this.#o.deliverWindow,
        responseTimeoutMs: this.#o.responseTimeoutSeconds * 1000,
        maxAttempts: 10,
        maxBuffered: 5000,
        gapWaitMs: this.#o.gapWaitMs,
        ...(deps.horizon ? { horizon: deps.horizon } : {}),
      },
      deps.log,
      protocol,
    );
    this.#parts = new Reassembly<PartMeta>({
      ttlMs: this.#o.reassemblyTtlSeconds * 1000,
      maxPerScope: 1000,
      maxBytes: 32 * 1024 * 1024,
    });
  }

  async start(): Promise<{ port: number }> {
    if (this.#server) throw new Error('cmpp server already started');
    this.#stopping = false;
    const server = net.createServer((socket) => this.#onSocket(socket));
    this.#server = server;
    let port: number;
    try {
      port = await listen(server, this.#o.port, this.#o.host, (err: Error) =>
        this.#log.error({ err }, 'cmpp server error'),
      );
    } catch (err) {
      this.#server = null;
      throw err;
    }
    const every = (ms: number, fn: () => void) => {
      const t = setInterval(fn, ms);
      t.unref();
      this.#timers.push(t);
    };
    every(this.#o.pollMs, () => void this.#poll());
    every(1000, () => this.#sweep());
    every(300, () => void this.#deliveries.saveCursors());
    this.#log.info({ host: this.#o.host, port }, 'CMPP server listening');
    return { port };
  }

  /** Stops taking connections, TERMINATEs everyone, answers what is in flight, saves the cursors. */
  async stop(): Promise<void> {
    this.#stopping = true;
    for (const t of this.#timers.splice(0)) clearInterval(t);
    const server = this.#server;
    this.#server = null;
    const closed = server
      ? new Promise<void>((resolve) => server.close(() => resolve()))
      : Promise.resolve();
    await Promise.race([this.#batcher.drained(), sleep(5000)]);
    for (const conn of [...this.#conns]) this.#terminate(conn);
    await Promise.race([
      Promise.all([...this.#conns].map((c) => new Promise((r) => c.socket.once('close', r)))),
      sleep(1500),
    ]);
    for (const conn of this.#conns) conn.socket.destroy();
    await this.#deliveries.saveCursors();
    await closed;
    this.#log.info({}, 'CMPP server stopped');
  }

  /** Drops every connection of the tenant (it was suspended or terminated). Returns how many. */
  kickTenant(tenantId: string, reason: string): number {
    let n = 0;
    for (const conn of this.#conns) {
      if (conn.account?.account.tenantId !== tenantId) continue;
      this.#terminate(conn);
      n++;
    }
    if (n > 0) this.#log.warn({ tenant: tenantId, connections: n, reason }, 'cmpp SPs dropped');
    return n;
  }

  stats(): {
    connections: number;
    pendingAccepts: number;
    heldParts: number;
    deliveries: ReturnType<DeliveryEngine['stats']>;
  } {
    let connections = 0;
    for (const c of this.#conns) if (c.state === 'up') connections++;
    return {
      connections,
      pendingAccepts: this.#batcher.pending,
      heldParts: this.#parts.size,
      deliveries: this.#deliveries.stats(),
    };
  }

  // -------------------------------------------------------------------------------------------
  // Connections
  // -------------------------------------------------------------------------------------------

  #onSocket(socket: Socket): void {
    if (this.#stopping) {
      socket.destroy();
      return;
    }
    const now = Date.now();
    const conn: Conn = {
      id: this.#nextConnId++,
      deliveries: new Map(),
      isOpen: () => conn.state === 'up' && !socket.destroyed && socket.writable,
      socket,
      remote: socket.remoteAddress ?? 'unknown',
      reader: new CmppFrameReader(),
      state: 'open',
      version: CMPP_VERSION_3,
      account: null,
      spId: '',
      outstanding: 0,
      openedAt: now,
      lastRx: now,
      activeTestSent: false,
      seq: 0,
    };
    this.#conns.add(conn);
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.#onData(conn, chunk));
    socket.on('error', (err: Error) =>
      this.#log.debug({ err: err.message, conn: conn.id }, 'cmpp socket error'),
    );
    socket.on('close', () => this.#onClose(conn));
  }

  #onData(conn: Conn, chunk: Buffer): void {
    if (conn.state === 'closed') return;
    let frames: Buffer[];
    try {
      frames = conn.reader.push(chunk);
    } catch (err) {
      // The stream cannot be resynchronised: this connection goes, the others carry on.
      this.#log.warn(
        { conn: conn.id, spId: conn.spId, err: (err as Error).message },
        'cmpp broken frame; closing the connection',
      );
      this.#close(conn);
      return;
    }
    conn.lastRx = Date.now();
    conn.activeTestSent = false;
    for (const frame of frames) {
      // A frame before this one may have closed the connection.
      if ((conn.state as Conn['state']) === 'closed') return;
      try {
        this.#onFrame(conn, frame);
      } catch (err) {
        this.#log.error({ err, conn: conn.id }, 'cmpp frame handler failed');
        this.#close(conn);
        return;
      }
    }
  }

  #onFrame(conn: Conn, frame: Buffer): void {
    const commandId = frame.readUInt32BE(4);
    const sequenceId = frame.readUInt32BE(8);
    const name = commandName(commandId);
    if (name === undefined) {
      // CMPP has no generic NACK: an unknown Command_Id ends the connection.
      this.#log.warn(
        { conn: conn.id, spId: conn.spId, commandId: `0x${commandId.toString(16)}` },
        'cmpp unknown command; closing the connection',
      );
      this.#close(conn);
      return;
    }
    let pdu: CmppPdu;
    try {
      pdu = decode(frame, conn.version);
    } catch (err) {
      if (!(err instanceof CmppProtocolError)) throw err;
      if (name === 'submit' && conn.state === 'up') {
        // The frame was whole, so the stream is fine: refuse this SUBMIT only.
        this.#write(conn, {
          command: 'submit_resp',
          sequenceId,
          msgId: Buffer.alloc(8),
          result: RESULT_STRUCTURE,
        });
        return;
      }
      this.#log.warn(
        { conn: conn.id, spId: conn.spId, command: name, err: err.message },
        'cmpp unreadable PDU; closing the connection',
      );
      this.#close(conn);
      return;
    }
    switch (pdu.command) {
      case 'connect':
        void this.#onConnect(conn, pdu);
        return;
      case 'active_test':
        this.#write(conn, { command: 'active_test_resp', sequenceId, reserved: 0 });
        return;
      case 'active_test_resp':
        return;
      case 'terminate':
        this.#write(conn, { command: 'terminate_resp', sequenceId });
        this.#unregister(conn);
        conn.state = 'closed';
        conn.socket.end();
        return;
      case 'terminate_resp':
        conn.socket.end();
        return;
      default:
    }
    if (conn.state !== 'up' || !conn.account) {
      // Anything but CONNECT / ACTIVE_TEST before logging in is a protocol violation.
      this.#log.warn({ conn: conn.id, command: pdu.command }, 'cmpp command before CONNECT');
      this.#close(conn);
      return;
    }
    switch (pdu.command) {
      case 'submit':
        this.#onSubmit(conn, pdu);
        return;
      case 'deliver_resp':
        this.#deliveries.answered(
          engineKey(conn.account.account.id),
          conn,
          sequenceId,
          // Anything but 0 (8 flow control included) is tried again later.
          pdu.result === 0 ? ESME_ROK : ESME_RSYSERR,
        );
        return;
      case 'cancel':
        // Messages are queued in the database at once: nothing is cancelled (Success_Id 1).
        this.#write(conn, { command: 'cancel_resp', sequenceId, successId: 1 });
        return;
      default:
        // An ISMG-bound response or request the SP may not send (connect_resp, deliver, …).
        this.#log.warn({ conn: conn.id, command: pdu.command }, 'cmpp unexpected command; closing');
        this.#close(conn);
    }
  }

  #write(conn: Conn, pdu: CmppPdu, version: CmppVersion = conn.version): boolean {
    if (conn.socket.destroyed || !conn.socket.writable) return false;
    conn.socket.write(encode(pdu, version));
    return true;
  }

  #nextSeq(conn: Conn): number {
    conn.seq = conn.seq >= 0xffffffff ? 1 : conn.seq + 1;
    return conn.seq;
  }

  /** Sends one DELIVER; its Sequence_Id, or null when the connection cannot take it. */
  #sendDeliver(conn: Conn, d: CmppDelivery): number | null {
    if (!conn.isOpen()) return null;
    const sequenceId = this.#nextSeq(conn);
    const content =
      d.kind === 'report'
        ? encodeStatusReport(
            {
              msgId: d.reportMsgId,
              stat: d.stat,
              submitTime: d.submitTime,
              doneTime: d.doneTime,
              destTerminalId: d.srcTerminalId,
              smscSequence: 0,
            },
            conn.version,
          )
        : d.content;
    this.#write(conn, {
      command: 'deliver',
      sequenceId,
      msgId: d.msgId,
      destId: d.destId,
      serviceId: '',
      tpPid: 0,
      tpUdhi: d.kind === 'mo' ? d.tpUdhi : 0,
      msgFmt: d.kind === 'mo' ? d.msgFmt : MSG_FMT_ASCII,
      srcTerminalId: d.srcTerminalId,
      srcTerminalType: 0,
      registeredDelivery: d.kind === 'report' ? 1 : 0,
      msgContent: content,
      linkId: '',
      reserve: '',
    });
    return sequenceId;
  }

  /** Closes at once (broken input). */
  #close(conn: Conn): void {
    this.#unregister(conn);
    conn.state = 'closed';
    conn.socket.destroy();
  }

  /** TERMINATE, then close after a moment (the SP's TERMINATE_RESP). */
  #terminate(conn: Conn): void {
    if (conn.state === 'closed' || conn.socket.destroyed) return;
    if (conn.state === 'up')
      this.#write(conn, { command: 'terminate', sequenceId: this.#nextSeq(conn) });
    this.#unregister(conn);
    conn.state = 'closed';
    const socket = conn.socket;
    setTimeout(() => socket.end(), 100).unref();
    setTimeout(() => socket.destroy(), 1000).unref();
  }

  #onClose(conn: Conn): void {
    this.#unregister(conn);
    conn.state = 'closed';
    this.#conns.delete(conn);
  }

  #unregister(conn: Conn): void {
    const a = conn.account;
    if (!a || !a.conns.has(conn)) return;
    a.conns.delete(conn);
    this.#deliveries.detach(engineKey(a.account.id), conn);
    if (a.conns.size === 0) this.#accounts.delete(a.account.id);
    this.#log.info({ conn: conn.id, spId: a.account.systemId }, 'cmpp SP disconnected');
  }

  // -------------------------------------------------------------------------------------------
  // CONNECT
  // -------------------------------------------------------------------------------------------

  async #onConnect(conn: Conn, pdu: ConnectPdu): Promise<void> {
    const spId = pdu.sourceAddr;
    // 0x21 is 2.0 as far as the wire goes; anything else answers at the width it would read.
    const known = pdu.version === 0x20 || pdu.version === 0x21 || pdu.version === 0x30;
    const version: CmppVersion = pdu.version >= 0x30 ? CMPP_VERSION_3 : CMPP_VERSION_2;
    if (conn.state !== 'open') {
      this.#write(conn, {
        command: 'connect_resp',
        sequenceId: pdu.sequenceId,
        status: CONNECT_OTHER,
        authenticatorIsmg: Buffer.alloc(16),
        version: conn.version,
      });
      return;
    }
    conn.state = 'connecting';
    conn.version = version;
    conn.spId = spId;
    let attempt: BindAttempt | null = null;
    const refuse = async (status: number, why: string, count: boolean) => {
      if (count) attempt?.fail();
      this.#log.warn(
        { conn: conn.id, spId, remote: conn.remote, status, why },
        'cmpp CONNECT refused',
      );
      await sleep(this.#o.connectFailureDelayMs);
      if (conn.state !== 'connecting') return;
      this.#write(conn, {
        command: 'connect_resp',
        sequenceId: pdu.sequenceId,
        status,
        authenticatorIsmg: Buffer.alloc(16),
        version: known ? pdu.version : CMPP_VERSION_3,
      });
      conn.state = 'closed';
      conn.socket.end();
      setTimeout(() => conn.socket.destroy(), 1000).unref();
    };
    try {
      if (!known)
        return await refuse(
          CONNECT_VERSION,
          `version 0x${pdu.version.toString(16)} not served`,
          false,
        );
      // Counted before the authenticator is checked: concurrent CONNECTs cannot pass the limits.
      const begun = await this.#guard.begin(spId, conn.remote, Date.now());
      if (!begun.ok)
        return await refuse(
          CONNECT_OTHER,
          `too many failed logins (${begun.counter}); retry in ${begun.retryAfterSeconds} s`,
          false,
        );
      attempt = begun;
      const account = spId ? await this.deps.accounts.forCmpp(spId) : undefined;
      // Either form of Source_Addr in the hash (padded to its 6 octets or not), as SPs differ.
      // An unknown Source_Addr (or one without a CMPP secret) is checked against a secret no one
      // has and answered like a wrong authenticator (Status 3), so neither the Status nor the
      // timing tells which Source_Addrs exist.
      const authForm = authenticatorSourceForm(
        pdu.authenticatorSource,
        spId,
        account?.cmppSecret ?? UNKNOWN_SECRET,
        String(pdu.timestamp).padStart(10, '0'),
      );
      if (!account || account.cmppSecret === null)
        return await refuse(CONNECT_AUTH, 'unknown Source_Addr (or no CMPP secret)', true);
      const secret = account.cmppSecret;
      if (authForm === null) return await refuse(CONNECT_AUTH, 'wrong authenticator', true);
      await attempt.succeed(Date.now());
      const tenant = await this.deps.tenants.find(account.tenantId);
      if (!tenant || tenant.status !== 'active')
        return await refuse(CONNECT_OTHER, `tenant ${tenant?.status ?? 'missing'}`, false);
      const key = engineKey(account.id);
      await this.#deliveries.prepare(key, account.tenantId, account.systemId);
      if (conn.state !== 'connecting') return; // closed while we checked
      let state = this.#accounts.get(account.id);
      if (state && state.conns.size >= account.maxBinds)
        return await refuse(CONNECT_OTHER, `already ${state.conns.size} connections`, false);
      if (!state) {
        state = {
          account,
          conns: new Set(),
          limiter: new RateLimiter({
            capacity: account.throughput,
            refillPerSecond: account.throughput,
            maxKeys: 1,
          }),
        };
        this.#accounts.set(account.id, state);
      }
      state.conns.add(conn);
      conn.account = state;
      conn.state = 'up';
      this.#write(conn, {
        command: 'connect_resp',
        sequenceId: pdu.sequenceId,
        status: CONNECT_OK,
        authenticatorIsmg: authenticatorIsmg(CONNECT_OK, pdu.authenticatorSource, secret, version),
        version: pdu.version,
      });
      this.#log.info(
        {
          conn: conn.id,
          spId,
          version: pdu.version,
          remote: conn.remote,
          tenant: account.tenantId,
          authForm,
        },
        'cmpp SP connected',
      );
      this.#deliveries.attach(key, account.tenantId, account.systemId, conn);
    } catch (err) {
      await attempt?.abandon(Date.now());
      this.#log.error({ err, conn: conn.id, spId }, 'cmpp CONNECT failed');
      if (conn.state === 'connecting') await refuse(CONNECT_OTHER, 'internal error', false);
    }
  }

  // -------------------------------------------------------------------------------------------
  // SUBMIT
  // -------------------------------------------------------------------------------------------

  #onSubmit(conn: Conn, pdu: SubmitPdu): void {
    const answer = (result: number, msgId: Buffer = Buffer.alloc(8)) => {
      if (conn.state === 'closed') return;
      this.#write(conn, { command: 'submit_resp', sequenceId: pdu.sequenceId, msgId, result });
    };
    const state = conn.account as AccountState;
    if (conn.outstanding >= this.#o.submitWindow) return answer(RESULT_FLOW_CONTROL);
    if (!state.limiter.take('a', Date.now()).ok) return answer(RESULT_FLOW_CONTROL);
    const n = pdu.destTerminalIds.length;
    if (n === 0 || n > MAX_RECIPIENTS) return answer(RESULT_BAD_DEST);
    const region = this.deps.accept.defaultRegion;
    const to = pdu.destTerminalIds.map((d) =>
      recipientOf(0, d.trim().replace(/^\+/, ''), (x) => normaliseNumber(x, region).ok),
    );
    if (new Set(to).size !== to.length) return answer(RESULT_BAD_DEST);
    if (![MSG_FMT_ASCII, MSG_FMT_UCS2, MSG_FMT_GBK].includes(pdu.msgFmt))
      return answer(RESULT_STRUCTURE);
    // Reuses the SMPP reader of user data: TP_udhi is esm_class's UDHI bit.
    const ud = readUserData({
      serviceType: '',
      sourceTon: 0,
      sourceNpi: 0,
      sourceAddr: pdu.srcId,
      destTon: 0,
      destNpi: 0,
      destAddr: '',
      esmClass: pdu.tpUdhi === 1 ? 0x40 : 0,
      registeredDelivery: pdu.registeredDelivery,
      dataCoding: pdu.msgFmt,
      shortMessage: pdu.msgContent,
      messagePayload: null,
      sar: null,
    });
    if (!ud.ok) return answer(RESULT_STRUCTURE);
    // CMPP 2.0 also had 2 ("make an SMC bill"): only 1 asks for a status report.
    const receipt = pdu.registeredDelivery === 1 ? 1 : 0;
    const account = state.account;
    const concat = ud.value.concat;
    const msgId = this.#msgIds.next(n);

    if (concat && concat.total > 1) {
      if (pdu.msgFmt === MSG_FMT_UCS2 && ud.value.bytes.length % 2 !== 0)
        return answer(RESULT_LENGTH);
      const key = Reassembly.key(
        account.id,
        pdu.srcId,
        to.join(','),
        concat.ref,
        concat.refBits,
        concat.total,
      );
      const added = this.#parts.add(
        {
          key,
          scope: account.id,
          total: concat.total,
          seq: concat.seq,
          dataCoding: pdu.msgFmt,
          bytes: ud.value.bytes,
          meta: { receipt, msgId },
          newId: () => newId('msg'),
        },
        Date.now(),
      );
      if (added.kind === 'full') return answer(RESULT_FLOW_CONTROL);
      if (added.kind === 'mixed_coding') return answer(RESULT_STRUCTURE);
      this.#partContext.set(key, { accountId: account.id, to, srcId: pdu.srcId });
      if (added.kind === 'held') return answer(RESULT_OK, msgId);
      this.#partContext.delete(key);
      const held = added.held;
      const text = decodeText(pdu.msgFmt, added.bytes);
      const ordered = [...held.parts.values()].sort((a, b) => a.seq - b.seq);
      const request = ordered.some((p) => p.meta.receipt === 1) ? 1 : 0;
      const everyone = to.map((r, index) => ({ to: r, index }));
      if (!text.ok) {
        this.#refuseHeld(state, held, everyone, pdu.srcId, concat.seq);
        return answer(text.result);
      }
      return this.#submit(
        conn,
        pdu,
        to,
        text.text,
        ordered.map((p) => p.meta.msgId),
        request,
        (r, refused) => {
          const who =
            r !== RESULT_OK
              ? everyone
              : refused.map((index) => everyone[index] as { to: string; index: number });
          this.#refuseHeld(state, held, who, pdu.srcId, r !== RESULT_OK ? concat.seq : null);
          answer(r, msgId);
        },
      );
    }

    const text = decodeText(pdu.msgFmt, ud.value.bytes);
    if (!text.ok) return answer(text.result);
    this.#submit(conn, pdu, to, text.text, [msgId], receipt, (r, refused) => {
      if (r === RESULT_OK && refused.length > 0 && receipt === 1)
        this.#refusedReports(
          state,
          refused.map((i) => ({ to: to[i] as string, msgId: msgIdPlus(msgId, i) })),
          pdu.srcId,
        );
      answer(r, msgId);
    });
  }

  /**
   * One message per recipient through the accept batcher; recipient i's Msg_Ids are each part's
   * Msg_Id + i. `done` gets Result 0 when at least one recipient was accepted (with the indexes of
   * those refused), else the first refusal's Result.
   */
  #submit(
    conn: Conn,
    pdu: SubmitPdu,
    to: string[],
    text: string,
    partMsgIds: Buffer[],
    receipt: number,
    done: (result: number, refused: number[]) => void,
  ): void {
    const state = conn.account as AccountState;
    const account = state.account;
    const ids = to.map(() => newId('msg'));
    const rows = ids.map((messageId, i) => ({
      messageId,
      msgIds: partMsgIds.map((m) => msgIdHex(msgIdPlus(m, i))),
    }));
    conn.outstanding++;
    // The ids go in before the messages: a report can never be read before them.
    this.deps.outbox.saveCmppMsgIds(rows).then(
      () => {
        const results = new Array<number | null>(to.length).fill(null);
        let left = to.length;
        to.forEach((recipient, i) => {
          this.#batcher.push({
            tenantId: account.tenantId,
            id: ids[i] as string,
            to: recipient,
            text,
            class: classOf(pdu.serviceId),
            origin: {
              source: 'cmpp',
              account: account.systemId,
              sourceAddr: pdu.srcId || null,
              receipt,
              parts: partMsgIds.length,
            },
            done: (status, code) => {
              results[i] = status === ESME_ROK ? RESULT_OK : resultFor(code ?? 'internal_error');
              if (--left > 0) return;
              conn.outstanding--;
              const refused = results.flatMap((r, j) => (r === RESULT_OK ? [] : [j]));
              if (refused.length > 0)
                void this.deps.outbox
                  .dropCmppMsgIds(refused.map((j) => ids[j] as string))
                  .catch((err: unknown) => this.#log.error({ err }, 'dropping cmpp ids failed'));
              const ok = refused.length < to.length;
              done(ok ? RESULT_OK : (results[0] as number), ok ? refused : []);
            },
          });
        });
      },
      (err: unknown) => {
        conn.outstanding--;
        this.#log.error({ err, conn: conn.id }, 'saving cmpp Msg_Ids failed');
        done(RESULT_OTHER, []);
      },
    );
  }

  /**
   * Parts of a long message answered Result 0 that will never be sent (refused, or incomplete in
   * time): a REJECTD report for each that asked, for each recipient (its index in the SUBMIT).
   */
  #refuseHeld(
    state: AccountState,
    held: Held<PartMeta>,
    list: Array<{ to: string; index: number }>,
    srcId: string,
    exceptSeq: number | null,
  ): void {
    const out: Array<{ to: string; msgId: Buffer }> = [];
    for (const p of held.parts.values()) {
      if (p.seq === exceptSeq || p.meta.receipt !== 1) continue;
      for (const r of list) out.push({ to: r.to, msgId: msgIdPlus(p.meta.msgId, r.index) });
    }
    this.#refusedReports(state, out, srcId);
  }

  #refusedReports(
    state: AccountState,
    reports: Array<{ to: string; msgId: Buffer }>,
    srcId: string,
  ): void {
    if (reports.length === 0) return;
    const now = Date.now();
    const a = state.account;
    this.#deliveries.sendUnrecorded(
      engineKey(a.id),
      a.tenantId,
      a.systemId,
      reports.map((r) =>
        refusedReport({
          reportMsgId: r.msgId,
          to: r.to,
          srcId,
          at: now,
          msgId: this.#msgIds.next(),
        }),
      ),
    );
  }

  // -------------------------------------------------------------------------------------------
  // Timers
  // -------------------------------------------------------------------------------------------

  async #poll(): Promise<void> {
    if (this.#polling || this.#stopping) return;
    this.#polling = true;
    try {
      await this.#deliveries.poll();
    } finally {
      this.#polling = false;
    }
  }

  #sweep(): void {
    const now = Date.now();
    for (const conn of this.#conns) {
      if (conn.state === 'open' || conn.state === 'connecting') {
        if (now - conn.openedAt > this.#o.connectTimeoutSeconds * 1000) {
          this.#log.info({ conn: conn.id, remote: conn.remote }, 'cmpp connection never logged in');
          conn.socket.destroy();
        }
        continue;
      }
      if (conn.state !== 'up') continue;
      const idle = now - conn.lastRx;
      if (idle > this.#o.inactivitySeconds * 1000) {
        this.#log.warn({ conn: conn.id, spId: conn.spId, idleMs: idle }, 'cmpp SP silent; closing');
        this.#close(conn);
      } else if (idle > this.#o.activeTestSeconds * 1000 && !conn.activeTestSent) {
        conn.activeTestSent = true;
        this.#write(conn, { command: 'active_test', sequenceId: this.#nextSeq(conn) });
      }
    }
    this.#deliveries.sweep(now);
    for (const held of this.#parts.expire(now)) {
      const ctx = this.#partContext.get(held.key);
      this.#partContext.delete(held.key);
      const state = ctx ? this.#accounts.get(ctx.accountId) : undefined;
      this.#log.info(
        { spId: state?.account.systemId, parts: held.parts.size, total: held.total },
        'cmpp long message incomplete; dropped',
      );
      if (state && ctx)
        this.#refuseHeld(
          state,
          held,
          ctx.to.map((r, index) => ({ to: r, index })),
          ctx.srcId,
          null,
        );
    }
    if (now - this.#lastRecheck >= this.#o.recheckMs) {
      this.#lastRecheck = now;
      void this.#recheck();
    }
  }

  /** Connections of tenants that may no longer send, or of revoked accounts, are dropped. */
  async #recheck(): Promise<void> {
    try {
      const tenants = new Set<string>();
      for (const a of this.#accounts.values()) tenants.add(a.account.tenantId);
      for (const tenantId of tenants) {
        const t = await this.deps.tenants.find(tenantId);
        if (!t || t.status !== 'active') this.kickTenant(tenantId, `tenant ${t?.status ?? 'gone'}`);
      }
      for (const a of [...this.#accounts.values()]) {
        const live = await this.deps.accounts.forCmpp(a.account.systemId);
        if (live && live.id === a.account.id && live.cmppSecret !== null) continue;
        for (const conn of [...a.conns]) this.#terminate(conn);
        this.#log.warn({ spId: a.account.systemId }, 'cmpp account revoked; SPs dropped');
      }
    } catch (err) {
      this.#log.error({ err }, 'cmpp recheck failed');
    }
  }
}

const GBK = new TextDecoder('gbk', { fatal: true });

/**
 * Text by Msg_Fmt: 0 ASCII (octets above 0x7F read as Latin-1), 8 UCS-2 (UTF-16BE), 15 GBK. Odd
 * UCS-2 is Result 4, GBK that does not decode Result 1; a text that cannot be sent (a lone
 * surrogate, NUL; core/message/text-check.ts) is Result 110, permanent.
 */
function decodeText(
  msgFmt: number,
  bytes: Uint8Array,
): { ok: true; text: string } | { ok: false; result: number } {
  let text: string;
  if (msgFmt === MSG_FMT_UCS2) {
    if (bytes.length % 2 !== 0) return { ok: false, result: RESULT_LENGTH };
    text = decodeUcs2(bytes);
  } else if (msgFmt === MSG_FMT_GBK) {
    try {
      text = GBK.decode(bytes);
    } catch {
      return { ok: false, result: RESULT_STRUCTURE };
    }
  } else text = decodeLatin1(bytes);
  return checkText(text).ok ? { ok: true, text } : { ok: false, result: RESULT_INVALID_TEXT };
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms).unref());
}
