// People in end-to-end tests: a cookie-carrying browser, an operator admin, registered companies.
import assert from 'node:assert/strict';
import { creditCodeCheckChar } from '../../src/core/tenancy/credit-code.ts';
import { createUser } from '../../src/services/accounts.ts';
import { AuditStore } from '../../src/store/audit.ts';
import { TenantStore } from '../../src/store/tenants.ts';
import { UserStore } from '../../src/store/users.ts';
import { ComplianceStore } from '../../src/store/compliance.ts';
import type { TestPlatform } from './platform.ts';

export const GOOD_PASSWORD = 'Blue-Harbour-2026';

let codes = 0;
/** A valid unified social credit code, different each call. */
export function creditCode(): string {
  const body = `91110000${String(100000000 + ((process.pid * 1000 + codes++) % 900000000)).slice(-9)}`;
  return body + creditCodeCheckChar(body);
}

/** A cookie-carrying client for one person. */
export function browser(t: TestPlatform) {
  let cookie: string | null = null;
  return {
    async call(path: string, init: { method?: string; body?: unknown } = {}) {
      const headers: Record<string, string> = {};
      if (cookie) headers.cookie = cookie;
      const r = await t.api(path, { ...init, key: null, headers });
      const set = r.headers.get('set-cookie');
      if (set) cookie = set.split(';')[0]!;
      return r;
    },
    forget() {
      cookie = null;
    },
  };
}

export type Browser = ReturnType<typeof browser>;

/** An operator admin, logged in, password already changed. */
export async function operatorAdmin(t: TestPlatform, email: string): Promise<Browser> {
  const db = t.platform.store.db;
  const deps = {
    db,
    tenants: new TenantStore(db),
    users: new UserStore(db),
    audit: new AuditStore(db),
  };
  const { temporaryPassword } = await createUser(
    deps,
    { tenantId: null, email, name: 'Root', role: 'admin' },
    { type: 'system', id: null, ip: null },
  );
  const admin = browser(t);
  assert.equal(
    (await admin.call('/v1/auth/login', { body: { email, password: temporaryPassword } })).status,
    200,
  );
  assert.equal(
    (
      await admin.call('/v1/auth/password', {
        body: { currentPassword: temporaryPassword, newPassword: GOOD_PASSWORD },
      })
    ).status,
    204,
  );
  return admin;
}

/** A registered company whose owner is logged in and holds a send/read/manage key. */
export async function registerCompany(t: TestPlatform, company: string) {
  const email = `${company}@${process.pid}.test`;
  const reg = await t.api('/v1/register', {
    key: null,
    body: {
      companyName: company,
      creditCode: creditCode(),
      contactName: 'Li Lei',
      contactEmail: email,
      contactPhone: '+8613800138000',
      password: GOOD_PASSWORD,
    },
  });
  assert.equal(reg.status, 201, JSON.stringify(reg.body));
  const owner = browser(t);
  assert.equal(
    (await owner.call('/v1/auth/login', { body: { email, password: GOOD_PASSWORD } })).status,
    200,
  );
  const key = await owner.call('/v1/api-keys', {
    body: { name: 'ci', scopes: ['send', 'read', 'manage'] },
  });
  assert.equal(key.status, 201);
  // An approved default signature, as the operator's reviewer would grant it.
  const sig = await owner.call('/v1/signatures', {
    body: { text: '测试公司', proofRef: 'licence.pdf' },
  });
  assert.equal(sig.status, 201);
  assert.ok(
    await new ComplianceStore(t.platform.store.db).decide(
      'signatures',
      sig.body.id,
      'approved',
      'ok',
      null,
    ),
  );
  assert.equal(
    (await owner.call(`/v1/signatures/${sig.body.id}/default`, { method: 'POST' })).status,
    204,
  );
  return {
    tenantId: reg.body.tenantId as string,
    owner,
    email,
    key: key.body.key as string,
    keyId: key.body.id as string,
  };
}
