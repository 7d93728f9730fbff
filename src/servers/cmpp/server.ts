// The CMPP 2.0/3.0 server (ISMG side) tenants connect to as SPs (docs/cmpp.md): the CMPP adapter
// of the tenant session kit (session/tenant-sessions.ts) the SMPP server uses too. An SP logs in
// with its SMPP account (Source_Addr = system_id, the account's CMPP secret); SUBMITs go through
// the same accept service, long messages are reassembled, status reports and inbound messages
// come back through the same outbox with cursors of their own (CMPP_DELIVER, deliver.ts). Wire
// format: protocols/cmpp/codec.ts.
import net, { type Socket } from 'node:net';
import { randomBytes } from 'node:crypto';
import type { ThrottlePolicy } from '../../core/security/login-throttle.ts';
import type { Logger } from '../../logger.ts';
import {
  CMPP_VERSION_2,
  CMPP_VERSION_3,
  CmppFrameReader,
  CmppProtocolError,
  authenticatorIsmg,
  authenticatorSourceForm,
  commandName,
  decode,
  encode,
  type CmppPdu,
  type CmppVersion,
  type ConnectPdu,
} from '../../protocols/cmpp/codec.ts';
import {
  CONNECT_AUTH,
  CONNECT_OK,
  CONNECT_OTHER,
  CONNECT_VERSION,
  RESULT_STRUCTURE,
} from '../../protocols/cmpp/results.ts';
import type { AcceptDeps } from '../../services/accept-messages.ts';
import type { TenantLookup } from '../session/accept-batcher.ts';
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
  deliverPdu,
  moDeliveries,
  reportDeliveries,
  type CmppDelivery,
  type CmppOutboxItem,
} from './deliver.ts';
import { MsgIdSource } from './msg-id.ts';
import { CmppSubmits, type CmppMsgIdStore, type PartContext, type PartMeta } from './submit.ts';

/** An SMPP account as a CMPP login needs it (the SMPP account store satisfies it). */
export interface CmppAccountLookup {
  forCmpp(systemId: string): Promise<(TenantAccount & { cmppSecret: string | null }) | undefined>;
}

export interface CmppServerOptions {
  host: string;
  port: number;
  accounts: CmppAccountLookup;
  tenants: TenantLookup;
  /** The outbox read with source 'cmpp', and the Msg_Ids SPs were answered. */
  outbox: OutboxReader<CmppOutboxItem> & CmppMsgIdStore;
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

export interface Conn extends TenantConn<CmppDelivery, TenantAccount> {
  reader: CmppFrameReader;
  version: CmppVersion;
  /** The SP's Source_Addr (its system_id). */
  spId: string;
  seq: number;
}

export type CmppSessions = TenantSessions<
  TenantAccount,
  Conn,
  CmppOutboxItem,
  CmppDelivery,
  PartMeta,
  PartContext
>;

// The secret an unknown Source_Addr is checked against: random per process, so no one has it.
const UNKNOWN_SECRET = randomBytes(24).toString('base64');

// A refused CONNECT's Status (CMPP 3.0 CMPP_CONNECT_RESP): 3 authentication, 4 version, else 5.
const CONNECT_REFUSAL: Record<BindRefusal, number> = {
  unsupported: CONNECT_VERSION,
  locked: CONNECT_OTHER,
  throttled: CONNECT_OTHER,
  credentials: CONNECT_AUTH,
  not_permitted: CONNECT_OTHER,
  tenant: CONNECT_OTHER,
  too_many: CONNECT_OTHER,
  internal: CONNECT_OTHER,
};

export class CmppServer extends TenantServer<CmppSessions> {
  protected readonly kit: CmppSessions;
  readonly #log: Logger;
  readonly #msgIds: MsgIdSource;
  readonly #submits: CmppSubmits;
  #moRef = 0;

  constructor(private readonly deps: CmppServerOptions) {
    super();
    this.#log = deps.log;
    this.#msgIds = new MsgIdSource(deps.gatewayCode ?? 1);
    this.kit = new TenantSessions(
      sessionSettings(
        {
          ...deps,
          bindTimeoutSeconds: deps.connectTimeoutSeconds,
          probeSeconds: deps.activeTestSeconds,
          bindFailureDelayMs: deps.connectFailureDelayMs,
        },
        // The spec's W (16) and T (60 s); ACTIVE_TEST after 60 s, closed after three unanswered.
        { deliverWindow: 16, probeSeconds: 60, inactivitySeconds: 180, responseTimeoutSeconds: 60 },
      ),
      deps,
      {
        protocol: 'cmpp',
        // An SMPP account's CMPP logins have a cursor of their own.
        deliveryKey: (accountId) => `cmpp:${accountId}`,
        deliveries: {
          build: (item) =>
            item.kind === 'inbound'
              ? moDeliveries(item, () => this.#msgIds.next(), this.#moRef++ & 0xff)
              : reportDeliveries(item, () => this.#msgIds.next()),
          send: (conn, d) => {
            if (!conn.isOpen()) return null;
            const sequenceId = this.#nextSeq(conn);
            this.#write(conn, deliverPdu(d, sequenceId, conn.version));
            return sequenceId;
          },
        },
        sendProbe: (conn) =>
          this.#write(conn, { command: 'active_test', sequenceId: this.#nextSeq(conn) }),
        sendFarewell: (conn) =>
          this.#write(conn, { command: 'terminate', sequenceId: this.#nextSeq(conn) }),
        stillLive: async (account) => {
          const live = await deps.accounts.forCmpp(account.systemId);
          return live !== undefined && live.id === account.id && live.cmppSecret !== null;
        },
        partsExpired: (bound, held, ctx) =>
          this.#submits.refuseHeld(
            bound,
            held,
            ctx.to.map((to, index) => ({ to, index })),
            ctx.srcId,
            null,
          ),
      },
    );
    this.#submits = new CmppSubmits(this.kit, deps.outbox, deps.accept, this.#msgIds, (c, p) =>
      this.#write(c, p),
    );
  }

  start(): Promise<{ port: number }> {
    return this.kit.start(() => net.createServer((socket) => this.#onSocket(socket)));
  }

  stats(): Omit<SessionStats, 'bound'> & { connections: number } {
    const { bound, ...rest } = this.kit.stats();
    return { connections: bound, ...rest };
  }

  // -------------------------------------------------------------------------------------------
  // Connections
  // -------------------------------------------------------------------------------------------

  #onSocket(socket: Socket): void {
    const conn: Conn = Object.assign(this.kit.connection(socket), {
      reader: new CmppFrameReader(),
      version: CMPP_VERSION_3,
      spId: '',
      seq: 0,
    });
    if (!this.kit.track(conn)) return;
    socket.on('data', (chunk: Buffer) => this.#onData(conn, chunk));
    socket.on('error', (err: Error) =>
      this.#log.debug({ err: err.message, conn: conn.id }, 'cmpp socket error'),
    );
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
      this.kit.closeNow(conn);
      return;
    }
    this.kit.received(conn);
    for (const frame of frames) {
      // A frame before this one may have closed the connection.
      if ((conn.state as Conn['state']) === 'closed') return;
      try {
        this.#onFrame(conn, frame);
      } catch (err) {
        this.#log.error({ err, conn: conn.id }, 'cmpp frame handler failed');
        this.kit.closeNow(conn);
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
      this.kit.closeNow(conn);
      return;
    }
    let pdu: CmppPdu;
    try {
      pdu = decode(frame, conn.version);
    } catch (err) {
      if (!(err instanceof CmppProtocolError)) throw err;
      if (name === 'submit' && conn.state === 'bound') {
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
      this.kit.closeNow(conn);
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
        this.kit.unbound(conn);
        return;
      case 'terminate_resp':
        conn.socket.end();
        return;
      default:
    }
    if (conn.state !== 'bound' || !conn.account) {
      // Anything but CONNECT / ACTIVE_TEST before logging in is a protocol violation.
      this.#log.warn({ conn: conn.id, command: pdu.command }, 'cmpp command before CONNECT');
      this.kit.closeNow(conn);
      return;
    }
    switch (pdu.command) {
      case 'submit':
        this.#submits.onSubmit(conn, pdu);
        return;
      case 'deliver_resp':
        // Anything but 0 (8 flow control included) is tried again later.
        this.kit.answered(conn, sequenceId, {
          verdict: pdu.result === 0 ? 'ok' : 'retry',
          status: `Result ${pdu.result}`,
        });
        return;
      case 'cancel':
        // Messages are queued in the database at once: nothing is cancelled (Success_Id 1).
        this.#write(conn, { command: 'cancel_resp', sequenceId, successId: 1 });
        return;
      default:
        // An ISMG-bound response or request the SP may not send (connect_resp, deliver, …).
        this.#log.warn({ conn: conn.id, command: pdu.command }, 'cmpp unexpected command; closing');
        this.kit.closeNow(conn);
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

  // -------------------------------------------------------------------------------------------
  // CONNECT
  // -------------------------------------------------------------------------------------------

  async #onConnect(conn: Conn, pdu: ConnectPdu): Promise<void> {
    const spId = pdu.sourceAddr;
    // 0x21 is 2.0 as far as the wire goes; anything else answers at the width it would read.
    const known = pdu.version === 0x20 || pdu.version === 0x21 || pdu.version === 0x30;
    const version: CmppVersion = pdu.version >= 0x30 ? CMPP_VERSION_3 : CMPP_VERSION_2;
    const answer = (status: number, authenticator: Buffer, answerVersion: number) =>
      this.#write(conn, {
        command: 'connect_resp',
        sequenceId: pdu.sequenceId,
        status,
        authenticatorIsmg: authenticator,
        version: answerVersion,
      });
    if (conn.state !== 'open') {
      answer(CONNECT_OTHER, Buffer.alloc(16), conn.version);
      return;
    }
    conn.version = version;
    conn.spId = spId;
    const logFields: Record<string, unknown> = { version: pdu.version };
    let secret = '';
    await this.kit.bind(conn, {
      name: spId,
      unsupported: known ? null : `version 0x${pdu.version.toString(16)} not served`,
      receives: true,
      logFields,
      delayInternal: true,
      authenticate: async () => {
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
          return { ok: false, why: 'unknown Source_Addr (or no CMPP secret)' };
        if (authForm === null) return { ok: false, why: 'wrong authenticator' };
        secret = account.cmppSecret;
        logFields.authForm = authForm;
        return { ok: true, account };
      },
      refuse: (why) => {
        answer(CONNECT_REFUSAL[why], Buffer.alloc(16), known ? pdu.version : CMPP_VERSION_3);
        conn.state = 'closed';
        conn.socket.end();
        setTimeout(() => conn.socket.destroy(), 1000).unref();
      },
      bound: () =>
        answer(
          CONNECT_OK,
          authenticatorIsmg(CONNECT_OK, pdu.authenticatorSource, secret, version),
          pdu.version,
        ),
    });
  }
}
