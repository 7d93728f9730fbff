// The SMPP 3.4 server tenants bind to (docs/smpp.md), on the `smpp` package's server like the
// carrier simulator: the SMPP adapter of the tenant session kit (session/tenant-sessions.ts),
// which holds the sessions, binds, submits, reassembly and deliveries both tenant servers share.
// This file reads and answers the PDUs.
//
// node-smpp quirks handled here (as in simulator/smsc.ts): it emits 'error' on a PDU it cannot
// read and then stops reading that socket, so such a session is closed (the others carry on);
// a command_length below the 16-octet header would stall it, so that is turned into an error;
// its decoded text is lossy, so submit_sm is read from the raw bytes (submit-sm.ts).
import smpp, { type PDU, type Session } from 'smpp';
import type { ThrottlePolicy } from '../../core/security/login-throttle.ts';
import type { Logger } from '../../logger.ts';
import {
  ESME_RALYBND,
  ESME_RBINDFAIL,
  ESME_RINVBNDSTS,
  ESME_RINVCMDID,
  ESME_RINVCMDLEN,
  ESME_RINVPASWD,
  ESME_RSYSERR,
  ESME_RTHROTTLED,
} from '../../protocols/smpp/command-status.ts';
import { captureRawBodies, endWithNack, refusal } from '../../protocols/smpp/wire.ts';
import { verifyPassword } from '../../security/passwords.ts';
import type { AcceptDeps } from '../../services/accept-messages.ts';
import type { TenantLookup } from '../session/accept-batcher.ts';
import { UNKNOWN_NAME_HASH } from '../session/bind-guard.ts';
import type { OutboxReader } from '../session/deliveries.ts';
import {
  sessionSettings,
  type BindRefusal,
  type TenantAccount,
  type TenantConn,
} from '../session/adapter.ts';
import { TenantServer } from '../session/tenant-server.ts';
import { TenantSessions, type SessionStats } from '../session/tenant-sessions.ts';
import {
  deliverSmsFor,
  deliveryAnswer,
  type DeliverFields,
  type SmppOutboxItem,
} from './deliver-sm.ts';
import { SmppSubmits, type PartContext, type PartMeta } from './submit.ts';

export type BindMode = 'transmitter' | 'receiver' | 'transceiver';

/** An SMPP account as a bind needs it (the SMPP account store satisfies it). */
export interface SmppAccountLookup {
  bySystemId(systemId: string): Promise<(SmppAccount & { passwordHash: string }) | undefined>;
}

export interface SmppAccount extends TenantAccount {
  bindTypes: string[];
}

export interface SmppServerOptions {
  host: string;
  port: number;
  accounts: SmppAccountLookup;
  tenants: TenantLookup;
  outbox: OutboxReader<SmppOutboxItem>;
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
  /** The process's event horizon (events/horizon.ts); without one the server keeps its own. */
  horizon?: { current(): Promise<number> };
}

export interface Conn extends TenantConn<DeliverFields, SmppAccount> {
  session: Session;
  mode: BindMode | null;
  /** The raw body (after command_length) of the PDU node-smpp read last. */
  lastBody: Buffer | null;
  corked: boolean;
}

const SERVER_SYSTEM_ID = 'hongyan';
const BIND_COMMANDS: Record<string, BindMode> = {
  bind_transmitter: 'transmitter',
  bind_receiver: 'receiver',
  bind_transceiver: 'transceiver',
};

// A refused bind's command_status. A bind type the account may not use is ESME_RINVCMDID, on
// which clients fall back to the other bind types.
const BIND_REFUSAL: Record<BindRefusal, number> = {
  unsupported: ESME_RINVCMDID,
  locked: ESME_RBINDFAIL,
  throttled: ESME_RTHROTTLED,
  credentials: ESME_RINVPASWD,
  not_permitted: ESME_RINVCMDID,
  tenant: ESME_RBINDFAIL,
  too_many: ESME_RBINDFAIL,
  internal: ESME_RSYSERR,
};

const str = (v: unknown): string => (typeof v === 'string' ? v : '');

export type SmppSessions = TenantSessions<
  SmppAccount,
  Conn,
  SmppOutboxItem,
  DeliverFields,
  PartMeta,
  PartContext
>;

export class SmppServer extends TenantServer<SmppSessions> {
  protected readonly kit: SmppSessions;
  readonly #submits: SmppSubmits;
  readonly #log: Logger;

  constructor(private readonly deps: SmppServerOptions) {
    super();
    this.#log = deps.log;
    this.kit = new TenantSessions(
      sessionSettings(
        { ...deps, probeSeconds: deps.enquireLinkSeconds },
        { deliverWindow: 100, probeSeconds: 30, inactivitySeconds: 90, responseTimeoutSeconds: 30 },
      ),
      deps,
      {
        protocol: 'smpp',
        deliveryKey: (accountId) => accountId,
        deliveries: {
          build: deliverSmsFor,
          send: (conn, fields) => {
            const pdu = new smpp.PDU('deliver_sm', fields);
            return this.#send(conn, pdu) ? pdu.sequence_number : null;
          },
        },
        sendProbe: (conn) => this.#send(conn, new smpp.PDU('enquire_link', {})),
        sendFarewell: (conn) => this.#send(conn, new smpp.PDU('unbind', {})),
        stillLive: async (account) => {
          const live = await deps.accounts.bySystemId(account.systemId);
          return live !== undefined && live.id === account.id;
        },
        partsExpired: (bound, held, ctx) =>
          this.#submits.refuseHeld(bound, held, ctx.to, ctx.sourceAddr, null),
      },
    );
    this.#submits = new SmppSubmits(this.kit, deps.accept, (c, p) => this.#send(c, p));
  }

  start(): Promise<{ port: number }> {
    return this.kit.start(() => smpp.createServer({}, (session) => this.#onSession(session)));
  }

  stats(): Omit<SessionStats, 'bound'> & { binds: number } {
    const { bound, ...rest } = this.kit.stats();
    return { binds: bound, ...rest };
  }

  // -------------------------------------------------------------------------------------------
  // Sessions
  // -------------------------------------------------------------------------------------------

  #onSession(session: Session): void {
    const socket = session.socket;
    const conn: Conn = Object.assign(this.kit.connection(socket), {
      session,
      mode: null,
      lastBody: null,
      corked: false,
    });
    if (!this.kit.track(conn)) return;

    captureRawBodies(socket, (body) => (conn.lastBody = body));

    session.on('pdu', (pdu: PDU) => {
      this.kit.received(conn);
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
    endWithNack(conn.socket, status);
  }

  #onPdu(conn: Conn, pdu: PDU): void {
    switch (pdu.command) {
      case 'submit_sm':
        this.#submits.onSubmit(conn, pdu);
        return;
      case 'deliver_sm_resp':
        this.kit.answered(conn, pdu.sequence_number, deliveryAnswer(pdu.command_status));
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
        this.#send(conn, pdu.response());
        this.kit.unbound(conn);
        return;
      case 'unbind_resp':
        conn.socket.end();
        return;
      case 'generic_nack':
        // The client could not read one of our deliver_sm: send it again later.
        if (conn.deliveries.has(pdu.sequence_number))
          this.kit.answered(
            conn,
            pdu.sequence_number,
            deliveryAnswer(pdu.command_status || ESME_RSYSERR),
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

  async #onBind(conn: Conn, pdu: PDU, mode: BindMode): Promise<void> {
    if (conn.state !== 'open') {
      this.#send(conn, pdu.response({ command_status: ESME_RALYBND }));
      return;
    }
    const systemId = str(pdu.system_id);
    await this.kit.bind(conn, {
      name: systemId,
      receives: mode !== 'transmitter',
      logFields: { mode },
      delayInternal: false,
      authenticate: async () => {
        const account = systemId ? await this.deps.accounts.bySystemId(systemId) : undefined;
        // An unknown system_id and a wrong password get the same answer after the same work (a
        // hash check), so neither the status nor the timing tells which system_ids exist.
        const right = await verifyPassword(
          str(pdu.password),
          account?.passwordHash ?? UNKNOWN_NAME_HASH,
        );
        if (!account) return { ok: false, why: 'unknown system_id' };
        if (!right) return { ok: false, why: 'wrong password' };
        return { ok: true, account };
      },
      notPermitted: (account) =>
        account.bindTypes.includes(mode) ? null : `bind type ${mode} not allowed`,
      refuse: (why) => this.#send(conn, pdu.response({ command_status: BIND_REFUSAL[why] })),
      bound: () => {
        conn.mode = mode;
        this.#send(conn, pdu.response({ system_id: SERVER_SYSTEM_ID }));
      },
    });
  }
}
