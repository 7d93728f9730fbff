// Users (operator staff and tenant users) and their login sessions.
import { createHash, randomBytes } from 'node:crypto';
import type { Kysely, Transaction } from 'kysely';
import type { Database, UserTable } from './schema.ts';
import { newId } from '../core/ids.ts';
import {
  openColumn,
  plaintextCipher,
  sealToColumn,
  type BodyCipher,
} from '../security/body-cipher.ts';
import { StoreThrottleCounters } from './login-throttle.ts';
import { isLocale, type Locale } from '../core/i18n/locale.ts';

export interface User {
  id: string;
  tenantId: string | null;
  email: string;
  name: string;
  role: string;
  status: string;
  mustChangePassword: boolean;
  totpEnabled: boolean;
  failedLogins: number;
  lockedUntil: number | null;
  lastLoginAt: number | null;
  createdAt: number;
  /** The person's console language; null follows the tenant's (migration 022). */
  locale: Locale | null;
}

export interface UserSecrets {
  passwordHash: string;
  totpSecret: string | null;
  totpLastStep: number | null;
}

export interface SessionRecord {
  id: string;
  userId: string;
  ip: string | null;
  userAgent: string | null;
  createdAt: number;
  lastSeenAt: number;
  expiresAt: number;
}

type Db = Kysely<Database> | Transaction<Database>;

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

export class UserStore {
  /** Login throttling counters, shared by the nodes (services/log-in.ts). */
  readonly throttle: StoreThrottleCounters;

  constructor(
    private readonly db: Kysely<Database>,
    /** Second-factor secrets are sealed at rest, bound to their user. */
    private readonly cipher: BodyCipher = plaintextCipher,
  ) {
    this.throttle = new StoreThrottleCounters(db);
  }

  async create(
    u: {
      tenantId: string | null;
      email: string;
      name: string;
      role: string;
      passwordHash: string;
      mustChangePassword?: boolean;
    },
    db: Db = this.db,
  ): Promise<User> {
    const now = Date.now();
    const row: UserTable = {
      id: newId('usr'),
      tenant_id: u.tenantId,
      email: u.email.trim().toLowerCase(),
      name: u.name,
      role: u.role,
      status: 'active',
      password_hash: u.passwordHash,
      must_change_password: u.mustChangePassword ? 1 : 0,
      totp_secret: null,
      totp_enabled: 0,
      totp_last_step: null,
      failed_logins: 0,
      locked_until: null,
      last_login_at: null,
      created_at: now,
      updated_at: now,
      locale: null,
    };
    await db.insertInto('users').values(row).execute();
    return toUser(row);
  }

  async byEmail(email: string): Promise<(User & UserSecrets) | undefined> {
    const row = await this.db
      .selectFrom('users')
      .selectAll()
      .where('email', '=', email.trim().toLowerCase())
      .executeTakeFirst();
    return row && { ...toUser(row), ...secrets(row, this.cipher) };
  }

  async byId(id: string): Promise<(User & UserSecrets) | undefined> {
    const row = await this.db
      .selectFrom('users')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst();
    return row && { ...toUser(row), ...secrets(row, this.cipher) };
  }

  /** Users of one tenant, or operator staff (tenantId null). */
  async list(tenantId: string | null): Promise<User[]> {
    let q = this.db.selectFrom('users').selectAll();
    q = tenantId === null ? q.where('tenant_id', 'is', null) : q.where('tenant_id', '=', tenantId);
    return (await q.orderBy('created_at').execute()).map(toUser);
  }

  async emailTaken(email: string): Promise<boolean> {
    return (
      (await this.db
        .selectFrom('users')
        .select('id')
        .where('email', '=', email.trim().toLowerCase())
        .executeTakeFirst()) !== undefined
    );
  }

  /** Failures since the last login, for the operator's eyes; locks live in `throttle`. */
  async recordFailedLogin(id: string): Promise<number> {
    const row = await this.db
      .updateTable('users')
      .set((eb) => ({
        failed_logins: eb('failed_logins', '+', 1),
        updated_at: Date.now(),
      }))
      .where('id', '=', id)
      .returning('failed_logins')
      .executeTakeFirstOrThrow();
    return Number(row.failed_logins);
  }

  async lock(id: string, until: number): Promise<void> {
    await this.db
      .updateTable('users')
      .set({ locked_until: until, updated_at: Date.now() })
      .where('id', '=', id)
      .execute();
  }

  async recordLogin(id: string, at: number, totpStep?: number): Promise<void> {
    await this.db
      .updateTable('users')
      .set({
        failed_logins: 0,
        locked_until: null,
        last_login_at: at,
        updated_at: at,
        ...(totpStep !== undefined ? { totp_last_step: totpStep } : {}),
      })
      .where('id', '=', id)
      .execute();
  }

  async unlock(id: string, db: Db = this.db): Promise<void> {
    await db
      .updateTable('users')
      .set({ failed_logins: 0, locked_until: null, updated_at: Date.now() })
      .where('id', '=', id)
      .execute();
  }

  async setPassword(
    id: string,
    passwordHash: string,
    mustChange: boolean,
    db: Db = this.db,
  ): Promise<void> {
    await db
      .updateTable('users')
      .set({
        password_hash: passwordHash,
        must_change_password: mustChange ? 1 : 0,
        updated_at: Date.now(),
      })
      .where('id', '=', id)
      .execute();
  }

  async setRole(id: string, role: string, db: Db = this.db): Promise<void> {
    await db
      .updateTable('users')
      .set({ role, updated_at: Date.now() })
      .where('id', '=', id)
      .execute();
  }

  /** The person's console language (null: follow the tenant's). */
  async setLocale(id: string, locale: Locale | null): Promise<void> {
    await this.db
      .updateTable('users')
      .set({ locale, updated_at: Date.now() })
      .where('id', '=', id)
      .execute();
  }

  async setStatus(id: string, status: string, db: Db = this.db): Promise<void> {
    await db
      .updateTable('users')
      .set({ status, updated_at: Date.now() })
      .where('id', '=', id)
      .execute();
  }

  async setTotp(
    id: string,
    secret: string | null,
    enabled: boolean,
    lastStep: number | null = null,
    db: Db = this.db,
  ): Promise<void> {
    await db
      .updateTable('users')
      .set({
        totp_secret: secret === null ? null : sealToColumn(this.cipher, secret, id),
        totp_enabled: enabled ? 1 : 0,
        totp_last_step: lastStep,
        updated_at: Date.now(),
      })
      .where('id', '=', id)
      .execute();
  }

  /** A new session; the token is returned once and only its hash is stored. */
  async createSession(
    userId: string,
    ttlMs: number,
    ip: string | null,
    userAgent: string | null,
  ): Promise<{ token: string; session: SessionRecord }> {
    const token = randomBytes(32).toString('base64url');
    const now = Date.now();
    const session: SessionRecord = {
      id: newId('ses'),
      userId,
      ip,
      userAgent: userAgent?.slice(0, 200) ?? null,
      createdAt: now,
      lastSeenAt: now,
      expiresAt: now + ttlMs,
    };
    await this.db
      .insertInto('sessions')
      .values({
        id: session.id,
        token_hash: hashToken(token),
        user_id: userId,
        ip,
        user_agent: session.userAgent,
        created_at: now,
        last_seen_at: now,
        expires_at: session.expiresAt,
        revoked_at: null,
      })
      .execute();
    return { token, session };
  }

  /** The live session for a token, with its user. */
  async sessionByToken(
    token: string,
    now: number,
  ): Promise<{ session: SessionRecord; user: User & UserSecrets } | undefined> {
    const s = await this.db
      .selectFrom('sessions')
      .selectAll()
      .where('token_hash', '=', hashToken(token))
      .where('revoked_at', 'is', null)
      .where('expires_at', '>', now)
      .executeTakeFirst();
    if (!s) return undefined;
    const user = await this.byId(s.user_id);
    if (!user) return undefined;
    return { session: toSession(s), user };
  }

  async touchSession(id: string, at: number): Promise<void> {
    await this.db.updateTable('sessions').set({ last_seen_at: at }).where('id', '=', id).execute();
  }

  async listSessions(userId: string, now: number): Promise<SessionRecord[]> {
    const rows = await this.db
      .selectFrom('sessions')
      .selectAll()
      .where('user_id', '=', userId)
      .where('revoked_at', 'is', null)
      .where('expires_at', '>', now)
      .orderBy('created_at', 'desc')
      .execute();
    return rows.map(toSession);
  }

  async revokeSession(userId: string, sessionId: string): Promise<boolean> {
    const r = await this.db
      .updateTable('sessions')
      .set({ revoked_at: Date.now() })
      .where('id', '=', sessionId)
      .where('user_id', '=', userId)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }

  /** All of a user's sessions (password change, reset, disable), but `keep`. */
  async revokeAllSessions(userId: string, keep?: string, db: Db = this.db): Promise<void> {
    let q = db
      .updateTable('sessions')
      .set({ revoked_at: Date.now() })
      .where('user_id', '=', userId)
      .where('revoked_at', 'is', null);
    if (keep) q = q.where('id', '<>', keep);
    await q.execute();
  }
}

function toUser(r: UserTable): User {
  return {
    id: r.id,
    tenantId: r.tenant_id,
    email: r.email,
    name: r.name,
    role: r.role,
    status: r.status,
    mustChangePassword: Number(r.must_change_password) === 1,
    totpEnabled: Number(r.totp_enabled) === 1,
    failedLogins: Number(r.failed_logins),
    lockedUntil: r.locked_until,
    lastLoginAt: r.last_login_at,
    createdAt: r.created_at,
    locale: isLocale(r.locale) ? r.locale : null,
  };
}

function secrets(r: UserTable, cipher: BodyCipher): UserSecrets {
  return {
    passwordHash: r.password_hash,
    totpSecret: r.totp_secret === null ? null : openColumn(cipher, r.totp_secret, r.id),
    totpLastStep: r.totp_last_step,
  };
}

function toSession(r: Database['sessions']): SessionRecord {
  return {
    id: r.id,
    userId: r.user_id,
    ip: r.ip,
    userAgent: r.user_agent,
    createdAt: r.created_at,
    lastSeenAt: r.last_seen_at,
    expiresAt: r.expires_at,
  };
}
