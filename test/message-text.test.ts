// A tenant reads what it sent: the text as the recipient got it (signature and opt-out hint
// included), decrypted on read, only with ?include=text, only with a key or role that may read
// messages, each read in the audit log; another tenant's message stays a 404.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { databases } from './support/databases.ts';
import { startTestPlatform, waitFor, type TestPlatform } from './support/platform.ts';
import { operatorAdmin, registerCompany } from './support/people.ts';
import type { SubmitEvent } from '../src/simulator/smsc.ts';

const KEYS = `k1:${randomBytes(32).toString('base64')}`;

/** The text of a one-part submit_sm, by its data_coding (8 = UCS-2, big-endian). */
function submittedText(e: SubmitEvent): string {
  const body = e.shortMessage.subarray(e.udh?.length ?? 0);
  if (e.dataCoding !== 8) return e.text ?? '';
  return Buffer.from(body).swap16().toString('utf16le');
}

for (const database of databases) {
  describe(`message text for the tenant on ${database.dialect}`, () => {
    let t: TestPlatform;
    const submits: SubmitEvent[] = [];
    before(async () => {
      t = await startTestPlatform(database, { security: { encryptionKeys: KEYS } });
      t.platform.simulator!.on('submit', (e) => submits.push(e));
    });
    after(() => t.stop());

    test('the text as sent, audited; list opt-in; 404 for another tenant; scopes', async () => {
      const admin = await operatorAdmin(t, `text-${database.dialect}@operator.test`);
      const a = await registerCompany(t, `textco-${database.dialect}`);
      const b = await registerCompany(t, `otherco-${database.dialect}`);
      for (const c of [a, b]) {
        await admin.call(`/v1/admin/tenants/${c.tenantId}/status`, {
          body: { status: 'active', reason: 'ok' },
        });
        await admin.call(`/v1/admin/tenants/${c.tenantId}/recharges`, {
          body: { amount: '10', reference: `text-${c.tenantId}` },
        });
      }
      const asA = (path: string, init: Parameters<TestPlatform['api']>[1] = {}) =>
        t.api(path, { ...init, key: a.key });

      // Marketing to China: the default signature goes in front, the opt-out hint at the end.
      const sent = await asA('/v1/messages', {
        body: { to: '13800138123', text: '周末大促，全场八折', class: 'marketing' },
      });
      assert.equal(sent.status, 202, JSON.stringify(sent.body));
      const id: string = sent.body.messages[0].id;
      await waitFor(
        () => submits.some((e) => e.destinationAddr.endsWith('13800138123')),
        10_000,
        'the carrier to get the message',
      );
      const atCarrier = submittedText(
        submits.find((e) => e.destinationAddr.endsWith('13800138123'))!,
      );
      assert.equal(atCarrier, '【测试公司】周末大促，全场八折，拒收请回复R');

      // Sealed at rest: the row does not hold the text.
      const row = await t.platform.store.db
        .selectFrom('messages')
        .select(['text', 'text_key_id'])
        .where('id', '=', id)
        .executeTakeFirstOrThrow();
      assert.equal(row.text_key_id, 'k1');
      assert.ok(!row.text.includes('周末大促'));

      // The tenant's own audit log, as its owner reads it.
      const readTexts = async (c: typeof a) =>
        (await c.owner.call('/v1/audit?action=messages.read_text')).body.data as any[];

      // Without asking: no text, and nothing read, so nothing audited.
      const plain = await asA(`/v1/messages/${id}`);
      assert.equal(plain.status, 200);
      assert.equal('text' in plain.body, false);
      assert.deepEqual(await readTexts(a), []);

      const detail = await asA(`/v1/messages/${id}?include=text`);
      assert.equal(detail.status, 200);
      assert.equal(detail.body.text, atCarrier, 'the text exactly as the recipient got it');
      const [read] = await readTexts(a);
      assert.deepEqual(
        [read.actorType, read.actorId, read.targetType, read.targetId, read.tenantId],
        ['api_key', a.keyId, 'message', id, a.tenantId],
      );

      // The list: text only when asked for; one audit row names the page read.
      const listed = await asA(`/v1/messages?batchId=${sent.body.batchId}`);
      assert.equal('text' in listed.body.data[0], false);
      assert.equal((await readTexts(a)).length, 1);
      const withText = await asA(`/v1/messages?batchId=${sent.body.batchId}&include=text`);
      assert.equal(withText.status, 200);
      assert.deepEqual(
        withText.body.data.map((m: any) => [m.id, m.text]),
        [[id, atCarrier]],
      );
      const [pageRead] = await readTexts(a);
      assert.equal(pageRead.targetId, undefined);
      assert.deepEqual(pageRead.details, {
        count: 1,
        first: id,
        last: id,
        filter: { batchId: sent.body.batchId },
      });

      // A person with a role that reads messages, through the console's session.
      const bySession = await a.owner.call(`/v1/messages/${id}?include=text`);
      assert.equal(bySession.body.text, atCarrier);
      assert.equal((await readTexts(a))[0].actorType, 'user');

      // Another tenant: 404 with or without text, and nothing recorded anywhere.
      const before404 = (await readTexts(a)).length;
      for (const path of [`/v1/messages/${id}?include=text`, `/v1/messages/${id}`]) {
        const other = await t.api(path, { key: b.key });
        assert.equal(other.status, 404);
        assert.equal(other.body.code, 'not_found');
        assert.equal(JSON.stringify(other.body).includes('周末'), false);
      }
      assert.equal(
        (await t.api(`/v1/messages?include=text&batchId=${sent.body.batchId}`, { key: b.key })).body
          .data.length,
        0,
      );
      assert.equal((await readTexts(a)).length, before404);
      assert.deepEqual(await readTexts(b), []);

      // A key without the read scope may not read messages, text or not.
      const sendOnly = await a.owner.call('/v1/api-keys', {
        body: { name: 'sender', scopes: ['send'] },
      });
      assert.equal(sendOnly.status, 201);
      for (const path of [`/v1/messages/${id}?include=text`, `/v1/messages?include=text`]) {
        const refused = await t.api(path, { key: sendOnly.body.key });
        assert.equal(refused.status, 403, path);
        assert.equal(refused.body.code, 'forbidden');
        assert.equal(JSON.stringify(refused.body).includes('周末'), false);
      }
      assert.equal((await readTexts(a)).length, before404);

      // Only "text" can be included.
      const bad = await asA(`/v1/messages/${id}?include=body`);
      assert.equal(bad.status, 400);
      assert.equal(bad.body.code, 'invalid_request');
    });

    test('problems speak the caller’s language: Accept-Language, else the tenant’s, else zh-CN', async () => {
      const c = await registerCompany(t, `langco-${database.dialect}`);
      const missing = '/v1/messages/msg_01JZZZZZZZZZZZZZZZZZZZZZZZ';
      const ask = async (key: string | null, headers: Record<string, string> = {}) => {
        const r = await t.api(missing, { key, headers });
        return [
          r.status,
          r.body.code,
          r.body.title,
          r.body.detail,
          r.headers.get('content-language'),
        ];
      };
      const zhNotFound = [404, 'not_found', '未找到', `没有消息 ${missing.slice(13)}`, 'zh-CN'];
      const enNotFound = [404, 'not_found', 'Not found', `no message ${missing.slice(13)}`, 'en'];
      assert.deepEqual(await ask(c.key), zhNotFound, 'a default tenant, no header');
      assert.deepEqual(await ask(c.key, { 'accept-language': 'en' }), enNotFound);
      assert.deepEqual(await ask(c.key, { 'accept-language': 'en-US,en;q=0.9' }), enNotFound);
      assert.deepEqual(await ask(c.key, { 'accept-language': 'fr' }), zhNotFound);

      // No tenant known yet (a bad key): the header, else zh-CN.
      const noKey = await t.api(missing, { key: 'hy_live_nope' });
      assert.deepEqual([noKey.status, noKey.body.title], [401, '缺少 API 密钥或密钥无效']);
      const noKeyEn = await t.api(missing, {
        key: 'hy_live_nope',
        headers: { 'accept-language': 'en' },
      });
      assert.deepEqual([noKeyEn.status, noKeyEn.body.title], [401, 'Missing or invalid API key']);

      // A tenant that reads English: English without a header, Chinese when a request asks for it.
      await c.owner.call('/v1/account/locale', { method: 'PUT', body: { locale: 'en' } });
      assert.deepEqual(await ask(c.key), enNotFound);
      assert.deepEqual(await ask(c.key, { 'accept-language': 'zh-CN,zh;q=0.9' }), zhNotFound);

      // Errors the HTTP layer writes itself, too.
      const badJson = await t.api('/v1/messages', {
        key: c.key,
        rawBody: '{"to":',
        headers: { 'accept-language': 'zh' },
      });
      assert.deepEqual(
        [badJson.status, badJson.body.code, badJson.body.title, badJson.body.detail],
        [400, 'invalid_json', 'JSON 格式错误', '请求体不是有效的 JSON'],
      );
      const badLimit = await t.api('/v1/messages?limit=0', { key: c.key });
      assert.deepEqual(
        [badLimit.status, badLimit.body.title, badLimit.body.detail, badLimit.body.field],
        [400, 'Invalid request', 'limit must be 1-1000', 'limit'],
      );
    });
  });
}
