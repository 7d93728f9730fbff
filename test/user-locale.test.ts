// A person's own console language (PUT /v1/me/locale) on both databases: shown in /v1/me, and
// the language of their error titles when the request names none (Accept-Language still wins).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { databases } from './support/databases.ts';
import { startTestPlatform, type TestPlatform } from './support/platform.ts';
import { browser, GOOD_PASSWORD, operatorAdmin, registerCompany } from './support/people.ts';

for (const database of databases) {
  describe(`per-user console language on ${database.dialect}`, () => {
    let t: TestPlatform;
    before(async () => {
      t = await startTestPlatform(database, {
        limits: { keyPerSecond: 1000, keyBurst: 1000, tenantPerSecond: 1000, tenantBurst: 1000 },
      });
    });
    after(() => t.stop());

    test('a tenant user chooses English: /v1/me shows it and error titles follow it', async () => {
      const c = await registerCompany(t, `loc${database.dialect}`);
      const me = await c.owner.call('/v1/me');
      assert.equal(me.body.user.locale, null, 'follows the account by default');
      const missing = () => c.owner.call('/v1/messages/msg_01J00000000000000000000000');
      assert.equal((await missing()).body.title, '未找到', 'the account reads zh-CN');

      const set = await c.owner.call('/v1/me/locale', { method: 'PUT', body: { locale: 'en' } });
      assert.equal(set.status, 204);
      assert.equal((await c.owner.call('/v1/me')).body.user.locale, 'en');
      const r = await missing();
      assert.equal(r.status, 404);
      assert.equal(r.body.title, 'Not found');
      assert.equal(r.headers.get('content-language'), 'en');
      // The account's own language is unchanged, and so is what its keys read.
      assert.equal((await c.owner.call('/v1/account')).body.locale, 'zh-CN');
      const byKey = await t.api('/v1/messages/msg_01J00000000000000000000000', { key: c.key });
      assert.equal(byKey.body.title, '未找到');
      // Accept-Language still comes first.
      const asked = await t.api('/v1/messages/msg_01J00000000000000000000000', {
        key: c.key,
        headers: { 'accept-language': 'en' },
      });
      assert.equal(asked.body.title, 'Not found');

      // Another user of the same account keeps following the account.
      const added = await c.owner.call('/v1/users', {
        body: { email: `dev-loc@${database.dialect}.test`, name: 'Dev', role: 'developer' },
      });
      const dev = browser(t);
      await dev.call('/v1/auth/login', {
        body: { email: `dev-loc@${database.dialect}.test`, password: added.body.temporaryPassword },
      });
      await dev.call('/v1/auth/password', {
        body: { currentPassword: added.body.temporaryPassword, newPassword: GOOD_PASSWORD },
      });
      assert.equal(
        (await dev.call('/v1/messages/msg_01J00000000000000000000000')).body.title,
        '未找到',
      );

      // null: follow the account again.
      assert.equal(
        (await c.owner.call('/v1/me/locale', { method: 'PUT', body: { locale: null } })).status,
        204,
      );
      assert.equal((await c.owner.call('/v1/me')).body.user.locale, null);
      assert.equal((await missing()).body.title, '未找到');
      const audit = await c.owner.call('/v1/audit?action=user.locale_set');
      assert.equal(audit.body.data.length, 2);
    });

    test('operator staff choose theirs too', async () => {
      const admin = await operatorAdmin(t, `loc-${database.dialect}@operator.test`);
      assert.equal(
        (await admin.call('/v1/me/locale', { method: 'PUT', body: { locale: 'en' } })).status,
        204,
      );
      const r = await admin.call('/v1/admin/tenants/ten_nope/messages');
      assert.equal(r.status, 404);
      assert.equal(r.body.title, 'Not found');
      assert.equal((await admin.call('/v1/me')).body.user.locale, 'en');
    });

    test('bad input and callers who are not people are refused', async () => {
      const c = await registerCompany(t, `locbad${database.dialect}`);
      const cases: Array<[unknown, string]> = [
        [{ locale: 'fr' }, 'locale'],
        [{ locale: 'EN' }, 'locale'],
        [{}, 'locale'],
        [{ locale: 'en', theme: 'dark' }, 'theme'],
      ];
      for (const [body, field] of cases) {
        const r = await c.owner.call('/v1/me/locale', { method: 'PUT', body });
        assert.equal(r.status, 400, JSON.stringify(body));
        assert.equal(r.body.field, field);
      }
      assert.equal((await c.owner.call('/v1/me')).body.user.locale, null, 'nothing written');
      const byKey = await t.api('/v1/me/locale', {
        key: c.key,
        method: 'PUT',
        body: { locale: 'en' },
      });
      assert.equal(byKey.status, 400);
      assert.equal(byKey.body.code, 'invalid_request');
      const anonymous = await t.api('/v1/me/locale', {
        key: null,
        method: 'PUT',
        body: { locale: 'en' },
      });
      assert.equal(anonymous.status, 401);
    });
  });
}
