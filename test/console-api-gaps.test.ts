// The routes the console lacked (issue 12): the operator's read of a tenant's price plan and
// compliance policy, enabling a disabled user again, turning two-factor login off, the pending
// termination request and the SMPP/CMPP ports — on SQLite and PostgreSQL.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { databases } from './support/databases.ts';
import { startTestPlatform, type TestPlatform } from './support/platform.ts';
import {
  browser,
  GOOD_PASSWORD,
  operatorAdmin,
  registerCompany,
  type Browser,
} from './support/people.ts';
import { createUser } from '../src/services/accounts.ts';
import { totpCode } from '../src/security/totp.ts';
import { AuditStore } from '../src/store/audit.ts';
import { TenantStore } from '../src/store/tenants.ts';
import { UserStore } from '../src/store/users.ts';

for (const database of databases) {
  describe(`console API gaps on ${database.dialect}`, () => {
    let t: TestPlatform;
    let admin: Browser;
    let support: Browser;
    let a: Awaited<ReturnType<typeof registerCompany>>;
    let b: Awaited<ReturnType<typeof registerCompany>>;
    const d = database.dialect;

    /** A person created as the owner (or the operator) would, logged in, password changed. */
    async function person(tenantId: string | null, email: string, role: string): Promise<Browser> {
      const db = t.platform.store.db;
      const { temporaryPassword } = await createUser(
        { db, tenants: new TenantStore(db), users: new UserStore(db), audit: new AuditStore(db) },
        { tenantId, email, name: 'Wang Fang', role },
        { type: 'system', id: null, ip: null },
      );
      const p = browser(t);
      assert.equal(
        (await p.call('/v1/auth/login', { body: { email, password: temporaryPassword } })).status,
        200,
      );
      assert.equal(
        (
          await p.call('/v1/auth/password', {
            body: { currentPassword: temporaryPassword, newPassword: GOOD_PASSWORD },
          })
        ).status,
        204,
      );
      return p;
    }

    before(async () => {
      t = await startTestPlatform(database);
      admin = await operatorAdmin(t, `gaps-${d}@operator.test`);
      support = await person(null, `gaps-support-${d}@operator.test`, 'support');
      a = await registerCompany(t, `gapsa-${d}`);
      b = await registerCompany(t, `gapsb-${d}`);
      for (const c of [a, b])
        await admin.call(`/v1/admin/tenants/${c.tenantId}/status`, {
          body: { status: 'active', reason: 'ok' },
        });
    });
    after(() => t.stop());

    test('price plan: the standard plan until one is set, then exactly what PUT took', async () => {
      const path = `/v1/admin/tenants/${a.tenantId}/price-plan`;
      const std = await admin.call(path);
      assert.equal(std.status, 200, JSON.stringify(std.body));
      assert.equal(std.body.default, true);
      assert.equal(std.body.chargeMode, 'on_submit');
      assert.equal(std.body.currency, 'CNY');
      assert.ok(Array.isArray(std.body.rules));

      const plan = {
        rules: [
          { country: 'CN', price: '0.0400' },
          { country: 'CN', carrier: 'mobile', class: 'marketing', price: '0.0550' },
        ],
        chargeMode: 'on_delivery',
      };
      assert.equal((await admin.call(path, { method: 'PUT', body: plan })).status, 204);
      const got = await admin.call(path);
      assert.equal(got.status, 200);
      assert.deepEqual(
        { rules: got.body.rules, chargeMode: got.body.chargeMode },
        plan,
        'the same shape PUT takes',
      );
      assert.equal(got.body.default, false);
      assert.ok(Date.parse(got.body.updatedAt) > 0);
      // It can go straight back: PUT accepts what GET answers.
      const back = await admin.call(path, {
        method: 'PUT',
        body: { rules: got.body.rules, chargeMode: got.body.chargeMode },
      });
      assert.equal(back.status, 204);
      // b keeps the standard plan.
      assert.equal(
        (await admin.call(`/v1/admin/tenants/${b.tenantId}/price-plan`)).body.default,
        true,
      );
    });

    test('price plan: unknown tenant 404, bad query 400 naming it, no billing permission 403', async () => {
      const missing = await admin.call(
        '/v1/admin/tenants/ten_01NOSUCHTENANT00000000000/price-plan',
      );
      assert.equal(missing.status, 404);
      const bad = await admin.call(`/v1/admin/tenants/${a.tenantId}/price-plan?tenant=x`);
      assert.equal(bad.status, 400);
      assert.equal(bad.body.field, 'tenant');
      const denied = await support.call(`/v1/admin/tenants/${a.tenantId}/price-plan`);
      assert.equal(denied.status, 403);
      assert.equal(
        (await t.api(`/v1/admin/tenants/${a.tenantId}/price-plan`, { key: a.key })).status,
        403,
        'a tenant key is not the operator',
      );
    });

    test('compliance policy: the defaults, then exactly what PUT took; null caps are the defaults', async () => {
      const path = `/v1/admin/tenants/${a.tenantId}/compliance`;
      const first = await admin.call(path);
      assert.equal(first.status, 200, JSON.stringify(first.body));
      assert.deepEqual(first.body.freeTextClasses, ['verification', 'notification', 'marketing']);
      assert.equal(first.body.frequencyCaps, null);
      assert.deepEqual(first.body.defaultFrequencyCaps.verification, {
        perMinute: 1,
        perHour: 5,
        perDay: 10,
        sameTextMinutes: 10,
      });

      const policy = {
        freeTextClasses: ['verification', 'notification'],
        frequencyCaps: {
          marketing: { perMinute: 1, perHour: 1, perDay: 2, sameTextMinutes: 60 },
        },
      };
      assert.equal((await admin.call(path, { method: 'PUT', body: policy })).status, 204);
      const got = await admin.call(path);
      assert.deepEqual(
        { freeTextClasses: got.body.freeTextClasses, frequencyCaps: got.body.frequencyCaps },
        policy,
      );
      // The policy is in force: marketing free text is refused now.
      const send = await t.api('/v1/messages', {
        key: a.key,
        body: { to: '13800138000', text: 'sale', class: 'marketing' },
      });
      assert.equal(send.status, 422);
      assert.equal(send.body.code, 'free_text_not_allowed');
      // Caps back to the defaults.
      assert.equal(
        (await admin.call(path, { method: 'PUT', body: { frequencyCaps: null } })).status,
        204,
      );
      assert.equal((await admin.call(path)).body.frequencyCaps, null);
    });

    test('compliance policy: unknown tenant 404, bad query 400 naming it, no compliance permission 403', async () => {
      assert.equal(
        (await admin.call('/v1/admin/tenants/ten_01NOSUCHTENANT00000000000/compliance')).status,
        404,
      );
      const bad = await admin.call(`/v1/admin/tenants/${a.tenantId}/compliance?all=1`);
      assert.equal(bad.status, 400);
      assert.equal(bad.body.field, 'all');
      assert.equal((await support.call(`/v1/admin/tenants/${a.tenantId}/compliance`)).status, 403);
    });

    test('users: a disabled member is enabled again (audited) and may log in; guarded like the rest', async () => {
      const email = `gaps-member-${d}@${process.pid}.test`;
      const member = await person(a.tenantId, email, 'sender');
      const id = (await member.call('/v1/me')).body.user.id as string;
      assert.equal((await a.owner.call(`/v1/users/${id}`, { method: 'DELETE' })).status, 204);
      assert.equal((await member.call('/v1/me')).status, 401, 'their sessions ended');
      const refused = await browser(t).call('/v1/auth/login', {
        body: { email, password: GOOD_PASSWORD },
      });
      assert.equal(refused.status, 401);

      // Bad input names the field; another tenant's owner gets 404; a sender gets 403.
      const bad = await a.owner.call(`/v1/users/${id}`, {
        method: 'PATCH',
        body: { status: 'deleted' },
      });
      assert.equal(bad.status, 400);
      assert.equal(bad.body.field, 'status');
      const empty = await a.owner.call(`/v1/users/${id}`, { method: 'PATCH', body: {} });
      assert.equal(empty.status, 400);
      assert.equal(empty.body.field, 'role');
      assert.equal(
        (await b.owner.call(`/v1/users/${id}`, { method: 'PATCH', body: { status: 'active' } }))
          .status,
        404,
      );
      const sender = await person(a.tenantId, `gaps-sender-${d}@${process.pid}.test`, 'sender');
      assert.equal(
        (await sender.call(`/v1/users/${id}`, { method: 'PATCH', body: { status: 'active' } }))
          .status,
        403,
      );

      const on = await a.owner.call(`/v1/users/${id}`, {
        method: 'PATCH',
        body: { status: 'active' },
      });
      assert.equal(on.status, 204, JSON.stringify(on.body));
      const row = (await a.owner.call('/v1/users')).body.data.find((u: any) => u.id === id);
      assert.equal(row.status, 'active');
      const audit = await a.owner.call('/v1/audit?action=user.enabled');
      assert.equal(audit.body.data[0].targetId, id);
      assert.equal(
        (await browser(t).call('/v1/auth/login', { body: { email, password: GOOD_PASSWORD } }))
          .status,
        200,
      );
      // Once more is a no-op, not a second audit entry.
      await a.owner.call(`/v1/users/${id}`, { method: 'PATCH', body: { status: 'active' } });
      assert.equal((await a.owner.call('/v1/audit?action=user.enabled')).body.data.length, 1);
      // Role and status in one call; disabled through PATCH is DELETE.
      assert.equal(
        (
          await a.owner.call(`/v1/users/${id}`, {
            method: 'PATCH',
            body: { role: 'viewer', status: 'disabled' },
          })
        ).status,
        204,
      );
      const after = (await a.owner.call('/v1/users')).body.data.find((u: any) => u.id === id);
      assert.deepEqual([after.role, after.status], ['viewer', 'disabled']);
    });

    test('two-factor off: password and a fresh code, other sessions end, login needs no code', async () => {
      const email = `gaps-2fa-${d}@${process.pid}.test`;
      const me = await person(a.tenantId, email, 'developer');
      const setup = await me.call('/v1/auth/totp/setup', { method: 'POST' });
      const secret = setup.body.secret as string;
      const now = Date.now();
      assert.equal(
        (
          await me.call('/v1/auth/totp/enable', {
            body: { code: totpCode(secret, now - 30_000) },
          })
        ).status,
        204,
      );
      const other = browser(t);
      assert.equal(
        (
          await other.call('/v1/auth/login', {
            body: { email, password: GOOD_PASSWORD, totp: totpCode(secret, now) },
          })
        ).status,
        200,
      );

      const off = (body: unknown) => me.call('/v1/auth/totp', { method: 'DELETE', body });
      // Wrong password: 403 (the session is fine) naming the field; wrong code: 400 naming it.
      const wrongPassword = await off({ password: 'nope', totp: totpCode(secret, now) });
      assert.equal(wrongPassword.status, 403);
      assert.equal(wrongPassword.body.field, 'password');
      const wrongCode = await off({ password: GOOD_PASSWORD, totp: '000000' });
      assert.equal(wrongCode.status, 400);
      assert.equal(wrongCode.body.field, 'totp');
      const usedCode = await off({ password: GOOD_PASSWORD, totp: totpCode(secret, now) });
      assert.equal(usedCode.status, 400, 'the code that logged in cannot be used again');
      const badShape = await off({ password: GOOD_PASSWORD, totp: '12ab' });
      assert.equal(badShape.status, 400);
      assert.equal(badShape.body.field, 'totp');
      const missing = await off({ password: GOOD_PASSWORD });
      assert.equal(missing.status, 400);
      assert.equal(missing.body.field, 'totp');
      assert.equal(
        (
          await t.api('/v1/auth/totp', {
            method: 'DELETE',
            key: a.key,
            body: { password: GOOD_PASSWORD, totp: '123456' },
          })
        ).status,
        400,
        'an API key has no two-factor login to turn off',
      );
      assert.equal((await me.call('/v1/me')).body.user.totpEnabled, true, 'nothing changed');

      const ok = await off({ password: GOOD_PASSWORD, totp: totpCode(secret, now + 30_000) });
      assert.equal(ok.status, 204, JSON.stringify(ok.body));
      assert.equal((await me.call('/v1/me')).body.user.totpEnabled, false);
      assert.equal((await other.call('/v1/me')).status, 401, 'the other session ended');
      assert.equal(
        (await browser(t).call('/v1/auth/login', { body: { email, password: GOOD_PASSWORD } }))
          .status,
        200,
        'no code asked',
      );
      const again = await off({ password: GOOD_PASSWORD, totp: totpCode(secret, now + 60_000) });
      assert.equal(again.status, 409);
      const audit = await a.owner.call('/v1/audit?action=user.totp_disabled');
      assert.equal(audit.body.data.length, 1);

      // Operator staff: the same route.
      const staffEmail = `gaps-staff-${d}@operator.test`;
      const staff = await person(null, staffEmail, 'finance');
      const s = (await staff.call('/v1/auth/totp/setup', { method: 'POST' })).body.secret;
      await staff.call('/v1/auth/totp/enable', { body: { code: totpCode(s, now) } });
      const staffOff = await staff.call('/v1/auth/totp', {
        method: 'DELETE',
        body: { password: GOOD_PASSWORD, totp: totpCode(s, now + 30_000) },
      });
      assert.equal(staffOff.status, 204);
      assert.equal((await staff.call('/v1/me')).body.user.totpEnabled, false);
    });

    test('termination: null, the pending request with its reason, null again once withdrawn', async () => {
      const read = (who: Browser) => who.call('/v1/account/termination');
      const none = await read(b.owner);
      assert.equal(none.status, 200);
      assert.match(
        none.headers.get('content-type') ?? '',
        /json/,
        'a JSON null, not an empty body',
      );
      assert.equal(none.body, null);
      const asked = await b.owner.call('/v1/account/termination', {
        body: { reason: 'moving to another provider' },
      });
      assert.equal(asked.status, 202);
      const pending = await read(b.owner);
      assert.equal(pending.body.effectiveAt, asked.body.effectiveAt);
      assert.equal(pending.body.reason, 'moving to another provider');
      assert.ok(Date.parse(pending.body.requestedAt) <= Date.parse(pending.body.effectiveAt));
      assert.equal(pending.body.requestedBy, (await b.owner.call('/v1/me')).body.user.id);
      assert.equal((await read(a.owner)).body, null, 'another tenant sees nothing of it');
      const bad = await b.owner.call('/v1/account/termination?tenantId=x');
      assert.equal(bad.status, 400);
      assert.equal(bad.body.field, 'tenantId');
      const sendOnly = await b.owner.call('/v1/api-keys', { body: { scopes: ['send'] } });
      assert.equal(
        (await t.api('/v1/account/termination', { key: sendOnly.body.key })).status,
        403,
      );
      assert.equal(
        (await b.owner.call('/v1/account/termination', { method: 'DELETE' })).status,
        204,
      );
      assert.equal((await read(b.owner)).body, null);
    });

    test('connect-info: the SMPP and CMPP ports this node listens on', async () => {
      const r = await t.api('/v1/connect-info', { key: a.key });
      assert.equal(r.status, 200);
      assert.deepEqual(r.body, {
        smpp: { port: t.platform.smppPort, tls: false },
        cmpp: { port: t.platform.cmppPort, tls: false },
      });
      assert.ok(t.platform.smppPort! > 0);
      const bad = await t.api('/v1/connect-info?host=1', { key: a.key });
      assert.equal(bad.status, 400);
      assert.equal(bad.body.field, 'host');
      const sendOnly = await a.owner.call('/v1/api-keys', { body: { scopes: ['send'] } });
      assert.equal((await t.api('/v1/connect-info', { key: sendOnly.body.key })).status, 403);
    });
  });
}
