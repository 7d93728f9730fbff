// Text that cannot be sent (issue 11 item 3): a lone UTF-16 surrogate or NUL in a message, a
// template body or a template parameter is refused over HTTP with 422 `invalid_text`, and nothing
// is written or charged. Before the check, a lone surrogate passed validation and the body cipher
// threw at insert time: an HTTP 500. (SMPP and CMPP: test/smpp-server.test.ts, test/cmpp-server.test.ts.)
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { databases } from './support/databases.ts';
import { startTestPlatform, waitFinal, type TestPlatform } from './support/platform.ts';
import { operatorAdmin, registerCompany, type Browser } from './support/people.ts';

const HIGH = '\uD83D'; // the first half of 😀
const LOW = '\uDE00'; // its second half

for (const database of databases) {
  describe(`text validation on ${database.dialect}`, () => {
    let t: TestPlatform;
    let admin: Browser;
    let c: Awaited<ReturnType<typeof registerCompany>>;
    const send = (body: object) => t.api('/v1/messages', { key: c.key, body });
    const balance = async () => (await t.api('/v1/balance', { key: c.key })).body;
    const count = async (table: 'messages' | 'ledger_entries' | 'templates') =>
      Number(
        (
          await t.platform.store.db
            .selectFrom(table)
            .select(sql<number>`count(*)`.as('n'))
            .where('tenant_id', '=', c.tenantId)
            .executeTakeFirstOrThrow()
        ).n,
      );
    /** What a refusal must leave behind: nothing. */
    const unchanged = async () => ({
      messages: await count('messages'),
      ledger: await count('ledger_entries'),
      balance: await balance(),
    });

    before(async () => {
      t = await startTestPlatform(database);
      admin = await operatorAdmin(t, `text-${database.dialect}@operator.test`);
      c = await registerCompany(t, `textco-${database.dialect}`);
      await admin.call(`/v1/admin/tenants/${c.tenantId}/status`, {
        body: { status: 'active', reason: 'ok' },
      });
      await admin.call(`/v1/admin/tenants/${c.tenantId}/recharges`, {
        body: { amount: '100', reference: 'text-opening' },
      });
    });
    after(() => t.stop());

    test('POST /v1/messages: a lone surrogate or NUL is 422 invalid_text; nothing written or charged', async () => {
      const was = await unchanged();
      const cases: Array<[string, unknown, string, number]> = [
        ['a lone high surrogate', `Your code is 1234 ${HIGH}`, 'lone_surrogate', 18],
        ['a lone low surrogate', `${LOW}hello`, 'lone_surrogate', 0],
        ['a reversed pair', `验证码${LOW}${HIGH}`, 'lone_surrogate', 3],
        ['NUL', 'hello\u0000', 'nul', 5],
      ];
      for (const [what, text, problem, index] of cases) {
        for (const to of ['+447400123456', ['13800138000', '+447400123457']]) {
          const r = await send({ to, text });
          assert.equal(r.status, 422, `${what}: ${JSON.stringify(r.body)}`);
          assert.equal(r.headers.get('content-type'), 'application/problem+json; charset=utf-8');
          assert.deepEqual(
            [r.body.code, r.body.field, r.body.problem, r.body.index],
            ['invalid_text', 'text', problem, index],
            what,
          );
          assert.equal(r.body.status, 422);
          assert.ok(r.body.title);
        }
      }
      // The same request with an Idempotency-Key is refused the same way and stores no answer.
      const key = `text-${database.dialect}`;
      for (let i = 0; i < 2; i++) {
        const r = await t.api('/v1/messages', {
          key: c.key,
          body: { to: '+447400123456', text: `x${HIGH}` },
          headers: { 'Idempotency-Key': key },
        });
        assert.deepEqual([r.status, r.body.code], [422, 'invalid_text']);
      }
      assert.deepEqual(await unchanged(), was, 'no message, no ledger entry, the same balance');

      // A whole emoji (a well-formed pair) is fine.
      const ok = await send({ to: '+447400123456', text: 'ok 😀' });
      assert.equal(ok.status, 202, JSON.stringify(ok.body));
      assert.equal(ok.body.messages[0].encoding, 'ucs2');
      await waitFinal(
        { ...t, api: (p, i) => t.api(p, { ...i, key: c.key }) },
        ok.body.messages[0].id,
      );
    });

    test('templates: a body with a lone surrogate or NUL is 422 invalid_text; a parameter with one too', async () => {
      const templates = await count('templates');
      for (const body of [`您好${HIGH}，\${name}`, `\${name}${LOW}`, '验证码${code}\u0000']) {
        const r = await t.api('/v1/templates', {
          key: c.key,
          body: { name: 'bad', body, class: 'notification' },
        });
        assert.deepEqual(
          [r.status, r.body.code, r.body.field],
          [422, 'invalid_text', 'body'],
          JSON.stringify(body),
        );
      }
      assert.equal(await count('templates'), templates, 'no template stored');

      const tpl = await t.api('/v1/templates', {
        key: c.key,
        body: { name: 'ship', body: '您的订单${order}已发货', class: 'notification' },
      });
      assert.equal(tpl.status, 201, JSON.stringify(tpl.body));
      await admin.call(`/v1/admin/templates/${tpl.body.id}/decision`, {
        body: { decision: 'approved', reason: 'ok' },
      });
      const was = await unchanged();
      for (const [order, problem] of [
        [`A1${HIGH}`, 'lone_surrogate'],
        [`${LOW}`, 'lone_surrogate'],
        ['A1\u0000', 'nul'],
      ] as const) {
        const r = await send({ to: '13800138000', templateId: tpl.body.id, params: { order } });
        assert.deepEqual(
          [r.status, r.body.code, r.body.field, r.body.problem],
          [422, 'invalid_text', 'params.order', problem],
          JSON.stringify(order),
        );
      }
      assert.deepEqual(await unchanged(), was, 'no message, no ledger entry, the same balance');
      const ok = await send({
        to: '13800138000',
        templateId: tpl.body.id,
        params: { order: 'A1😀' },
      });
      assert.equal(ok.status, 202, JSON.stringify(ok.body));
    });
  });
}
