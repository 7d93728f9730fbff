// Over 500 lines: one platform per database for the account lifecycle; split, each file would start its own.
// Tenants, users, sessions, API keys and isolation, end to end over HTTP on both databases.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { databases } from './support/databases.ts';
import { startTestPlatform, waitFinal, type TestPlatform } from './support/platform.ts';
import { applyDueTerminations, createUser } from '../src/services/accounts.ts';
import { AuditStore } from '../src/store/audit.ts';
import { TenantStore } from '../src/store/tenants.ts';
import { UserStore } from '../src/store/users.ts';
import { RechargeRequestStore } from '../src/store/recharge-requests.ts';
import { totpCode } from '../src/security/totp.ts';
import { browser, creditCode, GOOD_PASSWORD, registerCompany } from './support/people.ts';

for (const database of databases) {
  describe(`accounts and security on ${database.dialect}`, () => {
    let t: TestPlatform;
    let admin: ReturnType<typeof browser>;
    const adminEmail = `root-${database.dialect}@operator.test`;

    before(async () => {
      t = await startTestPlatform(database, {
        limits: { keyPerSecond: 1000, keyBurst: 1000, tenantPerSecond: 1000, tenantBurst: 1000 },
      });
      const db = t.platform.store.db;
      const deps = {
        db,
        tenants: new TenantStore(db),
        users: new UserStore(db),
        audit: new AuditStore(db),
      };
      const { temporaryPassword } = await createUser(
        deps,
        { tenantId: null, email: adminEmail, name: 'Root', role: 'admin' },
        { type: 'system', id: null, ip: null },
      );
      admin = browser(t);
      const login = await admin.call('/v1/auth/login', {
        body: { email: adminEmail, password: temporaryPassword },
      });
      assert.equal(login.status, 200);
      assert.equal(login.body.user.mustChangePassword, true);
      // Until the temporary password is changed, nothing else is allowed.
      assert.equal((await admin.call('/v1/admin/tenants')).body.code, 'password_change_required');
      assert.equal(
        (
          await admin.call('/v1/auth/password', {
            body: { currentPassword: temporaryPassword, newPassword: GOOD_PASSWORD },
          })
        ).status,
        204,
      );
      assert.equal((await admin.call('/v1/admin/tenants')).status, 200);
    });
    after(() => t.stop());

    const registerAndApprove = (company: string) => registerCompany(t, company);

    test('registration refuses bad input with the field, and writes nothing', async () => {
      const good = {
        companyName: 'Acme',
        creditCode: creditCode(),
        contactName: 'Han Meimei',
        contactEmail: `acme@${database.dialect}.test`,
        contactPhone: '13800138000',
        password: GOOD_PASSWORD,
      };
      const before = (await t.api('/v1/admin/tenants', { key: null })).status;
      assert.equal(before, 401);
      const cases: Array<[object, number, string, string]> = [
        [{ ...good, creditCode: '91350100M000100Y44' }, 422, 'invalid_credit_code', 'creditCode'],
        [{ ...good, password: 'password1' }, 422, 'weak_password', 'password'],
        [{ ...good, contactEmail: 'not-an-email' }, 400, 'invalid_request', 'email'],
        [{ ...good, companyName: '  ' }, 400, 'invalid_request', 'companyName'],
      ];
      for (const [body, status, code, field] of cases) {
        const r = await t.api('/v1/register', { key: null, body });
        assert.equal(r.status, status, code);
        assert.equal(r.body.code, code);
        assert.equal(r.body.field, field);
      }
      assert.equal((await t.api('/v1/register', { key: null, body: good })).status, 201);
      const dup = await t.api('/v1/register', {
        key: null,
        body: { ...good, creditCode: creditCode() },
      });
      assert.equal(dup.status, 409);
      assert.equal(dup.body.code, 'email_taken');
      const list = await admin.call('/v1/admin/tenants?status=pending');
      assert.equal(
        list.body.data.filter((x: any) => x.name === 'Acme').length,
        1,
        'only the good registration was written',
      );
    });

    test('a pending tenant cannot send; approved it can; suspended it cannot; every move is audited', async () => {
      const a = await registerAndApprove('pendingco');
      const send = () =>
        t.api('/v1/messages', { key: a.key, body: { to: '13800138000', text: 'hi' } });
      assert.equal((await send()).body.code, 'tenant_pending');
      assert.equal(
        (
          await admin.call(`/v1/admin/tenants/${a.tenantId}/status`, {
            body: { status: 'active', reason: 'licence checked' },
          })
        ).status,
        204,
      );
      await admin.call(`/v1/admin/tenants/${a.tenantId}/recharges`, {
        body: { amount: '100', reference: `pay-${a.tenantId}` },
      });
      const ok = await send();
      assert.equal(ok.status, 202);
      assert.equal(
        (await t.api(`/v1/messages/${ok.body.messages[0].id}`)).status,
        404,
        'the demo tenant cannot see it',
      );
      assert.equal(
        (
          await waitFinal(
            { ...t, api: (path, init) => t.api(path, { ...init, key: a.key }) },
            ok.body.messages[0].id,
          )
        ).status,
        'delivered',
      );
      assert.equal(
        (
          await admin.call(`/v1/admin/tenants/${a.tenantId}/status`, {
            body: { status: 'suspended', reason: 'complaint' },
          })
        ).status,
        204,
      );
      const refused = await send();
      assert.equal(refused.status, 403);
      assert.equal(refused.body.code, 'tenant_suspended');
      // Suspended tenants can still read.
      assert.equal((await t.api('/v1/messages', { key: a.key })).status, 200);
      const bad = await admin.call(`/v1/admin/tenants/${a.tenantId}/status`, {
        body: { status: 'active', reason: '' },
      });
      assert.equal(bad.status, 400);
      const audit = await a.owner.call('/v1/audit?action=tenant.status_changed');
      assert.deepEqual(
        audit.body.data.map((e: any) => [e.details.from, e.details.to, e.details.reason]),
        [
          ['active', 'suspended', 'complaint'],
          ['pending', 'active', 'licence checked'],
        ],
      );
    });

    test('wrong passwords are counted, then the account locks with its unlock time', async () => {
      const a = await registerAndApprove('lockco');
      const someone = browser(t);
      for (let i = 0; i < 5; i++) {
        const r = await someone.call('/v1/auth/login', {
          body: { email: a.email, password: 'Wrong-Password-1' },
        });
        assert.equal(r.status, 401);
        assert.equal(r.body.code, 'invalid_credentials');
      }
      const locked = await someone.call('/v1/auth/login', {
        body: { email: a.email, password: GOOD_PASSWORD },
      });
      // The user logged in from this address before (registerAndApprove): its failures here slow
      // it (a bounded delay) rather than lock it (docs/security.md, "Lock-outs and throttling");
      // test/lockouts.test.ts has the 423 lock from an address the user never logged in from.
      assert.equal(locked.status, 429, JSON.stringify(locked.body));
      assert.equal(locked.body.code, 'rate_limited');
      assert.match(locked.body.detail, /该账号登录失败次数过多/);
      assert.ok(Date.parse(locked.body.unlockAt) > Date.now());
      const unknown = await someone.call('/v1/auth/login', {
        body: { email: 'nobody@nowhere.test', password: GOOD_PASSWORD },
      });
      assert.equal(
        unknown.body.code,
        'invalid_credentials',
        'the same answer for an unknown email',
      );
      const failures = await admin.call(
        `/v1/admin/audit?tenantId=${a.tenantId}&action=login.failed`,
      );
      assert.equal(failures.body.data.length, 5);
      const userId = (await admin.call(`/v1/admin/tenants/${a.tenantId}`)).body.users[0].id;
      assert.equal(
        (await admin.call(`/v1/admin/users/${userId}/unlock`, { method: 'POST' })).status,
        204,
      );
      assert.equal(
        (
          await someone.call('/v1/auth/login', {
            body: { email: a.email, password: GOOD_PASSWORD },
          })
        ).status,
        200,
      );
    });

    test('roles and scopes: a tenant user cannot call operator routes, a read-only key cannot send', async () => {
      const a = await registerAndApprove('scopeco');
      assert.equal((await a.owner.call('/v1/admin/tenants')).status, 403);
      assert.equal((await t.api('/v1/admin/tenants', { key: a.key })).status, 403);
      assert.equal(
        (await admin.call('/v1/messages')).status,
        403,
        'operators act through /v1/admin',
      );
      const ro = await t.api('/v1/api-keys', {
        key: a.key,
        body: { name: 'reader', scopes: ['read'] },
      });
      const r = await t.api('/v1/messages', {
        key: ro.body.key,
        body: { to: '13800138000', text: 'x' },
      });
      assert.equal(r.status, 403);
      assert.equal(r.body.code, 'forbidden');
      assert.equal((await t.api('/v1/messages', { key: ro.body.key })).status, 200);
      assert.equal(
        (await t.api('/v1/users', { key: a.key })).status,
        403,
        'keys never manage users',
      );
    });

    test('API keys: shown once, revocation works on the next request, IP allow-list, test keys', async () => {
      const a = await registerAndApprove('keyco');
      await admin.call(`/v1/admin/tenants/${a.tenantId}/status`, {
        body: { status: 'active', reason: 'ok' },
      });
      await admin.call(`/v1/admin/tenants/${a.tenantId}/recharges`, {
        body: { amount: '100', reference: `pay-${a.tenantId}` },
      });
      const listed = await t.api('/v1/api-keys', { key: a.key });
      assert.ok(
        listed.body.data.every((k: any) => k.key === undefined && k.prefix.startsWith('hy_live_')),
      );
      const temp = await t.api('/v1/api-keys', { key: a.key, body: { name: 'temp' } });
      assert.equal((await t.api('/v1/messages', { key: temp.body.key })).status, 200);
      assert.equal(
        (await t.api(`/v1/api-keys/${temp.body.id}`, { key: a.key, method: 'DELETE' })).status,
        204,
      );
      assert.equal((await t.api('/v1/messages', { key: temp.body.key })).status, 401);
      const fenced = await t.api('/v1/api-keys', {
        key: a.key,
        body: { name: 'fenced', ipAllow: ['10.1.2.0/24'] },
      });
      const refused = await t.api('/v1/messages', { key: fenced.body.key });
      assert.equal(refused.status, 403);
      assert.equal(refused.body.code, 'ip_not_allowed');
      const badIp = await t.api('/v1/api-keys', { key: a.key, body: { ipAllow: ['not-an-ip'] } });
      assert.equal(badIp.status, 400);
      const testKey = await t.api('/v1/api-keys', {
        key: a.key,
        body: { name: 'sandbox', kind: 'test' },
      });
      assert.match(testKey.body.key, /^hy_test_/);
      const sent = await t.api('/v1/messages', {
        key: testKey.body.key,
        body: { to: '13800138000', text: 'sandbox' },
      });
      assert.equal(sent.status, 202);
      const row = await t.platform.store.db
        .selectFrom('messages')
        .select(['test'])
        .where('id', '=', sent.body.messages[0].id)
        .executeTakeFirstOrThrow();
      assert.equal(Number(row.test), 1);
      const keyAudit = await a.owner.call('/v1/audit?action=api_key.revoked');
      assert.equal(keyAudit.body.data[0].targetId, temp.body.id);
    });

    test('sessions: listed, revoked one by one, ended by logout and by a password change', async () => {
      const a = await registerAndApprove('sessco');
      const second = browser(t);
      assert.equal(
        (await second.call('/v1/auth/login', { body: { email: a.email, password: GOOD_PASSWORD } }))
          .status,
        200,
      );
      const sessions = await a.owner.call('/v1/auth/sessions');
      assert.equal(sessions.body.data.length, 2);
      const other = sessions.body.data.find((s: any) => !s.current);
      assert.equal(
        (await a.owner.call(`/v1/auth/sessions/${other.id}`, { method: 'DELETE' })).status,
        204,
      );
      assert.equal((await second.call('/v1/me')).status, 401);
      const weak = await a.owner.call('/v1/auth/password', {
        body: { currentPassword: GOOD_PASSWORD, newPassword: 'short' },
      });
      assert.equal(weak.status, 422);
      assert.equal((await a.owner.call('/v1/auth/logout', { method: 'POST' })).status, 204);
      assert.equal((await a.owner.call('/v1/me')).status, 401);
    });

    test("a tenant's own termination takes effect when due, and can be withdrawn before", async () => {
      const a = await registerAndApprove('byeco');
      await admin.call(`/v1/admin/tenants/${a.tenantId}/status`, {
        body: { status: 'active', reason: 'ok' },
      });
      await admin.call(`/v1/admin/tenants/${a.tenantId}/recharges`, {
        body: { amount: '100', reference: `pay-${a.tenantId}` },
      });
      const asked = await a.owner.call('/v1/account/termination', {
        body: { reason: 'moving on' },
      });
      assert.equal(asked.status, 202);
      const due = Date.parse(asked.body.effectiveAt);
      assert.ok(due > Date.now() && due <= Date.now() + 24 * 3600_000, 'effective within 24 hours');
      const db = t.platform.store.db;
      const deps = {
        db,
        tenants: new TenantStore(db),
        users: new UserStore(db),
        audit: new AuditStore(db),
      };
      assert.deepEqual(await applyDueTerminations(deps, due - 1), [], 'not before it is due');
      assert.equal(
        (await a.owner.call('/v1/account/termination', { method: 'DELETE' })).status,
        204,
      );
      assert.deepEqual(await applyDueTerminations(deps, due + 1), [], 'withdrawn');
      await a.owner.call('/v1/account/termination', { body: { reason: 'really' } });
      const applied = await applyDueTerminations(deps, Date.now() + 24 * 3600_000 + 1);
      assert.ok(applied.includes(a.tenantId));
      const account = await a.owner.call('/v1/account');
      assert.equal(account.body.status, 'terminated');
      assert.equal(
        (await t.api('/v1/messages', { key: a.key, body: { to: '13800138000', text: 'x' } })).body
          .code,
        'tenant_terminated',
      );
      const audit = await a.owner.call('/v1/audit?action=tenant.status_changed');
      assert.equal(audit.body.data[0].actorType, 'system');
      assert.equal(audit.body.data[0].details.to, 'terminated');
    });

    test('an expired session is refused like a revoked one', async () => {
      const a = await registerAndApprove('expco');
      const users = new UserStore(t.platform.store.db);
      const me = (await a.owner.call('/v1/me')).body.user;
      const { token } = await users.createSession(me.id, 1, '127.0.0.1', 'test');
      await new Promise((r) => setTimeout(r, 5));
      const r = await t.api('/v1/me', { key: null, headers: { cookie: `hy_session=${token}` } });
      assert.equal(r.status, 401);
      assert.equal(r.body.code, 'unauthorized');
    });

    test('two-factor login: enrol with a code, then login needs one, and a used code cannot log in again', async () => {
      const a = await registerAndApprove('totpco');
      const setup = await a.owner.call('/v1/auth/totp/setup', { method: 'POST' });
      assert.equal(setup.status, 200);
      assert.match(setup.body.uri, /^otpauth:\/\/totp\/Hongyan:/);
      const wrong = await a.owner.call('/v1/auth/totp/enable', { body: { code: '000000' } });
      assert.equal(wrong.status, 400);
      const now = Date.now();
      assert.equal(
        (
          await a.owner.call('/v1/auth/totp/enable', {
            body: { code: totpCode(setup.body.secret, now - 30_000) },
          })
        ).status,
        204,
      );
      const fresh = browser(t);
      const noCode = await fresh.call('/v1/auth/login', {
        body: { email: a.email, password: GOOD_PASSWORD },
      });
      assert.equal(noCode.status, 401);
      assert.equal(noCode.body.code, 'totp_required');
      const code = totpCode(setup.body.secret, now);
      assert.equal(
        (
          await fresh.call('/v1/auth/login', {
            body: { email: a.email, password: GOOD_PASSWORD, totp: code },
          })
        ).status,
        200,
      );
      const replay = await browser(t).call('/v1/auth/login', {
        body: { email: a.email, password: GOOD_PASSWORD, totp: code },
      });
      assert.equal(replay.status, 401);
      assert.equal(replay.body.code, 'invalid_credentials');
    });

    test('isolation: every route with an id answers 404 to another tenant, and lists show nothing of theirs', async () => {
      const a = await registerAndApprove('isoa');
      const b = await registerAndApprove('isob');
      await admin.call(`/v1/admin/tenants/${a.tenantId}/status`, {
        body: { status: 'active', reason: 'ok' },
      });
      await admin.call(`/v1/admin/tenants/${a.tenantId}/recharges`, {
        body: { amount: '100', reference: `pay-${a.tenantId}` },
      });
      const msg = await t.api('/v1/messages', {
        key: a.key,
        body: { to: '13800138000', text: 'secret of A' },
      });
      const added = await a.owner.call('/v1/users', {
        body: { email: `viewer-isoa@${database.dialect}.test`, name: 'Viewer', role: 'viewer' },
      });
      const aSession = (await a.owner.call('/v1/auth/sessions')).body.data[0].id;
      const smpp = await t.api('/v1/smpp-accounts', {
        key: a.key,
        body: {
          systemId: `isoa${database.dialect.slice(0, 2)}`,
          password: 'secret1',
          bindTypes: ['transceiver'],
        },
      });
      assert.equal(smpp.status, 201);
      assert.equal(smpp.body.password, undefined, 'the password is never shown');
      const request = await new RechargeRequestStore(t.platform.store.db).create({
        tenantId: a.tenantId,
        amount: 10_000,
        currency: 'CNY',
        paymentReference: `iso-${a.tenantId}`,
        note: null,
        proof: { data: Buffer.from('%PDF-1.4\n'), type: 'application/pdf' },
        createdBy: null,
      });
      const ids: Record<string, string> = {
        '/v1/recharge-requests/:id/proof': request.id,
        '/v1/messages/:id': msg.body.messages[0].id,
        '/v1/api-keys/:id': a.keyId,
        '/v1/users/:id': added.body.user.id,
        '/v1/auth/sessions/:id': aSession,
        '/v1/smpp-accounts/:id': smpp.body.id,
        '/v1/smpp-accounts/:id/cmpp-secret': smpp.body.id,
        '/v1/signatures/:id/default': (await t.api('/v1/signatures', { key: a.key })).body.data[0]
          .id,
      };
      const tenantRoutes = t.platform.routes.filter(
        (r) => r.url.includes(':id') && !r.access.startsWith('admin.'),
      );
      assert.ok(tenantRoutes.length >= 5);
      for (const route of tenantRoutes) {
        const id = ids[route.url];
        assert.ok(id, `the walk covers ${route.method} ${route.url}`);
        const path = route.url.replace(':id', id);
        const body =
          route.method === 'PATCH'
            ? { role: 'owner' }
            : route.url.endsWith('/cmpp-secret')
              ? { cmppSecret: null }
              : undefined;
        const viaKey = route.url.startsWith('/v1/auth/')
          ? await b.owner.call(path, { method: route.method, ...(body ? { body } : {}) })
          : await t.api(path, { key: b.key, method: route.method, ...(body ? { body } : {}) });
        const viaUser = await b.owner.call(path, {
          method: route.method,
          ...(body ? { body } : {}),
        });
        for (const r of [viaKey, viaUser])
          assert.ok(
            r.status === 404 || r.status === 403,
            `${route.method} ${route.url} gave ${r.status}`,
          );
        if (route.url !== '/v1/users/:id')
          assert.equal(viaUser.status, 404, `${route.method} ${route.url} as B's owner`);
      }
      // Nothing changed for A.
      assert.equal(
        (await t.api(`/v1/messages/${msg.body.messages[0].id}`, { key: a.key })).status,
        200,
      );
      assert.equal(
        (await t.api('/v1/messages', { key: a.key })).status,
        200,
        "A's key still works",
      );
      assert.equal(
        (await a.owner.call('/v1/users')).body.data.find((u: any) => u.id === added.body.user.id)
          .role,
        'viewer',
      );
      assert.equal((await t.api('/v1/smpp-accounts', { key: a.key })).body.data[0].revokedAt, null);
      assert.deepEqual((await t.api('/v1/smpp-accounts', { key: b.key })).body.data, []);
      const taken = await t.api('/v1/smpp-accounts', {
        key: b.key,
        body: { systemId: `isoa${database.dialect.slice(0, 2)}`, password: 'secret2' },
      });
      assert.equal(taken.status, 409, 'a system_id is unique across tenants');
      const tooLong = await t.api('/v1/smpp-accounts', {
        key: b.key,
        body: { systemId: 'bee', password: 'ninechars' },
      });
      assert.equal(tooLong.status, 400, 'SMPP passwords are at most 8 characters');
      const bList = await t.api('/v1/messages', { key: b.key });
      assert.deepEqual(bList.body.data, []);
      const bAudit = await b.owner.call('/v1/audit');
      assert.ok(bAudit.body.data.every((e: any) => e.tenantId === b.tenantId));
    });

    test('operator views mask numbers; bodies need the right role and are audited', async () => {
      const a = await registerAndApprove('privco');
      await admin.call(`/v1/admin/tenants/${a.tenantId}/status`, {
        body: { status: 'active', reason: 'ok' },
      });
      await admin.call(`/v1/admin/tenants/${a.tenantId}/recharges`, {
        body: { amount: '100', reference: `pay-${a.tenantId}` },
      });
      await t.api('/v1/messages', {
        key: a.key,
        body: { to: '13800138000', text: 'private body' },
      });
      const masked = await admin.call(`/v1/admin/tenants/${a.tenantId}/messages`);
      assert.equal(masked.body.data[0].to, '+86138****8000');
      assert.equal(masked.body.data[0].text, undefined);
      const support = browser(t);
      const created = await admin.call('/v1/admin/users', {
        body: {
          email: `support-${database.dialect}@operator.test`,
          name: 'Support',
          role: 'support',
        },
      });
      await support.call('/v1/auth/login', {
        body: {
          email: `support-${database.dialect}@operator.test`,
          password: created.body.temporaryPassword,
        },
      });
      await support.call('/v1/auth/password', {
        body: { currentPassword: created.body.temporaryPassword, newPassword: GOOD_PASSWORD },
      });
      assert.equal(
        (await support.call(`/v1/admin/tenants/${a.tenantId}/messages?bodies=true`)).status,
        403,
      );
      const withBodies = await admin.call(`/v1/admin/tenants/${a.tenantId}/messages?bodies=true`);
      assert.equal(withBodies.body.data[0].text, '【测试公司】private body');
      const audit = await a.owner.call('/v1/audit?action=operator.read_message_bodies');
      assert.equal(audit.body.data.length, 1, 'the tenant sees that the operator read its bodies');
    });
  });
}

describe('rate limits', () => {
  let t: TestPlatform;
  before(async () => {
    t = await startTestPlatform(databases[0]!, {
      limits: { keyPerSecond: 1, keyBurst: 3, tenantPerSecond: 1000, tenantBurst: 1000 },
    });
  });
  after(() => t.stop());

  test('a key over its limit gets 429 with Retry-After', async () => {
    const statuses: number[] = [];
    let last;
    for (let i = 0; i < 5; i++) {
      last = await t.api('/v1/messages?limit=1');
      statuses.push(last.status);
    }
    assert.deepEqual(statuses, [200, 200, 200, 429, 429]);
    assert.equal(last!.body.code, 'rate_limited');
    assert.equal(last!.headers.get('retry-after'), '1');
  });
});
