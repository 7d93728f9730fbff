// The SMPP 3.4 server tenants bind to (docs/smpp.md), on the `smpp` package's server like the
// carrier simulator. Sessions, binds and the protocol's answers live here; sending goes through
// the accept service (accept-batcher.ts), receipts and inbound messages come back through the
// outbox (deliveries.ts). Reference: sms-domain.md §1.
//
// node-smpp quirks handled here (as in simulator/smsc.ts): it emits 'error' on a PDU it cannot
// read and then stops reading that socket, so such a session is closed (the others carry on);
// a command_length below the 16-octet header would stall it, so that is turned into an error;
// its decoded text is lossy, so submit_sm is read from the raw bytes (submit-sm.ts).
import { listen } from '../../net/listen.ts';
import type { Socket } from 'node:net';
import smpp, { type PDU, type Server, type Session } from 'smpp';
import { newId } from '../../core/ids.ts';
import { normaliseNumber } from '../../core/phone.ts';
import { RateLimiter } from '../../core/security/rate-limit.ts';
import type { Logger } from '../../logger.ts';
import { verifyPassword } from '../../security/passwords.ts';
import type { AcceptDeps } from '../../services/accept-messages.ts';
import type { SmppAccount, SmppAccountStore } from '../../store/smpp-accounts.ts';
import type { SmppOutboxStore } from '../../store/smpp-outbox.ts';
import type { TenantStore } from '../../store/tenants.ts';
import { AcceptBatcher } from './accept-batcher.ts';
import { BindGuard, UNKNOWN_NAME_HASH, type BindAttempt } from './bind-guard.ts';
import type { ThrottlePolicy } from '../../core/security/login-throttle.ts';
import {
  ESME_RALYBND,
  ESME_RBINDFAIL,
  ESME_RINVBNDSTS,
  ESME_RINVCMDID,
  ESME_RINVCMDLEN,
  ESME_RINVDCS,
  ESME_RINVMSGLEN,
  ESME_RINVPASWD,
  ESME_RMSGQFUL,
  ESME_ROK,
  ESME_RSYSERR,
  ESME_RTHROTTLED,
  commandStatusName,
} from '../../protocols/smpp/command-status.ts';
import { DeliveryEngine, type Delivery, type ReceiverBind } from './deliveries.ts';
import { refusedPartReceipt } from './deliver-sm.ts';
import { partId, receiptRequest, smppMessageId } from './receipt.ts';
import { Reassembly, type Held } from './reassembly.ts';
import {
  decodeText,
  parseSubmitSm,
  readUserData,
  recipientOf,
  supportedDataCoding,
  type SubmitSm,
} from './submit-sm.ts';

export type BindMode = 'transmitter' | 'receiver' | 'transceiver';

export interface SmppServerOptions {
  host: string;
  port: number;
  accounts: SmppAccountStore;
  tenants: TenantStore;
  outbox: SmppOutboxStore;
  accept: AcceptDeps;
  /** A message was accepted: wake the dispatcher. */
  onAccepted?: () => void;
  log: Logger;
  /** Password guessing on binds (config `login`); default: DEFAULT_THROTTLE_POLICY. */
  throttle?: ThrottlePolicy;
  /** submit_sm of one bind waiting for their answer; more is ESME_RMSGQFUL. Default 100. */
  submitWindow?: number;
  /** deliver_sm of one bind waiting for their answer. Default 100. */
  deliverWindow?: number;
  /** A connection must bind within this. Default 30 s. */
  bindTimeoutSeconds?: number;
  /** Idle this long: we send enquire_link. Default 30 s. */
  enquireLinkSeconds?: number;
  /** Nothing received for this long (enquire_link unanswered): the session is closed. Default 90 s. */
  inactivitySeconds?: number;
  /** An unanswered deliver_sm goes again after this. Default 30 s. */
  responseTimeoutSeconds?: number;
  /** Concatenated parts wait this long for the rest. Default 5 min. */
  reassemblyTtlSeconds?: number;
  /** How often bound accounts' tenant status and revocation are checked. Default 2 s. */
  recheckMs?: number;
  /** A failed bind is answered after this (slows guessing). Default 500 ms. */
  bindFailureDelayMs?: number;
  /** How often the outbox is read while a receiver is bound. Default 100 ms. */
  pollMs?: number;
  /** How long a missing event id may be an uncommitted transaction. Default 30 s. */
  gapWaitMs?: number;
  /**
   * acceptMessages calls in flight at once. Default 2: one tenant's calls wait on its balance row
   * anyway, and submits that arrive meanwhile join the next call (fewer, larger transactions).
   */
  acceptConcurrency?: number;
  /** The process's event horizon (services/event-horizon.ts); without one the server keeps its own. */
  horizon?: { current(): Promise<number> };
}

/** One SMPP account with binds on this node. */
interface AccountState {
  account: SmppAccount;
  binds: Set<Conn>;
  limiter: RateLimiter;
}

interface Conn extends ReceiverBind {
  session: Session;
  socket: Socket;
  remote: string;
  state: 'open' | 'binding' | 'bound' | 'closed';
  mode: BindMode | null;
  account: AccountState | null;
  /** submit_sm taken and not answered yet. */
  outstanding: number;
  openedAt: number;
  lastRx: number;
  enquireSent: boolean;
  /** The raw body (after command_length) of the PDU node-smpp read last. */
  lastBody: Buffer | null;
  corked: boolean;
}

interface PartMeta {
  receipt: number;
}

/** A concatenated message's parts, keyed per account (parts may come on any of its binds). */
interface PartContext {
  accountId: string;
  to: string;
  sourceAddr: string;
}

const SERVER_SYSTEM_ID = 'hongyan';
const BIND_COMMANDS: Record<string, BindMode> = {
  bind_transmitter: 'transmitter',
  bind_receiver: 'receiver',
  bind_transceiver: 'transceiver',
};

const str = (v: unknown): string => (typeof v === 'string' ? v : '');

export class SmppServer {
  readonly #o: Required<
    Omit<
      SmppServerOptions,
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
  readonly #deliveries: DeliveryEngine;
  readonly #parts: Reassembly<PartMeta>;
  readonly #partContext = new Map<string, PartContext>();
  readonly #timers: NodeJS.Timeout[] = [];
  #lastRecheck = 0;
  #polling = false;
  #stopping = false;

  constructor(private readonly deps: SmppServerOptions) {
    this.#o = {
      host: deps.host,
      port: deps.port,
      submitWindow: deps.submitWindow ?? 100,
      deliverWindow: deps.deliverWindow ?? 100,
      bindTimeoutSeconds: deps.bindTimeoutSeconds ?? 30,
      enquireLinkSeconds: deps.enquireLinkSeconds ?? 30,
      inactivitySeconds: deps.inactivitySeconds ?? 90,
      responseTimeoutSeconds: deps.responseTimeoutSeconds ?? 30,
      reassemblyTtlSeconds: deps.reassemblyTtlSeconds ?? 300,
      recheckMs: deps.recheckMs ?? 2000,
      bindFailureDelayMs: deps.bindFailureDelayMs ?? 500,
      pollMs: deps.pollMs ?? 100,
      gapWaitMs: deps.gapWaitMs ?? 30_000,
      acceptConcurrency: deps.acceptConcurrency ?? 2,
    };
    this.#log = deps.log;
    this.#guard = new BindGuard(deps.throttle);
    this.#batcher = new AcceptBatcher(
      deps.accept,
      deps.tenants,
      { concurrency: this.#o.acceptConcurrency, maxBatch: 500 },
      deps.log,
      deps.onAccepted,
    );
    this.#deliveries = new DeliveryEngine(
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
    );
    this.#parts = new Reassembly<PartMeta>({
      ttlMs: this.#o.reassemblyTtlSeconds * 1000,
      maxPerScope: 1000,
      maxBytes: 32 * 1024 * 1024,
    });
  }

  async start(): Promise<{ port: number }> {
    if (this.#server) throw new Error('smpp server already started');
    this.#stopping = false;
    const server = smpp.createServer({}, (session) => this.#onSession(session));
    this.#server = server;
    let port: number;
    try {
      port = await listen(server, this.#o.port, this.#o.host, (err: Error) =>
        this.#log.error({ err }, 'smpp server error'),
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
    this.#log.info({ host: this.#o.host, port }, 'SMPP server listening');
    return { port };
  }

  /** Stops taking connections, unbinds everyone, answers what is in flight, saves the cursors. */
  async stop(): Promise<void> {
    this.#stopping = true;
    for (const t of this.#timers.splice(0)) clearInterval(t);
    const server = this.#server;
    this.#server = null;
    const closed = server
      ? new Promise<void>((resolve) => server.close(() => resolve()))
      : Promise.resolve();
    await Promise.race([this.#batcher.drained(), sleep(5000)]);
    for (const conn of [...this.#conns]) this.#unbindAndClose(conn);
    await Promise.race([
      Promise.all([...this.#conns].map((c) => new Promise((r) => c.socket.once('close', r)))),
      sleep(1500),
    ]);
    for (const conn of this.#conns) conn.socket.destroy();
    await this.#deliveries.saveCursors();
    await closed;
    this.#log.info({}, 'SMPP server stopped');
  }

  /** Drops every bind of the tenant (it was suspended or terminated). Returns how many. */
  kickTenant(tenantId: string, reason: string): number {
    let n = 0;
    for (const conn of this.#conns) {
      if (conn.account?.account.tenantId !== tenantId) continue;
      this.#unbindAndClose(conn);
      n++;
    }
    if (n > 0) this.#log.warn({ tenant: tenantId, binds: n, reason }, 'smpp binds dropped');
    return n;
  }

  stats(): {
    binds: number;
    pendingAccepts: number;
    heldParts: number;
    deliveries: ReturnType<DeliveryEngine['stats']>;
  } {
    let binds = 0;
    for (const c of this.#conns) if (c.state === 'bound') binds++;
    return {
      binds,
      pendingAccepts: this.#batcher.pending,
      heldParts: this.#parts.size,
      deliveries: this.#deliveries.stats(),
    };
  }

  // -------------------------------------------------------------------------------------------
  // Sessions
  // -------------------------------------------------------------------------------------------

  #onSession(session: Session): void {
    const socket = session.socket;
    const now = Date.now();
    const conn: Conn = {
      id: this.#nextConnId++,
      session,
      socket,
      remote: socket.remoteAddress ?? 'unknown',
      state: 'open',
      mode: null,
      account: null,
      outstanding: 0,
      openedAt: now,
      lastRx: now,
      enquireSent: false,
      lastBody: null,
      corked: false,
      deliveries: new Map<number, Delivery>(),
      send: (pdu: PDU) => this.#send(conn, pdu),
      isOpen: () => conn.state === 'bound' && !socket.destroyed && socket.writable,
    };
    if (this.#stopping) {
      socket.destroy();
      return;
    }
    this.#conns.add(conn);
    socket.setNoDelay(true);

    // node-smpp reads read(4) (command_length) then read(command_length - 4) and emits 'pdu'
    // right away, so the last body read is the PDU's raw bytes. A command_length under the header
    // would make it mis-read: throw, which node-smpp turns into 'error'.
    const read = socket.read.bind(socket);
    socket.read = (size?: number) => {
      const chunk: unknown = read(size);
      if (Buffer.isBuffer(chunk)) {
        if (size === 4) {
          const length = chunk.readUInt32BE(0);
          if (length < 16) throw new Error(`command_length ${length} is shorter than the header`);
        } else conn.lastBody = chunk;
      }
      return chunk;
    };

    session.on('pdu', (pdu: PDU) => {
      conn.lastRx = Date.now();
      conn.enquireSent = false;
      try {
        this.#onPdu(conn, pdu);
      } catch (err) {
        // Never into node-smpp's read loop: that would be an uncaught exception.
        this.#log.error({ err, session: conn.id, command: pdu.command }, 'smpp PDU handler failed');
        this.#kill(conn, ESME_RSYSERR);
      }
    });
    session.on('error', (err: Error) => {
      this.#log.warn(
        { err: err.message, session: conn.id, systemId: conn.account?.account.systemId },
        'smpp session error; closing it',
      );
      this.#kill(conn, ESME_RINVCMDLEN);
    });
    session.on('close', () => this.#onClose(conn));
  }

  #send(conn: Conn, pdu: PDU): boolean {
    if (conn.state === 'closed' || !conn.socket.writable) return false;
    // Writes made in one turn go out in one syscall.
    if (!conn.corked) {
      conn.corked = true;
      conn.socket.cork();
      process.nextTick(() => {
        conn.corked = false;
        conn.socket.uncork();
      });
    }
    return conn.session.send(pdu);
  }

  /** A broken session: a generic_nack (best effort), then the socket goes. */
  #kill(conn: Conn, status: number): void {
    const socket = conn.socket;
    if (socket.destroyed) return;
    if (socket.writable) {
      const nack = new smpp.PDU('generic_nack', { command_status: status, sequence_number: 0 });
      socket.end(nack.toBuffer(), () => socket.destroy());
      setTimeout(() => socket.destroy(), 1000).unref();
    } else socket.destroy();
  }

  #unbindAndClose(conn: Conn): void {
    if (conn.state === 'closed' || conn.socket.destroyed) return;
    if (conn.state === 'bound') this.#send(conn, new smpp.PDU('unbind', {}));
    this.#unregister(conn);
    conn.state = 'closed';
    const socket = conn.socket;
    // Give the unbind (and the client's unbind_resp) a moment, then close.
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
    if (!a || !a.binds.has(conn)) return;
    a.binds.delete(conn);
    if (conn.mode !== 'transmitter') this.#deliveries.detach(a.account.id, conn);
    if (a.binds.size === 0) this.#accounts.delete(a.account.id);
    this.#log.info(
      { session: conn.id, systemId: a.account.systemId, mode: conn.mode },
      'smpp unbound',
    );
  }

  #onPdu(conn: Conn, pdu: PDU): void {
    switch (pdu.command) {
      case 'submit_sm':
        this.#onSubmit(conn, pdu);
        return;
      case 'deliver_sm_resp':
        if (conn.account)
          this.#deliveries.answered(
            conn.account.account.id,
            conn,
            pdu.sequence_number,
            pdu.command_status,
          );
        return;
      case 'enquire_link':
        this.#send(conn, pdu.response());
        return;
      case 'bind_transmitter':
      case 'bind_receiver':
      case 'bind_transceiver':
        void this.#onBind(conn, pdu, BIND_COMMANDS[pdu.command] as BindMode);
        return;
      case 'unbind':
        this.#unregister(conn);
        this.#send(conn, pdu.response());
        conn.state = 'closed';
        conn.socket.end();
        return;
      case 'unbind_resp':
        conn.socket.end();
        return;
      case 'generic_nack':
        // The client could not read one of our deliver_sm: send it again later.
        if (conn.account && conn.deliveries.has(pdu.sequence_number))
          this.#deliveries.answered(
            conn.account.account.id,
            conn,
            pdu.sequence_number,
            pdu.command_status || ESME_RSYSERR,
          );
        return;
      case 'unknown':
        // Unknown command_id: generic_nack ESME_RINVCMDID with its sequence_number (§4.3).
        this.#send(conn, pdu.response());
        return;
      default:
        if (pdu.isResponse()) return; // enquire_link_resp, …
        // Known but not served here (submit_multi, data_sm, query_sm, …).
        this.#send(conn, refusal(pdu, conn.state === 'bound' ? ESME_RINVCMDID : ESME_RINVBNDSTS));
    }
  }

  // -------------------------------------------------------------------------------------------
  // Binds
  // -------------------------------------------------------------------------------------------

  async #onBind(conn: Conn, pdu: PDU, mode: BindMode): Promise<void> {
    const systemId = str(pdu.system_id);
    if (conn.state !== 'open') {
      this.#send(conn, pdu.response({ command_status: ESME_RALYBND }));
      return;
    }
    conn.state = 'binding';
    let attempt: BindAttempt | null = null;
    const refuse = async (status: number, why: string, count = true) => {
      if (count) attempt?.fail();
      this.#log.warn(
        {
          session: conn.id,
          systemId,
          mode,
          remote: conn.remote,
          status: commandStatusName(status),
          why,
        },
        'smpp bind refused',
      );
      await sleep(this.#o.bindFailureDelayMs);
      if (conn.state !== 'binding') return;
      conn.state = 'open';
      this.#send(conn, pdu.response({ command_status: status }));
    };
    try {
      // Counted before the password is checked: concurrent binds cannot pass the limits.
      const begun = await this.#guard.begin(systemId, conn.remote, Date.now());
      if (!begun.ok)
        return await refuse(
          begun.reason === 'locked' ? ESME_RBINDFAIL : ESME_RTHROTTLED,
          `too many failed binds (${begun.counter}); retry in ${begun.retryAfterSeconds} s`,
          false,
        );
      attempt = begun;
      const account = systemId ? await this.deps.accounts.bySystemId(systemId) : undefined;
      // An unknown system_id and a wrong password get the same answer after the same work (a
      // hash check), so neither the status nor the timing tells which system_ids exist.
      const right = await verifyPassword(
        str(pdu.password),
        account?.passwordHash ?? UNKNOWN_NAME_HASH,
      );
      if (!account) return await refuse(ESME_RINVPASWD, 'unknown system_id');
      if (!right) return await refuse(ESME_RINVPASWD, 'wrong password');
      await attempt.succeed(Date.now());
      // A bind type the account may not use: ESME_RINVCMDID, on which clients fall back to the
      // other bind types (reference §1.2).
      if (!account.bindTypes.includes(mode))
        return await refuse(ESME_RINVCMDID, `bind type ${mode} not allowed`, false);
      const tenant = await this.deps.tenants.find(account.tenantId);
      if (!tenant || tenant.status !== 'active')
        return await refuse(ESME_RBINDFAIL, `tenant ${tenant?.status ?? 'missing'}`, false);
      await this.#deliveries.prepare(account.id, account.tenantId, account.systemId);
      if (conn.state !== 'binding') return; // closed while we checked
      let state = this.#accounts.get(account.id);
      if (state && state.binds.size >= account.maxBinds)
        return await refuse(ESME_RBINDFAIL, `already ${state.binds.size} binds`, false);
      if (!state) {
        state = {
          account,
          binds: new Set(),
          limiter: new RateLimiter({
            capacity: account.throughput,
            refillPerSecond: account.throughput,
            maxKeys: 1,
          }),
        };
        this.#accounts.set(account.id, state);
      }
      state.binds.add(conn);
      conn.account = state;
      conn.mode = mode;
      conn.state = 'bound';
      this.#send(conn, pdu.response({ system_id: SERVER_SYSTEM_ID }));
      this.#log.info(
        { session: conn.id, systemId, mode, remote: conn.remote, tenant: account.tenantId },
        'smpp bound',
      );
      if (mode !== 'transmitter')
        this.#deliveries.attach(account.id, account.tenantId, account.systemId, conn);
    } catch (err) {
      await attempt?.abandon(Date.now());
      this.#log.error({ err, session: conn.id, systemId }, 'smpp bind failed');
      if (conn.state === 'binding') {
        conn.state = 'open';
        this.#send(conn, pdu.response({ command_status: ESME_RSYSERR }));
      }
    }
  }

  // -------------------------------------------------------------------------------------------
  // submit_sm
  // -------------------------------------------------------------------------------------------

  #onSubmit(conn: Conn, pdu: PDU): void {
    const answer = (status: number, messageId?: string) => {
      if (conn.state === 'closed') return;
      this.#send(
        conn,
        status === ESME_ROK
          ? pdu.response({ message_id: messageId })
          : pdu.response({ command_status: status }),
      );
    };
    const state = conn.account;
    if (conn.state !== 'bound' || !state || conn.mode === 'receiver')
      return answer(ESME_RINVBNDSTS);
    if (conn.outstanding >= this.#o.submitWindow) return answer(ESME_RMSGQFUL);
    if (!state.limiter.take('a', Date.now()).ok) return answer(ESME_RTHROTTLED);
    const body = conn.lastBody;
    if (!body) return answer(ESME_RSYSERR);
    const parsed = parseSubmitSm(body);
    if (!parsed.ok) return answer(parsed.status);
    const sm = parsed.value;
    const ud = readUserData(sm);
    if (!ud.ok) return answer(ud.status);
    if (!supportedDataCoding(sm.dataCoding)) return answer(ESME_RINVDCS);
    const account = state.account;
    const region = this.deps.accept.defaultRegion;
    const to = recipientOf(sm.destTon, sm.destAddr, (n) => normaliseNumber(n, region).ok);
    const receipt = receiptRequest(sm.registeredDelivery);
    const concat = ud.value.concat;

    if (concat && concat.total > 1) {
      // UCS-2 parts are whole code units each (a surrogate pair may straddle two parts).
      if (sm.dataCoding === 8 && ud.value.bytes.length % 2 !== 0) return answer(ESME_RINVMSGLEN);
      const key = Reassembly.key(
        account.id,
        sm.sourceAddr,
        to,
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
          dataCoding: sm.dataCoding,
          bytes: ud.value.bytes,
          meta: { receipt },
          newId: () => newId('msg'),
        },
        Date.now(),
      );
      if (added.kind === 'full') return answer(ESME_RMSGQFUL);
      if (added.kind === 'mixed_coding') return answer(ESME_RINVDCS);
      this.#partContext.set(key, { accountId: account.id, to, sourceAddr: sm.sourceAddr });
      const id = partId(added.held.messageId, concat.seq);
      if (added.kind === 'held') return answer(ESME_ROK, id);
      this.#partContext.delete(key);
      const text = decodeText(sm.dataCoding, added.bytes);
      // The message's receipt wish: "always" if any part asked for it, else "on failure" if any did.
      const asks = [...added.held.parts.values()].map((p) => p.meta.receipt);
      const request = asks.includes(1) ? 1 : asks.includes(2) ? 2 : 0;
      if (!text.ok) {
        this.#refuseHeld(state, added.held, to, sm.sourceAddr, concat.seq);
        return answer(text.status);
      }
      return this.#submit(
        conn,
        sm,
        to,
        text.value,
        added.held.messageId,
        concat.total,
        request,
        (s) => {
          if (s !== ESME_ROK) this.#refuseHeld(state, added.held, to, sm.sourceAddr, concat.seq);
          answer(s, id);
        },
      );
    }

    const text = decodeText(sm.dataCoding, ud.value.bytes);
    if (!text.ok) return answer(text.status);
    const id = newId('msg');
    this.#submit(conn, sm, to, text.value, id, 1, receipt, (s) => answer(s, smppMessageId(id)));
  }

  #submit(
    conn: Conn,
    sm: SubmitSm,
    to: string,
    text: string,
    id: string,
    parts: number,
    receipt: number,
    done: (status: number) => void,
  ): void {
    const state = conn.account as AccountState;
    conn.outstanding++;
    this.#batcher.push({
      tenantId: state.account.tenantId,
      id,
      to,
      text,
      class: classOf(sm.serviceType),
      origin: {
        source: 'smpp',
        account: state.account.systemId,
        sourceAddr: sm.sourceAddr || null,
        receipt,
        parts,
      },
      done: (status, code) => {
        conn.outstanding--;
        if (status !== ESME_ROK)
          this.#log.debug(
            { session: conn.id, status: commandStatusName(status), code },
            'smpp submit refused',
          );
        done(status);
      },
    });
  }

  /**
   * The parts of a concatenated message that were answered ESME_ROK but will never be sent (the
   * message was refused, or did not complete in time): a REJECTD receipt for each that asked.
   */
  #refuseHeld(
    state: AccountState,
    held: Held<PartMeta>,
    to: string,
    sourceAddr: string,
    exceptSeq: number | null,
  ): void {
    const now = Date.now();
    const fields = [...held.parts.values()]
      .filter((p) => p.seq !== exceptSeq && p.meta.receipt !== 0)
      .map((p) =>
        refusedPartReceipt({ id: partId(held.messageId, p.seq), to, sourceAddr, at: now }),
      );
    if (fields.length === 0) return;
    const a = state.account;
    this.#deliveries.sendUnrecorded(a.id, a.tenantId, a.systemId, fields);
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
      if (conn.state === 'open' || conn.state === 'binding') {
        if (now - conn.openedAt > this.#o.bindTimeoutSeconds * 1000) {
          this.#log.info({ session: conn.id, remote: conn.remote }, 'smpp connection never bound');
          conn.socket.destroy();
        }
        continue;
      }
      if (conn.state !== 'bound') continue;
      const idle = now - conn.lastRx;
      if (idle > this.#o.inactivitySeconds * 1000) {
        this.#log.warn(
          { session: conn.id, systemId: conn.account?.account.systemId, idleMs: idle },
          'smpp client silent; closing',
        );
        conn.socket.destroy();
      } else if (idle > this.#o.enquireLinkSeconds * 1000 && !conn.enquireSent) {
        conn.enquireSent = true;
        this.#send(conn, new smpp.PDU('enquire_link', {}));
      }
    }
    this.#deliveries.sweep(now);
    for (const held of this.#parts.expire(now)) {
      const ctx = this.#partContext.get(held.key);
      this.#partContext.delete(held.key);
      const state = ctx ? this.#accounts.get(ctx.accountId) : undefined;
      this.#log.info(
        { systemId: state?.account.systemId, parts: held.parts.size, total: held.total },
        'smpp concatenated message incomplete; dropped',
      );
      if (state && ctx) this.#refuseHeld(state, held, ctx.to, ctx.sourceAddr, null);
    }
    if (now - this.#lastRecheck >= this.#o.recheckMs) {
      this.#lastRecheck = now;
      void this.#recheck();
    }
  }

  /** Binds of tenants that may no longer send, or of revoked accounts, are dropped. */
  async #recheck(): Promise<void> {
    try {
      const tenants = new Set<string>();
      for (const a of this.#accounts.values()) tenants.add(a.account.tenantId);
      for (const tenantId of tenants) {
        const t = await this.deps.tenants.find(tenantId);
        if (!t || t.status !== 'active') this.kickTenant(tenantId, `tenant ${t?.status ?? 'gone'}`);
      }
      for (const a of [...this.#accounts.values()]) {
        const live = await this.deps.accounts.bySystemId(a.account.systemId);
        if (live && live.id === a.account.id) continue;
        for (const conn of [...a.binds]) this.#unbindAndClose(conn);
        this.#log.warn({ systemId: a.account.systemId }, 'smpp account revoked; binds dropped');
      }
    } catch (err) {
      this.#log.error({ err }, 'smpp bind recheck failed');
    }
  }
}

/**
 * service_type → message class (it is the only field an SMPP client can set for it): `OTP` or
 * `VRF` verification, `MKT` marketing, anything else (empty, `CMT`, …) notification.
 */
export function classOf(serviceType: string): string {
  const s = serviceType.trim().toUpperCase();
  if (s === 'OTP' || s === 'VRF') return 'verification';
  if (s === 'MKT') return 'marketing';
  return 'notification';
}

/** `<command>_resp` with an error status; generic_nack for commands that have no response. */
function refusal(pdu: PDU, status: number): PDU {
  try {
    return pdu.response({ command_status: status });
  } catch {
    return new smpp.PDU('generic_nack', {
      command_status: status,
      sequence_number: pdu.sequence_number,
    });
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms).unref());
}
