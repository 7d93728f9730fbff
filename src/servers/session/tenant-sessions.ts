// What a tenant-facing server is whatever its protocol (SMPP 3.4, CMPP 2.0/3.0): listening and
// stopping, connections and the accounts bound on them (bind counts, the submit window and rate,
// the bind guard), the idle sweep (bind timeout, keep-alive probe, silence), dropping the binds
// of tenants that may no longer send or of revoked accounts, submits through the accept batcher,
// concatenated parts held until complete, and receipts and inbound messages sent back through
// the deliveries engine. Each protocol is an adapter (smpp/server.ts, cmpp/server.ts): it reads
// and writes the wire and maps the neutral outcomes here to its own answers.
import type { Server, Socket } from 'node:net';
import { setTimeout as wait } from 'node:timers/promises';
import { newId } from '../../core/ids.ts';
import { RateLimiter } from '../../core/security/rate-limit.ts';
import type { Logger } from '../../logger.ts';
import { listen } from '../../net/listen.ts';
import { AcceptBatcher } from './accept-batcher.ts';
import type {
  BindRefusal,
  BindRequest,
  BoundAccount,
  SessionAdapter,
  SessionDeps,
  SessionSettings,
  Submission,
  TenantAccount,
  TenantConn,
} from './adapter.ts';
import { BindGuard, type BindAttempt } from './bind-guard.ts';
import {
  DeliveryEngine,
  type DeliveryAnswer,
  type DeliveryBind,
  type OutboxEvent,
} from './deliveries.ts';
import { Reassembly, type AddResult } from './reassembly.ts';
import type { Concat } from './user-data.ts';

/** What a server reports: bound sessions, submits waiting for their answer, parts held, deliveries. */
export interface SessionStats {
  bound: number;
  pendingAccepts: number;
  heldParts: number;
  deliveries: ReturnType<DeliveryEngine<OutboxEvent, unknown, DeliveryBind<unknown>>['stats']>;
}

interface AccountBinds<A extends TenantAccount, C> {
  bound: BoundAccount<A>;
  conns: Set<C>;
}

export class TenantSessions<
  A extends TenantAccount,
  C extends TenantConn<F, A>,
  I extends OutboxEvent,
  F,
  M,
  X,
> {
  readonly log: Logger;
  readonly #p: string;
  #server: Server | null = null;
  readonly #conns = new Set<C>();
  #nextConnId = 1;
  readonly #accounts = new Map<string, AccountBinds<A, C>>();
  readonly #guard: BindGuard;
  readonly #batcher: AcceptBatcher;
  readonly #deliveries: DeliveryEngine<I, F, C>;
  readonly #parts: Reassembly<M>;
  readonly #partContext = new Map<string, { accountId: string; context: X }>();
  readonly #timers: NodeJS.Timeout[] = [];
  #lastRecheck = 0;
  #polling = false;
  #stopping = false;

  constructor(
    readonly settings: SessionSettings,
    private readonly deps: SessionDeps<I>,
    private readonly adapter: SessionAdapter<A, C, I, F, M, X>,
  ) {
    this.log = deps.log;
    this.#p = adapter.protocol;
    this.#guard = new BindGuard(deps.throttle);
    this.#batcher = new AcceptBatcher(
      deps.accept,
      deps.tenants,
      { concurrency: settings.acceptConcurrency, maxBatch: 500 },
      deps.log,
      deps.onAccepted,
    );
    this.#deliveries = new DeliveryEngine<I, F, C>(
      deps.outbox,
      {
        window: settings.deliverWindow,
        responseTimeoutMs: settings.responseTimeoutSeconds * 1000,
        maxAttempts: 10,
        maxBuffered: 5000,
        gapWaitMs: settings.gapWaitMs,
        ...(deps.horizon ? { horizon: deps.horizon } : {}),
      },
      deps.log,
      adapter.deliveries,
    );
    this.#parts = new Reassembly<M>({
      ttlMs: settings.reassemblyTtlSeconds * 1000,
      maxPerScope: 1000,
      maxBytes: 32 * 1024 * 1024,
    });
  }

  async start(createServer: () => Server): Promise<{ port: number }> {
    if (this.#server) throw new Error(`${this.#p} server already started`);
    this.#stopping = false;
    const server = createServer();
    this.#server = server;
    let port: number;
    try {
      port = await listen(server, this.settings.port, this.settings.host, (err: Error) =>
        this.log.error({ err }, `${this.#p} server error`),
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
    every(this.settings.pollMs, () => void this.#poll());
    every(1000, () => this.#sweep());
    every(300, () => void this.#deliveries.saveCursors());
    this.log.info({ host: this.settings.host, port }, `${this.#p.toUpperCase()} server listening`);
    return { port };
  }

  /** Stops taking connections, says goodbye to everyone, answers what is in flight, saves the cursors. */
  async stop(): Promise<void> {
    this.#stopping = true;
    for (const t of this.#timers.splice(0)) clearInterval(t);
    const server = this.#server;
    this.#server = null;
    const closed = server
      ? new Promise<void>((resolve) => server.close(() => resolve()))
      : Promise.resolve();
    await Promise.race([this.#batcher.drained(), sleep(5000)]);
    for (const conn of [...this.#conns]) this.closeGracefully(conn);
    await Promise.race([
      Promise.all([...this.#conns].map((c) => new Promise((r) => c.socket.once('close', r)))),
      sleep(1500),
    ]);
    for (const conn of this.#conns) conn.socket.destroy();
    await this.#deliveries.saveCursors();
    await closed;
    this.log.info({}, `${this.#p.toUpperCase()} server stopped`);
  }

  /** Drops every session of the tenant (it was suspended or terminated). Returns how many. */
  kickTenant(tenantId: string, reason: string): number {
    let n = 0;
    for (const conn of this.#conns) {
      if (conn.account?.account.tenantId !== tenantId) continue;
      this.closeGracefully(conn);
      n++;
    }
    if (n > 0) this.log.warn({ tenant: tenantId, sessions: n, reason }, `${this.#p} binds dropped`);
    return n;
  }

  stats(): SessionStats {
    let bound = 0;
    for (const c of this.#conns) if (c.state === 'bound') bound++;
    return {
      bound,
      pendingAccepts: this.#batcher.pending,
      heldParts: this.#parts.size,
      deliveries: this.#deliveries.stats(),
    };
  }

  // --- Connections ---

  /** The protocol-neutral fields of a new connection; the adapter adds its own to this object. */
  connection(socket: Socket): TenantConn<F, A> {
    const now = Date.now();
    const conn: TenantConn<F, A> = {
      id: this.#nextConnId++,
      deliveries: new Map(),
      isOpen: () => conn.state === 'bound' && !socket.destroyed && socket.writable,
      socket,
      remote: socket.remoteAddress ?? 'unknown',
      state: 'open',
      account: null,
      outstanding: 0,
      openedAt: now,
      lastRx: now,
      probeSent: false,
    };
    return conn;
  }

  /** Starts tracking a connection; false (and the socket is gone) when the server is stopping. */
  track(conn: C): boolean {
    if (this.#stopping) {
      conn.socket.destroy();
      return false;
    }
    this.#conns.add(conn);
    conn.socket.setNoDelay(true);
    conn.socket.on('close', () => {
      this.#unregister(conn);
      conn.state = 'closed';
      this.#conns.delete(conn);
    });
    return true;
  }

  /** Something came in: the session is alive. */
  received(conn: C): void {
    conn.lastRx = Date.now();
    conn.probeSent = false;
  }

  /** Closes at once (broken input, silence). */
  closeNow(conn: C): void {
    this.#unregister(conn);
    conn.state = 'closed';
    conn.socket.destroy();
  }

  /** The goodbye (when bound), then the socket closes after a moment for the client's answer. */
  closeGracefully(conn: C): void {
    if (conn.state === 'closed' || conn.socket.destroyed) return;
    if (conn.state === 'bound') this.adapter.sendFarewell(conn);
    this.#unregister(conn);
    conn.state = 'closed';
    const socket = conn.socket;
    setTimeout(() => socket.end(), 100).unref();
    setTimeout(() => socket.destroy(), 1000).unref();
  }

  /** The client said goodbye and was answered: the session ends. */
  unbound(conn: C): void {
    this.#unregister(conn);
    conn.state = 'closed';
    conn.socket.end();
  }

  #unregister(conn: C): void {
    const id = conn.account?.account.id;
    const entry = id === undefined ? undefined : this.#accounts.get(id);
    if (id === undefined || !entry || !entry.conns.has(conn)) return;
    entry.conns.delete(conn);
    this.#deliveries.detach(this.adapter.deliveryKey(id), conn);
    if (entry.conns.size === 0) this.#accounts.delete(id);
    this.log.info(
      { session: conn.id, systemId: entry.bound.account.systemId },
      `${this.#p} unbound`,
    );
  }

  // --- Binds ---

  /** A bind (SMPP bind_*, CMPP CONNECT) of a session in state `open`. */
  async bind(conn: C, req: BindRequest<A>): Promise<void> {
    conn.state = 'binding';
    const who = () => ({ session: conn.id, name: req.name, remote: conn.remote, ...req.logFields });
    let attempt: BindAttempt | null = null;
    const refuse = async (refusal: BindRefusal, why: string, count = false, delay = true) => {
      if (count) attempt?.fail();
      this.log.warn({ ...who(), refusal, why }, `${this.#p} bind refused`);
      if (delay) await sleep(this.settings.bindFailureDelayMs);
      if (conn.state !== 'binding') return;
      conn.state = 'open';
      req.refuse(refusal);
    };
    try {
      if (req.unsupported) return await refuse('unsupported', req.unsupported);
      // Counted before the credential is checked: concurrent binds cannot pass the limits.
      const begun = await this.#guard.begin(req.name, conn.remote, Date.now());
      if (!begun.ok)
        return await refuse(
          begun.reason === 'locked' ? 'locked' : 'throttled',
          `too many failed binds (${begun.counter}); retry in ${begun.retryAfterSeconds} s`,
        );
      attempt = begun;
      const auth = await req.authenticate();
      if (!auth.ok) return await refuse('credentials', auth.why, true);
      const account = auth.account;
      await attempt.succeed(Date.now());
      const forbidden = req.notPermitted?.(account) ?? null;
      if (forbidden !== null) return await refuse('not_permitted', forbidden);
      const tenant = await this.deps.tenants.find(account.tenantId);
      if (!tenant || tenant.status !== 'active')
        return await refuse('tenant', `tenant ${tenant?.status ?? 'missing'}`);
      const key = this.adapter.deliveryKey(account.id);
      await this.#deliveries.prepare(key, account.tenantId, account.systemId);
      if (conn.state !== 'binding') return; // closed while we checked
      let entry = this.#accounts.get(account.id);
      if (entry && entry.conns.size >= account.maxBinds)
        return await refuse('too_many', `already ${entry.conns.size} binds`);
      if (!entry) {
        const limiter = new RateLimiter({
          capacity: account.throughput,
          refillPerSecond: account.throughput,
          maxKeys: 1,
        });
        entry = { bound: { account, limiter }, conns: new Set() };
        this.#accounts.set(account.id, entry);
      }
      entry.conns.add(conn);
      conn.account = entry.bound;
      conn.state = 'bound';
      req.bound(account);
      this.log.info({ ...who(), tenant: account.tenantId }, `${this.#p} bound`);
      if (req.receives) this.#deliveries.attach(key, account.tenantId, account.systemId, conn);
    } catch (err) {
      await attempt?.abandon(Date.now());
      this.log.error({ err, ...who() }, `${this.#p} bind failed`);
      if (conn.state === 'binding')
        await refuse('internal', 'internal error', false, req.delayInternal);
    }
  }

  // --- Submits and deliveries ---

  /** Whether a bound session may submit now: its window is full, or its account's rate spent. */
  admitSubmit(conn: C): 'window' | 'throttled' | null {
    if (conn.outstanding >= this.settings.submitWindow) return 'window';
    if (!conn.account?.limiter.take('a', Date.now()).ok) return 'throttled';
    return null;
  }

  /**
   * One message per recipient through the accept batcher; `done` gets each recipient's answer,
   * null when accepted, else the domain error code.
   */
  accept(conn: C, msg: Submission, done: (codes: Array<string | null>) => void): void {
    const account = (conn.account as BoundAccount<A>).account;
    const codes = new Array<string | null>(msg.to.length).fill(null);
    let left = msg.to.length;
    conn.outstanding++;
    msg.to.forEach((to, i) => {
      this.#batcher.push({
        tenantId: account.tenantId,
        id: msg.ids[i] as string,
        to,
        text: msg.text,
        class: msg.class,
        origin: msg.origin,
        done: (code) => {
          codes[i] = code;
          if (code !== null)
            this.log.debug({ session: conn.id, code }, `${this.#p} submit refused`);
          if (--left > 0) return;
          conn.outstanding--;
          done(codes);
        },
      });
    });
  }

  /**
   * A part of a concatenated message of the session's account: held until the rest comes (the
   * `context` is what partsExpired gets if it never does), or the whole message.
   */
  holdPart(
    bound: BoundAccount<A>,
    part: {
      source: string;
      destination: string;
      concat: Concat;
      coding: number;
      bytes: Buffer;
      meta: M;
      context: X;
    },
  ): AddResult<M> {
    const accountId = bound.account.id;
    const { ref, refBits, total, seq } = part.concat;
    const key = Reassembly.key(accountId, part.source, part.destination, ref, refBits, total);
    const added = this.#parts.add(
      {
        key,
        scope: accountId,
        total,
        seq,
        dataCoding: part.coding,
        bytes: part.bytes,
        meta: part.meta,
        newId: () => newId('msg'),
      },
      Date.now(),
    );
    if (added.kind === 'held') this.#partContext.set(key, { accountId, context: part.context });
    else if (added.kind === 'complete') this.#partContext.delete(key);
    return added;
  }

  /** The client's answer to one of our deliveries. */
  answered(conn: C, sequence: number, answer: DeliveryAnswer): void {
    if (conn.account)
      this.#deliveries.answered(
        this.adapter.deliveryKey(conn.account.account.id),
        conn,
        sequence,
        answer,
      );
  }

  /** Deliveries that are not in the outbox (refusals of parts answered OK). */
  sendUnrecorded(bound: BoundAccount<A>, fields: F[]): void {
    if (fields.length === 0) return;
    const a = bound.account;
    this.#deliveries.sendUnrecorded(this.adapter.deliveryKey(a.id), a.tenantId, a.systemId, fields);
  }

  // --- Timers ---

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
    const s = this.settings;
    for (const conn of this.#conns) {
      if (conn.state === 'open' || conn.state === 'binding') {
        if (now - conn.openedAt > s.bindTimeoutSeconds * 1000) {
          this.log.info({ session: conn.id, remote: conn.remote }, `${this.#p} never bound`);
          conn.socket.destroy();
        }
        continue;
      }
      if (conn.state !== 'bound') continue;
      const idle = now - conn.lastRx;
      if (idle > s.inactivitySeconds * 1000) {
        this.log.warn(
          { session: conn.id, systemId: conn.account?.account.systemId, idleMs: idle },
          `${this.#p} client silent; closing`,
        );
        this.closeNow(conn);
      } else if (idle > s.probeSeconds * 1000 && !conn.probeSent) {
        conn.probeSent = true;
        this.adapter.sendProbe(conn);
      }
    }
    this.#deliveries.sweep(now);
    for (const held of this.#parts.expire(now)) {
      const ctx = this.#partContext.get(held.key);
      this.#partContext.delete(held.key);
      const entry = ctx ? this.#accounts.get(ctx.accountId) : undefined;
      this.log.info(
        { systemId: entry?.bound.account.systemId, parts: held.parts.size, total: held.total },
        `${this.#p} concatenated message incomplete; dropped`,
      );
      if (entry && ctx) this.adapter.partsExpired(entry.bound, held, ctx.context);
    }
    if (now - this.#lastRecheck >= s.recheckMs) {
      this.#lastRecheck = now;
      void this.#recheck();
    }
  }

  /** Sessions of tenants that may no longer send, or of revoked accounts, are dropped. */
  async #recheck(): Promise<void> {
    try {
      const tenants = new Set<string>();
      for (const e of this.#accounts.values()) tenants.add(e.bound.account.tenantId);
      for (const tenantId of tenants) {
        const t = await this.deps.tenants.find(tenantId);
        if (!t || t.status !== 'active') this.kickTenant(tenantId, `tenant ${t?.status ?? 'gone'}`);
      }
      for (const e of [...this.#accounts.values()]) {
        if (await this.adapter.stillLive(e.bound.account)) continue;
        for (const conn of [...e.conns]) this.closeGracefully(conn);
        this.log.warn(
          { systemId: e.bound.account.systemId },
          `${this.#p} account revoked; binds dropped`,
        );
      }
    } catch (err) {
      this.log.error({ err }, `${this.#p} bind recheck failed`);
    }
  }
}

const sleep = (ms: number): Promise<void> => wait(ms, undefined, { ref: false });
