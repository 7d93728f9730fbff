// End to end over real sockets: HTTP in, SMPP to the simulator, receipts back, on both databases.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { databases } from './support/databases.ts';
import { startTestPlatform, waitFinal, waitFor, type TestPlatform } from './support/platform.ts';
import { TenantStore } from '../src/store/tenants.ts';
import type { SubmitEvent } from '../src/simulator/smsc.ts';

for (const database of databases) {
  describe(`message pipeline on ${database.dialect}`, () => {
    let t: TestPlatform;
    const submits: SubmitEvent[] = [];

    before(async () => {
      t = await startTestPlatform(database);
      t.platform.simulator!.on('submit', (e) => submits.push(e));
    });
    after(() => t.stop());

    const countMessages = async () => {
      const rows = await t.platform.store.db
        .selectFrom('messages')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow();
      return Number(rows.n);
    };

    test('health reports every part up', async () => {
      const r = await t.api('/health', { key: null });
      assert.equal(r.status, 200);
      assert.equal(r.body.status, 'ok');
      assert.equal(r.body.parts['channel:sim'], 'bound');
    });

    test('one message: accepted, submitted over SMPP, delivered by receipt', async () => {
      const r = await t.api('/v1/messages', {
        body: { to: '+44 7400 123456', text: 'Your code is 123456', clientRef: 'order-1' },
      });
      assert.equal(r.status, 202);
      assert.equal(r.body.messages.length, 1);
      const m = r.body.messages[0];
      assert.deepEqual(
        { to: m.to, status: m.status, parts: m.parts, encoding: m.encoding },
        { to: '+447400123456', status: 'queued', parts: 1, encoding: 'gsm7' },
      );
      assert.match(m.id, /^msg_[0-9A-Z]{26}$/);
      const done = await waitFinal(t, m.id);
      assert.equal(done.status, 'delivered');
      assert.equal(done.clientRef, 'order-1');
      assert.equal(done.channel, 'sim');
      assert.equal(done.partDetails.length, 1);
      assert.equal(done.partDetails[0].stat, 'DELIVRD');
      const sent = submits.find((s) => s.destinationAddr === '447400123456');
      assert.ok(sent, 'the simulator received the submit_sm');
      assert.equal(sent.dataCoding, 0);
      assert.equal(sent.text, 'Your code is 123456');
      assert.equal(done.partDetails[0].carrierId, sent.messageId!.toLowerCase().replace(/^0+/, ''));
    });

    test('a batch: each recipient gets its own outcome; invalid numbers are rejected, the rest go', async () => {
      const r = await t.api('/v1/messages', {
        body: {
          to: [
            '13900139001',
            '13900130000',
            '13900130001',
            '13900130002',
            '13900130003',
            'not-a-number',
            '+86139001',
          ],
          text: '【鸿雁】您的验证码是 654321，5分钟内有效。',
        },
      });
      assert.equal(r.status, 202);
      assert.deepEqual(
        r.body.rejected.map((x: any) => [x.to, x.code]),
        [
          ['not-a-number', 'invalid_number'],
          ['+86139001', 'invalid_number'],
        ],
      );
      assert.equal(r.body.messages.length, 5);
      for (const m of r.body.messages) assert.equal(m.encoding, 'ucs2');
      const outcome = new Map<string, any>();
      for (const m of r.body.messages) outcome.set(m.to, await waitFinal(t, m.id));
      assert.equal(outcome.get('+8613900139001').status, 'delivered');
      assert.equal(outcome.get('+8613900130000').status, 'undelivered');
      assert.deepEqual(outcome.get('+8613900130000').error, {
        code: 'UNDELIV',
        detail: 'err:001',
        category: 'invalid_number',
      });
      assert.equal(outcome.get('+8613900130001').status, 'failed');
      assert.equal(outcome.get('+8613900130001').error.code, 'ESME_RSUBMITFAIL');
      assert.equal(outcome.get('+8613900130001').error.category, 'carrier');
      assert.equal(outcome.get('+8613900130001').partDetails[0].commandStatus, 0x45);
      assert.equal(outcome.get('+8613900130002').status, 'expired');
      assert.equal(outcome.get('+8613900130003').status, 'rejected');
    });

    test('a long message goes as concatenated parts with one reference and is delivered when all parts are', async () => {
      const text = 'Hongyan ' + 'x'.repeat(300) + ' €';
      // Outside China no signature is added, so the text stays GSM-7.
      const r = await t.api('/v1/messages', { body: { to: '+447400123457', text } });
      assert.equal(r.status, 202);
      const m = r.body.messages[0];
      assert.equal(m.parts, 3);
      const done = await waitFinal(t, m.id);
      assert.equal(done.status, 'delivered');
      assert.deepEqual(
        done.partDetails.map((p: any) => p.status),
        ['delivered', 'delivered', 'delivered'],
      );
      const parts = submits.filter((s) => s.destinationAddr === '447400123457');
      assert.equal(parts.length, 3);
      const refs = new Set(parts.map((p) => p.udh![3]));
      assert.equal(refs.size, 1, 'one concatenation reference');
      assert.deepEqual(parts.map((p) => [p.esmClass & 0x40, p.udh![4], p.udh![5]]).sort(), [
        [0x40, 3, 1],
        [0x40, 3, 2],
        [0x40, 3, 3],
      ]);
      assert.equal(
        parts.map((p) => p.shortMessage.length - 6).reduce((a, b) => a + b),
        8 + 300 + 1 + 2,
      );
    });

    test('Idempotency-Key: a retried POST returns the first answer and creates nothing', async () => {
      const body = { to: ['13600136001', '13600136002'], text: 'idempotent hello' };
      const headers = { 'idempotency-key': `k-${database.dialect}-1` };
      const first = await t.api('/v1/messages', { body, headers });
      const before = await countMessages();
      const again = await t.api('/v1/messages', { body, headers });
      assert.equal(again.status, 202);
      assert.deepEqual(again.body, first.body);
      assert.equal(again.headers.get('idempotent-replayed'), 'true');
      assert.equal(await countMessages(), before);
      const conflict = await t.api('/v1/messages', {
        body: { ...body, text: 'different' },
        headers,
      });
      assert.equal(conflict.status, 409);
      assert.equal(conflict.body.code, 'idempotency_key_reused');
      assert.equal(await countMessages(), before);
    });

    test('bad input gets a clear problem and writes nothing', async () => {
      const before = await countMessages();
      const cases: Array<[string, Parameters<TestPlatform['api']>[1], number, string]> = [
        ['no key', { body: { to: '13800138000', text: 'x' }, key: null }, 401, 'unauthorized'],
        [
          'unknown key',
          { body: { to: '13800138000', text: 'x' }, key: 'hy_live_nope' },
          401,
          'unauthorized',
        ],
        ['malformed JSON', { rawBody: '{"to": "13800138000", "text": ' }, 400, 'invalid_json'],
        ['missing text', { body: { to: '13800138000' } }, 422, 'missing_text'],
        ['empty text', { body: { to: '13800138000', text: '   ' } }, 422, 'empty_text'],
        [
          'text above 10 parts',
          { body: { to: '13800138000', text: '字'.repeat(67 * 10 + 1) } },
          422,
          'text_too_long',
        ],
        [
          'more than 10,000 recipients',
          {
            body: {
              to: Array.from({ length: 10_001 }, (_, i) => `+86138${String(i).padStart(8, '0')}`),
              text: 'x',
            },
          },
          413,
          'too_many_recipients',
        ],
        ['no recipients', { body: { to: [], text: 'x' } }, 422, 'no_recipients'],
        ['only invalid numbers', { body: { to: ['12', 'abc'], text: 'x' } }, 422, 'invalid_number'],
        ['unknown field', { body: { to: '13800138000', txt: 'x' } }, 400, 'invalid_request'],
        [
          'text of the wrong type',
          { body: { to: '13800138000', text: 42 } },
          400,
          'invalid_request',
        ],
        [
          'numbers of the wrong type',
          { body: { to: [13800138000], text: 'x' } },
          400,
          'invalid_request',
        ],
      ];
      for (const [name, init, status, code] of cases) {
        const r = await t.api('/v1/messages', init);
        assert.equal(r.status, status, name);
        assert.equal(
          r.headers.get('content-type'),
          'application/problem+json; charset=utf-8',
          name,
        );
        assert.equal(r.body.code, code, name);
        assert.equal(typeof r.body.detail, 'string', name);
        assert.equal(r.body.stack, undefined, name);
      }
      const tooLong = await t.api('/v1/messages', {
        body: { to: '13800138000', text: '字'.repeat(700) },
      });
      assert.equal(tooLong.body.parts, 11);
      assert.equal(tooLong.body.maxParts, 10);
      assert.equal(await countMessages(), before, 'nothing was written');
    });

    test('a revoked key is refused', async () => {
      const tenants = new TenantStore(t.platform.store.db);
      const { key, record } = await tenants.createApiKey(t.platform.demo!.tenantId, 'temp');
      assert.equal((await t.api('/v1/messages?limit=1', { key })).status, 200);
      assert.ok(await tenants.revokeApiKey(t.platform.demo!.tenantId, record.id));
      const r = await t.api('/v1/messages?limit=1', { key });
      assert.equal(r.status, 401);
      assert.equal(r.body.code, 'unauthorized');
    });

    test('listing: filters, cursor pagination, and another tenant sees nothing', async () => {
      const r = await t.api('/v1/messages', {
        body: {
          to: ['13500135001', '13500135002', '13500135003'],
          text: 'page me',
          clientRef: 'list-test',
        },
      });
      for (const m of r.body.messages) await waitFinal(t, m.id);
      const page1 = await t.api('/v1/messages?clientRef=list-test&limit=2');
      assert.equal(page1.status, 200);
      assert.equal(page1.body.data.length, 2);
      assert.ok(page1.body.nextCursor);
      const page2 = await t.api(
        `/v1/messages?clientRef=list-test&limit=2&after=${page1.body.nextCursor}`,
      );
      assert.equal(page2.body.data.length, 1);
      const ids = [...page1.body.data, ...page2.body.data].map((m: any) => m.id).sort();
      assert.deepEqual(ids, r.body.messages.map((m: any) => m.id).sort());
      const byTo = await t.api('/v1/messages?to=135-0013-5002');
      assert.deepEqual(
        byTo.body.data.map((m: any) => m.to),
        ['+8613500135002'],
      );
      const delivered = await t.api(`/v1/messages?status=delivered&batchId=${r.body.batchId}`);
      assert.equal(delivered.body.data.length, 3);
      assert.equal((await t.api('/v1/messages?status=sent')).status, 400);
      assert.equal((await t.api('/v1/messages?createdAfter=yesterday')).status, 400);

      const tenants = new TenantStore(t.platform.store.db);
      const other = await tenants.create({ name: `other-${database.dialect}` });
      const { key } = await tenants.createApiKey(other.id, 'k');
      const theirs = await t.api(`/v1/messages/${r.body.messages[0].id}`, { key });
      assert.equal(theirs.status, 404);
      assert.equal(theirs.body.code, 'not_found');
      assert.deepEqual((await t.api('/v1/messages', { key })).body.data, []);
      assert.equal((await t.api('/v1/messages/msg_nope')).status, 404);
    });

    test('an inbound message from the carrier is stored', async () => {
      const sent = t.platform.simulator!.injectInbound({
        from: '8613800138000',
        to: '106900',
        text: 'TD 退订',
      });
      assert.equal(sent, 1);
      await waitFor(
        async () => {
          const row = await t.platform.store.db
            .selectFrom('inbound_messages')
            .selectAll()
            .where('from', '=', '+8613800138000')
            .executeTakeFirst();
          // Stored as E.164; the body sealed when encryption keys exist (docs/inbound.md).
          return row !== undefined && (row.text_key_id !== null || row.text === 'TD 退订');
        },
        5000,
        'the inbound message to be stored',
      );
    });

    test('OpenAPI document describes the API', async () => {
      const r = await t.api('/docs/json', { key: null });
      assert.equal(r.status, 200);
      assert.ok(r.body.paths['/v1/messages'].post);
      assert.ok(r.body.paths['/v1/messages/{id}'].get);
    });
  });
}
