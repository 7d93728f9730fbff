// The contract between the tenant session kit (tenant-sessions.ts) and a protocol's adapter
// (smpp/server.ts, cmpp/server.ts): the account and connection shapes both share, the bind
// request an adapter makes, and the few things only the protocol knows.
import type { Socket } from 'node:net';
import type { ThrottlePolicy } from '../../core/security/login-throttle.ts';
import type { RateLimiter } from '../../core/security/rate-limit.ts';
import type { Logger } from '../../logger.ts';
import type { AcceptDeps } from '../../services/accept-messages.ts';
import type { MessageOrigin, TenantLookup } from './accept-batcher.ts';
import type { DeliverProtocol, DeliveryBind, OutboxEvent, OutboxReader } from './deliveries.ts';
import type { Held } from './reassembly.ts';

/** A tenant's SMPP account as a session needs it (SMPP and CMPP log in with the same accounts). */
export interface TenantAccount {
  id: string;
  tenantId: string;
  systemId: string;
  maxBinds: number;
  /** Submits per second over all its binds on this node. */
  throughput: number;
}

/** An account with binds on this node. */
export interface BoundAccount<A extends TenantAccount> {
  readonly account: A;
  readonly limiter: RateLimiter;
}

/** One connection, whatever the protocol; each adapter adds its own fields. */
export interface TenantConn<F, A extends TenantAccount> extends DeliveryBind<F> {
  readonly socket: Socket;
  readonly remote: string;
  state: 'open' | 'binding' | 'bound' | 'closed';
  account: BoundAccount<A> | null;
  /** Submits taken and not answered yet. */
  outstanding: number;
  readonly openedAt: number;
  lastRx: number;
  /** A keep-alive probe (enquire_link, ACTIVE_TEST) is out and nothing came since. */
  probeSent: boolean;
}

/** Why a bind was refused; each protocol answers it its own way. */
export type BindRefusal =
  | 'unsupported'
  | 'locked'
  | 'throttled'
  | 'credentials'
  | 'not_permitted'
  | 'tenant'
  | 'too_many'
  | 'internal';

export interface BindRequest<A extends TenantAccount> {
  /** The name it binds with: system_id, Source_Addr. */
  name: string;
  /** A reason the request cannot be served at all (CMPP Version), checked first. */
  unsupported?: string | null;
  /** Looks the account up and checks the credential, with the same work whether it exists or not. */
  authenticate(): Promise<{ ok: true; account: A } | { ok: false; why: string }>;
  /** After the credential: why this account may not bind this way (SMPP bind types), or null. */
  notPermitted?(account: A): string | null;
  /** The session takes deliveries (SMPP receiver and transceiver, every CMPP SP). */
  receives: boolean;
  /** Fields for the log lines beside the session, name and remote address. */
  logFields: Record<string, unknown>;
  /** An internal error is answered after the failure delay too. */
  delayInternal: boolean;
  /** Writes the refusal (the session is back to `open`). */
  refuse(why: BindRefusal): void;
  /** Writes the bind answer (the session is `bound`). */
  bound(account: A): void;
}

/** What differs between the protocols beyond reading a submit and a bind. */
export interface SessionAdapter<A extends TenantAccount, C extends TenantConn<F, A>, I, F, M, X> {
  /** 'smpp' or 'cmpp', in log lines. */
  readonly protocol: string;
  /** The deliveries engine's key (its cursor row) for an account. */
  deliveryKey(accountId: string): string;
  /** What is delivered for an outbox item, and how one goes out. */
  readonly deliveries: DeliverProtocol<I, F, C>;
  /** The keep-alive probe on a silent session (enquire_link, ACTIVE_TEST). */
  sendProbe(conn: C): void;
  /** The goodbye before a bound session is closed (unbind, TERMINATE). */
  sendFarewell(conn: C): void;
  /** Whether a bound account is still live (not revoked, still allowed this protocol). */
  stillLive(account: A): Promise<boolean>;
  /** A concatenated message did not complete in time (its held parts were answered OK). */
  partsExpired(bound: BoundAccount<A>, held: Held<M>, context: X): void;
}

export interface SessionSettings {
  host: string;
  port: number;
  /** Submits of one session waiting for their answer. */
  submitWindow: number;
  /** Deliveries of one session waiting for their answer. */
  deliverWindow: number;
  /** A connection must bind within this. */
  bindTimeoutSeconds: number;
  /** Idle this long: the keep-alive probe goes out. */
  probeSeconds: number;
  /** Nothing received for this long: the session is closed. */
  inactivitySeconds: number;
  /** An unanswered delivery goes again after this. */
  responseTimeoutSeconds: number;
  /** Concatenated parts wait this long for the rest. */
  reassemblyTtlSeconds: number;
  /** How often bound accounts' tenant status and revocation are checked. */
  recheckMs: number;
  /** A failed bind is answered after this (slows guessing). */
  bindFailureDelayMs: number;
  /** How often the outbox is read while a receiving session is bound. */
  pollMs: number;
  /** How long a missing event id may be an uncommitted transaction. */
  gapWaitMs: number;
  /** acceptMessages calls in flight at once. */
  acceptConcurrency: number;
}

/** The timings each protocol sets itself (SMPP enquire_link, CMPP the spec's W and T). */
export type ProtocolTimings = Pick<
  SessionSettings,
  'deliverWindow' | 'probeSeconds' | 'inactivitySeconds' | 'responseTimeoutSeconds'
>;

const SHARED_DEFAULTS = {
  submitWindow: 100,
  bindTimeoutSeconds: 30,
  reassemblyTtlSeconds: 300,
  recheckMs: 2000,
  bindFailureDelayMs: 500,
  pollMs: 100,
  gapWaitMs: 30_000,
  // One tenant's calls wait on its balance row anyway; submits that arrive meanwhile join the next.
  acceptConcurrency: 2,
};

/** The settings from a server's options: what is not given takes the protocol's or the shared default. */
export function sessionSettings(
  given: { host: string; port: number } & {
    [K in keyof SessionSettings]?: SessionSettings[K] | undefined;
  },
  timings: ProtocolTimings,
): SessionSettings {
  const defaults: Omit<SessionSettings, 'host' | 'port'> = { ...SHARED_DEFAULTS, ...timings };
  const out: SessionSettings = { host: given.host, port: given.port, ...defaults };
  for (const k of Object.keys(defaults) as Array<keyof typeof defaults>)
    out[k] = given[k] ?? defaults[k];
  return out;
}

export interface SessionDeps<I extends OutboxEvent> {
  tenants: TenantLookup;
  outbox: OutboxReader<I>;
  accept: AcceptDeps;
  /** A message was accepted: wake the dispatcher. */
  onAccepted?: () => void;
  log: Logger;
  throttle?: ThrottlePolicy;
  horizon?: { current(): Promise<number> };
}

/** A submit as the accept service takes it: one message per recipient. */
export interface Submission {
  ids: string[];
  to: string[];
  text: string;
  class: string;
  origin: MessageOrigin;
}
