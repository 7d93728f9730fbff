// Compliance end to end: signatures and templates under review, content rules with the matched
// text explained, the review queue, opt-outs, consents, block list, frequency caps, marketing rules.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { databases } from './support/databases.ts';
import { startTestPlatform, waitFinal, waitFor, type TestPlatform } from './support/platform.ts';
import { operatorAdmin, registerCompany, type Browser } from './support/people.ts';

for (const database of databases) {
  describe(`compliance on ${database.dialect}`, () => {
    let t: TestPlatform;
    let admin: Browser;
    let c: Awaited<ReturnType<typeof registerCompany>>;
    const read = () => ({ ...t, api: (p: string, i?: any) => t.api(p, { ...i, key: c.key }) });
    const send = (body: object) => t.api('/v1/messages', { key: c.key, body });

    before(async () => {
      t = await startTestPlatform(database);
      admin = await operatorAdmin(t, `rules-${database.dialect}@operator.test`);
      c = await registerCompany(t, `compco-${database.dialect}`);
      await admin.call(`/v1/admin/tenants/${c.tenantId}/status`, {
        body: { status: 'active', reason: 'ok' },
      });
      await admin.call(`/v1/admin/tenants/${c.tenantId}/recharges`, {
        body: { amount: '100', reference: 'comp' },
      });
    });
    after(() => t.stop());

    test('signatures: bad ones refused; decided once; an unapproved 【signature】 is refused; China gets the default one', async () => {
      for (const text of ['【】', '【鸿【雁】】', 'x', '一二三四五六七八九十一二三四五六七']) {
        const r = await t.api('/v1/signatures', { key: c.key, body: { text } });
        assert.deepEqual([r.status, r.body.code], [422, 'invalid_signature'], text);
      }
      const s = await t.api('/v1/signatures', { key: c.key, body: { text: '【新品牌】' } });
      assert.equal(s.body.status, 'pending');
      const unapproved = await send({ to: '13800138000', text: '【新品牌】hello' });
      assert.deepEqual([unapproved.status, unapproved.body.code], [422, 'signature_not_approved']);
      assert.equal(
        (
          await admin.call(`/v1/admin/signatures/${s.body.id}/decision`, {
            body: { decision: 'rejected', reason: 'no licence' },
          })
        ).status,
        204,
      );
      const twice = await admin.call(`/v1/admin/signatures/${s.body.id}/decision`, {
        body: { decision: 'approved', reason: 'oops' },
      });
      assert.deepEqual([twice.status, twice.body.code], [409, 'already_decided']);
      const r = await send({ to: ['13800138000', '+447400123456'], text: 'hello' });
      const [cn, gb] = r.body.messages;
      assert.deepEqual(
        [cn.encoding, gb.encoding],
        ['ucs2', 'gsm7'],
        'China gets 【测试公司】hello; abroad the text as written',
      );
    });

    test('templates: rendered with validated parameters; only approved ones send', async () => {
      const bad = await t.api('/v1/templates', {
        key: c.key,
        body: { name: 'x', body: '您的验证码是${code', class: 'verification' },
      });
      assert.deepEqual([bad.status, bad.body.code], [422, 'invalid_template']);
      const tpl = await t.api('/v1/templates', {
        key: c.key,
        body: { name: 'otp', body: '您的验证码是${code}，5分钟内有效', class: 'verification' },
      });
      assert.deepEqual(tpl.body.variables, ['code']);
      const early = await send({
        to: '13800138001',
        templateId: tpl.body.id,
        params: { code: '123456' },
      });
      assert.deepEqual([early.status, early.body.code], [422, 'template_not_approved']);
      await admin.call(`/v1/admin/templates/${tpl.body.id}/decision`, {
        body: { decision: 'approved', reason: 'ok' },
      });
      for (const [params, field] of [
        [{}, 'params.code'],
        [{ code: '12ab' }, 'params.code'],
        [{ code: '123456', extra: 'x' }, 'params.extra'],
      ] as const) {
        const r = await send({ to: '13800138001', templateId: tpl.body.id, params });
        assert.deepEqual(
          [r.status, r.body.code, r.body.field],
          [422, 'template_params_invalid', field],
        );
      }
      const ok = await send({
        to: '13800138001',
        templateId: tpl.body.id,
        params: { code: '654321' },
      });
      assert.equal(ok.status, 202);
      const done = await waitFinal(read(), ok.body.messages[0].id);
      assert.equal(done.class, 'verification');
      assert.equal(done.parts, 1);
    });

    test('content rules: a reject term refuses with the rule and the matched text, even disguised', async () => {
      const r = await send({ to: '13800138002', text: '周末来玩 赌 * 博，稳赚' });
      assert.deepEqual([r.status, r.body.code], [422, 'content_blocked']);
      assert.equal(r.body.category, 'gambling');
      assert.equal(r.body.matched, '赌 * 博');
      assert.ok(r.body.rule);
      const bad = await admin.call('/v1/admin/content-rules', {
        method: 'PUT',
        body: { rules: [{ id: 'x1', term: '  ', category: 'fraud', action: 'reject' }] },
      });
      assert.equal(bad.status, 400);
      assert.equal(bad.body.field, 'rules[0].term');
      assert.ok(
        (await admin.call('/v1/admin/content-rules')).body.data.length > 50,
        'the sample list was not replaced',
      );
    });

    test('review: a held batch waits, approval sends it; rejection fails it and releases the hold', async () => {
      const rules = (await admin.call('/v1/admin/content-rules')).body.data;
      await admin.call('/v1/admin/content-rules', {
        method: 'PUT',
        body: {
          rules: [
            ...rules,
            { id: 'cr_test_review', term: '限时抢购', category: 'other_illegal', action: 'review' },
          ],
        },
      });
      const held = await send({
        to: ['13800138003', '13800138004'],
        text: '限时抢购，今晚截止',
        class: 'notification',
      });
      assert.equal(held.status, 202);
      assert.deepEqual(
        held.body.messages.map((m: any) => m.status),
        ['held', 'held'],
      );
      const view = (await t.api(`/v1/messages/${held.body.messages[0].id}`, { key: c.key })).body;
      assert.deepEqual(
        [view.status, view.compliance.rule, view.compliance.matched],
        ['held', 'cr_test_review', '限时抢购'],
      );
      const queue = (await admin.call('/v1/admin/reviews')).body.data;
      const item = queue.find((q: any) => q.batchId === held.body.batchId);
      assert.equal(item.messages, 2);
      assert.equal(
        (
          await admin.call(`/v1/admin/reviews/${item.id}/decision`, {
            body: { decision: 'approved', reason: 'legit sale' },
          })
        ).status,
        200,
      );
      for (const m of held.body.messages)
        assert.equal((await waitFinal(read(), m.id)).status, 'delivered');
      const again = await admin.call(`/v1/admin/reviews/${item.id}/decision`, {
        body: { decision: 'rejected', reason: 'late' },
      });
      assert.deepEqual([again.status, again.body.code], [409, 'already_decided']);

      const before = (await t.api('/v1/balance', { key: c.key })).body.available.amount;
      const second = await send({ to: '13800138005', text: '限时抢购，最后一天' });
      const item2 = (await admin.call('/v1/admin/reviews')).body.data.find(
        (q: any) => q.batchId === second.body.batchId,
      );
      await admin.call(`/v1/admin/reviews/${item2.id}/decision`, {
        body: { decision: 'rejected', reason: 'misleading' },
      });
      const failed = await waitFinal(read(), second.body.messages[0].id);
      assert.deepEqual(
        [failed.status, failed.error.code, failed.charged.amount],
        ['failed', 'content_rejected', '0.0000'],
      );
      await waitFor(
        async () => (await t.api('/v1/balance', { key: c.key })).body.available.amount === before,
        5000,
        'the hold released',
      );
      const expiring = await send({ to: '13800138006', text: '限时抢购！' });
      assert.equal(await t.platform.jobs.expireReviews(Date.now() + 25 * 3600_000), 1);
      assert.equal(
        (await waitFinal(read(), expiring.body.messages[0].id)).error.code,
        'content_rejected',
      );
    });

    test('opt-outs, consents and the block list; verification codes still reach opted-out numbers', async () => {
      assert.equal(
        (await t.api('/v1/opt-outs', { key: c.key, body: { numbers: ['13900139001'] } })).status,
        201,
      );
      await admin.call('/v1/admin/block-list', {
        body: { number: '13900139002', reason: 'complaint to MIIT' },
      });
      const r = await send({ to: ['13900139001', '13900139002', '13900139003'], text: 'news' });
      assert.deepEqual(
        r.body.rejected.map((x: any) => [x.to, x.code]),
        [
          ['+8613900139001', 'recipient_opted_out'],
          ['+8613900139002', 'recipient_blocked'],
        ],
      );
      assert.equal(r.body.messages.length, 1);
      const otp = await send({ to: '13900139001', text: '验证码 1234', class: 'verification' });
      assert.equal(otp.status, 202);
      const noConsent = await t.api('/v1/opt-outs/13900139001', { key: c.key, method: 'DELETE' });
      assert.equal(noConsent.status, 409);
      await t.api('/v1/consents', {
        key: c.key,
        body: { numbers: ['13900139001'], evidence: 'signed up again at the shop, 2026-11-25' },
      });
      assert.equal(
        (await t.api('/v1/opt-outs/13900139001', { key: c.key, method: 'DELETE' })).status,
        204,
      );
      const csv = await fetch(`${t.url}/v1/opt-outs?format=csv`, {
        headers: { authorization: `Bearer ${c.key}` },
      });
      assert.match(await csv.text(), /^number,source,created_at\n/);
    });

    test('a TD reply opts the sender out of the tenant it answers, with one confirmation', async () => {
      const first = await send({ to: '13500135001', text: '会员日活动' });
      await waitFinal(read(), first.body.messages[0].id);
      const confirmations = async () =>
        (
          await t.platform.store.db
            .selectFrom('messages')
            .select('id')
            .where('tenant_id', '=', 'ten_operator')
            .where('to', '=', '+8613500135001')
            .execute()
        ).length;
      assert.equal(
        t.platform.simulator!.injectInbound({ from: '8613500135001', to: '106900', text: ' td ' }),
        1,
      );
      await waitFor(
        async () =>
          (await t.api('/v1/opt-outs', { key: c.key })).body.data.some(
            (o: any) => o.number === '+8613500135001' && o.source === 'reply',
          ),
        5000,
        'the opt-out',
      );
      await waitFor(async () => (await confirmations()) === 1, 5000, 'the confirmation');
      t.platform.simulator!.injectInbound({ from: '8613500135001', to: '106900', text: '退订' });
      await new Promise((r) => setTimeout(r, 300));
      assert.equal(await confirmations(), 1, 'one confirmation only');
      const refused = await send({ to: '13500135001', text: '会员日活动' });
      assert.equal(refused.body.code, 'recipient_opted_out');
    });

    test('lists as CSV in and out; the operator sets free-text classes and frequency caps per tenant', async () => {
      const csvPost = (path: string, body: string) =>
        fetch(`${t.url}${path}`, {
          method: 'POST',
          headers: { authorization: `Bearer ${c.key}`, 'content-type': 'text/csv' },
          body,
        });
      const imported = await csvPost(
        '/v1/opt-outs',
        '\ufeffnumber\n13300133001\n+86 133-0013-3002\n',
      );
      assert.deepEqual(
        [imported.status, ((await imported.json()) as { added: number }).added],
        [201, 2],
      );
      const badCsv = await csvPost('/v1/opt-outs', 'number\nnot-a-number\n');
      assert.equal(badCsv.status, 422);
      const consents = await csvPost(
        '/v1/consents',
        'number,evidence\n13300133001,web form 2026-11-20\n13300133003,paper form\n',
      );
      assert.equal(consents.status, 201);
      const noEvidence = await csvPost('/v1/consents', '13300133004\n');
      assert.equal(noEvidence.status, 400);
      const out = await fetch(`${t.url}/v1/consents?format=csv`, {
        headers: { authorization: `Bearer ${c.key}` },
      });
      const text = Buffer.from(await out.arrayBuffer()).toString('utf8');
      assert.match(text, /\+8613300133001,web form 2026-11-20,/);

      assert.equal(
        (
          await admin.call(`/v1/admin/tenants/${c.tenantId}/compliance`, {
            method: 'PUT',
            body: {
              freeTextClasses: ['verification', 'notification'],
              frequencyCaps: {
                verification: { perMinute: 2, perHour: 5, perDay: 10, sameTextMinutes: 0 },
              },
            },
          })
        ).status,
        204,
      );
      const mk = await send({ to: '13300133009', text: '大促', class: 'marketing' });
      assert.deepEqual([mk.status, mk.body.code], [422, 'free_text_not_allowed']);
      assert.equal(
        (await send({ to: '13300133010', text: '验证码 1', class: 'verification' })).status,
        202,
      );
      assert.equal(
        (await send({ to: '13300133010', text: '验证码 2', class: 'verification' })).status,
        202,
        'two a minute allowed now',
      );
      const third = await send({ to: '13300133010', text: '验证码 3', class: 'verification' });
      assert.equal(third.body.code, 'frequency_limited');
      await admin.call(`/v1/admin/tenants/${c.tenantId}/compliance`, {
        method: 'PUT',
        body: {
          freeTextClasses: ['verification', 'notification', 'marketing'],
          frequencyCaps: null,
        },
      });
    });

    test('frequency caps: a second verification code to one number within a minute is refused', async () => {
      assert.equal(
        (await send({ to: '13700137001', text: '验证码 1111', class: 'verification' })).status,
        202,
      );
      const second = await send({
        to: ['13700137001', '13700137002'],
        text: '验证码 2222',
        class: 'verification',
      });
      assert.deepEqual(
        second.body.rejected.map((x: any) => [x.to, x.code]),
        [['+8613700137001', 'frequency_limited']],
      );
      assert.match(second.body.rejected[0].detail, /per minute/);
    });

    test('marketing: the opt-out hint is appended and counted', async () => {
      const r = await send({ to: '13600136001', text: '新品上市', class: 'marketing' });
      const m = await waitFinal(read(), r.body.messages[0].id);
      const texts = await t.platform.store.db
        .selectFrom('messages')
        .select(['parts_count'])
        .where('id', '=', m.id)
        .executeTakeFirstOrThrow();
      assert.equal(Number(texts.parts_count), 1);
      const ops = await t.api('/v1/messages?batchId=' + r.body.batchId, { key: c.key });
      assert.equal(ops.body.data[0].class, 'marketing');
    });
  });
}

describe('marketing outside the sending hours', () => {
  let t: TestPlatform;
  before(async () => {
    // A window that is closed right now: it opens an hour from now, China time.
    const minute = Math.floor(((Date.now() + 8 * 3600_000) % (24 * 3600_000)) / 60_000);
    t = await startTestPlatform(databases[0]!, {
      compliance: {
        sendingWindow: {
          utcOffsetMinutes: 480,
          startMinute: (minute + 60) % 1440,
          endMinute: (minute + 120) % 1440,
        },
      },
    });
  });
  after(() => t.stop());

  test('waits queued until the window opens; other classes go now', async () => {
    const mk = await t.api('/v1/messages', {
      body: { to: '13800138000', text: '周末特价', class: 'marketing' },
    });
    const note = await t.api('/v1/messages', {
      body: { to: '13800138001', text: '您的订单已发货' },
    });
    assert.equal((await waitFinal(t, note.body.messages[0].id)).status, 'delivered');
    const row = await t.platform.store.db
      .selectFrom('messages')
      .select(['status', 'next_attempt_at', 'created_at'])
      .where('id', '=', mk.body.messages[0].id)
      .executeTakeFirstOrThrow();
    assert.equal(row.status, 'queued');
    assert.ok(
      Number(row.next_attempt_at) > Date.now() + 50 * 60_000,
      'not before the window opens',
    );
  });
});
