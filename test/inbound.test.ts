// Inbound (MO) messages end to end, on both databases: extension codes (the longest wins, and
// outbound messages carry them), keywords, the 7-day fallback, unassigned replies for operators
// only, long replies reassembled (over CMPP from the ISMG simulator, and out of order from a
// bare SMSC), incomplete ones stored as partial, opt-outs on the routed tenant, the outbox
// event, tenant isolation, bodies sealed at rest.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import smpp, { type Session } from 'smpp';
import { databases } from './support/databases.ts';
import { startTestPlatform, waitFor, type TestPlatform } from './support/platform.ts';
import { operatorAdmin, registerCompany, type Browser } from './support/people.ts';
import { CmppSimulator } from '../src/simulator/cmpp-ismg.ts';
import type { SubmitEvent } from '../src/simulator/smsc.ts';
import { newId } from '../src/core/ids.ts';

/** An SMSC that does nothing but bind and send the deliver_sm a test writes, UDH and all. */
async function bareSmsc() {
  const sessions: Session[] = [];
  const server = smpp.createServer({}, (session) => {
    session.on('error', () => {});
    session.on('bind_transceiver', (pdu) => {
      session.send(pdu.response());
      sessions.push(session);
    });
    session.on('enquire_link', (pdu) => session.send(pdu.response()));
    session.on('submit_sm', (pdu) => session.send(pdu.response({ message_id: 'x' })));
    session.on('unbind', (pdu) => {
      session.send(pdu.response());
      session.close();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    /** One segment (UCS-2); resolves when Hongyan answered it (that is: once it is stored). */
    segment(from: string, to: string, ref: number, total: number, seq: number, text: string) {
      const session = sessions.find((s) => !(s as unknown as { closed?: boolean }).closed);
      assert.ok(session, 'the channel is bound');
      return new Promise<number>((resolve) =>
        session.deliver_sm(
          {
            source_addr: from,
            destination_addr: to,
            esm_class: 0x40,
            data_coding: 8,
            short_message: { udh: Buffer.from([5, 0, 3, ref, total, seq]), message: text },
          },
          (resp) => resolve(Number(resp.command_status)),
        ),
      );
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

for (const database of databases) {
  describe(`inbound messages on ${database.dialect}`, () => {
    let t: TestPlatform;
    let admin: Browser;
    let ismg: CmppSimulator;
    let smsc: Awaited<ReturnType<typeof bareSmsc>>;
    let a: Awaited<ReturnType<typeof registerCompany>>;
    let b: Awaited<ReturnType<typeof registerCompany>>;
    const submits: SubmitEvent[] = [];
    const A = (path: string, init?: Parameters<TestPlatform['api']>[1]) =>
      t.api(path, { ...init, key: a.key });
    const B = (path: string, init?: Parameters<TestPlatform['api']>[1]) =>
      t.api(path, { ...init, key: b.key });
    const inject = (from: string, to: string, text: string) =>
      assert.equal(t.platform.simulator!.injectInbound({ from, to, text }), 1);
    /** The one inbound message from `from` in this list, once it is there. */
    const arrives = async (
      list: (path: string) => ReturnType<TestPlatform['api']>,
      from: string,
    ) => {
      let found: any;
      await waitFor(
        async () => {
          const r = await list(`/v1/inbound?from=${encodeURIComponent(from)}`);
          found = r.body.data?.[0];
          return found !== undefined;
        },
        10_000,
        `the inbound message from ${from}`,
      );
      return found;
    };
    const db = () => t.platform.store.db;

    before(async () => {
      ismg = new CmppSimulator({ receiptDelayMs: 20, credentials: { '901234': 'cmpp-pw' } });
      const cmppPort = (await ismg.start()).port;
      smsc = await bareSmsc();
      t = await startTestPlatform(database, {
        channels: [
          { id: 'sim', kind: 'simulator', port: 0, sourceAddr: '106900' },
          {
            id: 'cmcc',
            kind: 'cmpp',
            port: cmppPort,
            spId: '901234',
            password: 'cmpp-pw',
            sourceAddr: '1069008',
            use: 'test',
          },
          { id: 'bare', kind: 'smpp', port: smsc.port, sourceAddr: '1069009', use: 'test' },
        ],
      });
      t.platform.simulator!.on('submit', (e) => submits.push(e));
      admin = await operatorAdmin(t, `inbound-${database.dialect}@operator.test`);
      a = await registerCompany(t, `inba-${database.dialect}`);
      b = await registerCompany(t, `inbb-${database.dialect}`);
      for (const c of [a, b]) {
        await admin.call(`/v1/admin/tenants/${c.tenantId}/status`, {
          body: { status: 'active', reason: 'ok' },
        });
        await admin.call(`/v1/admin/tenants/${c.tenantId}/recharges`, {
          body: { amount: '100', reference: `inb-${c.tenantId}` },
        });
      }
    });
    after(async () => {
      await t.stop();
      await ismg.stop();
      await smsc.close();
    });

    test('extension codes: assigned automatically, set by operators (no duplicates), shown to tenants', async () => {
      const sa = await A('/v1/inbound/settings');
      assert.equal(sa.status, 200);
      assert.match(sa.body.extension, /^[1-9][0-9]{3}$/, 'four digits, automatically');
      assert.deepEqual(sa.body.replyAddresses, [`106900${sa.body.extension}`]);
      const sb = await B('/v1/inbound/settings');
      assert.notEqual(sb.body.extension, sa.body.extension);

      const put = (id: string, extension: string) =>
        admin.call(`/v1/admin/tenants/${id}/extension`, { method: 'PUT', body: { extension } });
      const setA = await put(a.tenantId, '77');
      assert.equal(setA.status, 200, JSON.stringify(setA.body));
      assert.deepEqual(
        [setA.body.extension, setA.body.assignedBy, setA.body.replyAddresses],
        ['77', 'operator', ['10690077']],
      );
      // A prefix of another tenant's code is allowed (the longest match wins); the same code is not.
      assert.equal((await put(b.tenantId, '775')).status, 200);
      const dup = await put(b.tenantId, '77');
      assert.deepEqual([dup.status, dup.body.code], [409, 'extension_taken']);
      for (const bad of ['7a', '', '1234567890123'])
        assert.deepEqual(
          [(await put(b.tenantId, bad)).body.code, (await put(b.tenantId, bad)).body.field],
          ['invalid_extension', 'extension'],
          bad,
        );
      assert.equal((await put('ten_nope', '55')).status, 404);
      assert.equal(
        (
          await B('/v1/admin/tenants/' + a.tenantId + '/extension', {
            method: 'PUT',
            body: { extension: '1' },
          })
        ).status,
        403,
        'tenants cannot set codes',
      );
      assert.equal(
        (await admin.call(`/v1/admin/tenants/${b.tenantId}/extension`)).body.extension,
        '775',
      );
      assert.equal((await B('/v1/inbound/settings')).body.extension, '775');
      // A's automatic code, given up, is not handed to the next tenant.
      const c = await registerCompany(t, `inbc-${database.dialect}`);
      const sc = await t.api('/v1/inbound/settings', { key: c.key });
      assert.equal(sc.status, 200);
      assert.ok(![sa.body.extension, sb.body.extension, '77', '775'].includes(sc.body.extension));
    });

    test('outbound messages carry the tenant extension in their sender address', async () => {
      const r = await A('/v1/messages', { body: { to: '13900139077', text: '您的订单已发货' } });
      assert.equal(r.status, 202, JSON.stringify(r.body));
      await waitFor(
        () => submits.some((s) => s.destinationAddr.endsWith('13900139077')),
        10_000,
        'the submit',
      );
      const s = submits.find((x) => x.destinationAddr.endsWith('13900139077'))!;
      assert.equal(s.sourceAddr, '10690077');
    });

    test('a reply to service number + extension reaches its tenant: the longest code wins', async () => {
      inject('8613700137101', '10690077512', '好的，明天见');
      inject('8613700137102', '106900779', '收到');
      inject('8613700137103', '10690077', '谢谢');
      const toB = await arrives(B, '+8613700137101');
      assert.deepEqual(
        [toB.to, toB.text, toB.routedBy, toB.subCode, toB.parts, toB.partial],
        ['10690077512', '好的，明天见', 'extension', '12', 1, false],
      );
      const toA = await arrives(A, '+8613700137102');
      assert.deepEqual([toA.routedBy, toA.subCode], ['extension', '9']);
      assert.equal((await arrives(A, '+8613700137103')).subCode, null);
      assert.deepEqual((await A('/v1/inbound?from=8613700137101')).body.data, [], 'not A’s');

      // The outbox row webhooks, the live stream and SMPP binds read: same transaction.
      const events = await db()
        .selectFrom('message_events')
        .selectAll()
        .where('message_id', '=', toB.id)
        .execute();
      assert.deepEqual(
        events.map((e) => [e.tenant_id, e.status]),
        [[b.tenantId, 'inbound']],
      );

      // Isolation: A cannot see B's, by id or in lists; filters.
      const theirs = await A(`/v1/inbound/${toB.id}`);
      assert.deepEqual([theirs.status, theirs.body.code], [404, 'not_found']);
      assert.equal((await A('/v1/inbound/inb_nope')).status, 404);
      const mine = await B(`/v1/inbound/${toB.id}`);
      assert.deepEqual([mine.status, mine.body.text], [200, '好的，明天见']);
      assert.ok((await A('/v1/inbound')).body.data.every((m: any) => m.id !== toB.id));
      assert.equal((await B('/v1/inbound?to=10690077512')).body.data.length, 1);
      assert.equal((await B('/v1/inbound?since=2999-01-01T00:00:00Z')).body.data.length, 0);
      assert.equal((await B('/v1/inbound?since=yesterday')).status, 400);
      const page = await A('/v1/inbound?limit=1');
      assert.equal(page.body.data.length, 1);
      const next = await A(`/v1/inbound?limit=1&after=${page.body.nextCursor}`);
      assert.notEqual(next.body.data[0].id, page.body.data[0].id);

      // Sealed at rest when encryption keys exist (always on embedded SQLite).
      const row = await db()
        .selectFrom('inbound_messages')
        .selectAll()
        .where('id', '=', toB.id)
        .executeTakeFirstOrThrow();
      if (database.dialect === 'sqlite') assert.ok(row.text_key_id);
      if (row.text_key_id) assert.ok(!row.text.includes('明天'), 'the body is not stored in clear');
    });

    test('keywords route replies without an extension; opt-out replies are not keywords', async () => {
      const put = (keywords: unknown) =>
        admin.call('/v1/admin/inbound/keywords', { method: 'PUT', body: { keywords } });
      const bad: Array<[unknown, string]> = [
        [[{ keyword: 'TD', tenantId: a.tenantId }], 'keywords[0].keyword'],
        [[{ keyword: 'H Y', tenantId: a.tenantId }], 'keywords[0].keyword'],
        [
          [
            { keyword: 'hy', tenantId: a.tenantId },
            { keyword: 'ＨＹ', tenantId: b.tenantId },
          ],
          'keywords[1].keyword',
        ],
        [[{ keyword: 'HY', tenantId: 'ten_nope' }], 'keywords[0].tenantId'],
      ];
      for (const [keywords, field] of bad) {
        const r = await put(keywords);
        assert.deepEqual([r.status, r.body.code, r.body.field], [422, 'invalid_keyword', field]);
      }
      const ok = await put([
        { keyword: 'hy', tenantId: a.tenantId },
        { keyword: '鸿雁B', tenantId: b.tenantId },
      ]);
      assert.equal(ok.status, 200);
      assert.deepEqual(
        ok.body.data.map((k: any) => [k.keyword, k.tenantId]),
        [
          ['HY', a.tenantId],
          ['鸿雁B', b.tenantId],
        ],
      );
      assert.deepEqual((await A('/v1/inbound/settings')).body.keywords, ['HY']);

      inject('8613700137201', '106900', 'hy 我要订购');
      // An extension no tenant has: the keyword still routes.
      inject('8613700137202', '10690099999', '鸿雁B你好');
      const k1 = await arrives(A, '+8613700137201');
      assert.deepEqual([k1.routedBy, k1.keyword], ['keyword', 'HY']);
      const k2 = await arrives(B, '+8613700137202');
      assert.deepEqual([k2.routedBy, k2.keyword], ['keyword', '鸿雁B']);
    });

    test('a reply to the bare service number goes to the last sender within 7 days', async () => {
      const r = await A('/v1/messages', { body: { to: '13600136001', text: '取件码 1234' } });
      assert.equal(r.status, 202);
      inject('8613600136001', '106900', '已取');
      const m = await arrives(A, '+8613600136001');
      assert.equal(m.routedBy, 'recent');
    });

    test('a reply nobody can claim is unassigned: operators see it, masked; tenants do not', async () => {
      inject('8613500135999', '106900', '你们是谁？');
      let found: any;
      await waitFor(
        async () => {
          const r = await admin.call('/v1/admin/inbound?unassigned=true');
          found = r.body.data.find((m: any) => m.from === '+86135****5999');
          return found !== undefined;
        },
        10_000,
        'the unassigned message',
      );
      assert.deepEqual([found.tenantId, found.routedBy, found.text], [null, null, undefined]);
      const withBodies = await admin.call('/v1/admin/inbound?unassigned=true&bodies=true');
      assert.equal(withBodies.body.data.find((m: any) => m.id === found.id).text, '你们是谁？');
      assert.ok(
        (await admin.call('/v1/admin/inbound?unassigned=true')).body.data.every(
          (m: any) => m.tenantId === null,
        ),
      );
      for (const list of [A, B])
        assert.deepEqual((await list('/v1/inbound?from=8613500135999')).body.data, []);
      assert.equal((await A('/v1/admin/inbound')).status, 403);
      const events = await db()
        .selectFrom('message_events')
        .select('id')
        .where('message_id', '=', found.id)
        .execute();
      assert.deepEqual(events, [], 'no tenant, no event');
    });

    test('an opt-out reply (TD) to an extension puts the number on that tenant’s list, with one confirmation', async () => {
      inject('8613700137301', '106900775', 'TD');
      await waitFor(
        async () =>
          (await B('/v1/opt-outs')).body.data.some(
            (o: any) => o.number === '+8613700137301' && o.source === 'reply',
          ),
        10_000,
        'the opt-out on B',
      );
      assert.ok(
        (await A('/v1/opt-outs')).body.data.every((o: any) => o.number !== '+8613700137301'),
        'not on A’s list',
      );
      await waitFor(
        async () =>
          (
            await db()
              .selectFrom('messages')
              .select('id')
              .where('tenant_id', '=', 'ten_operator')
              .where('to', '=', '+8613700137301')
              .execute()
          ).length === 1,
        10_000,
        'one confirmation',
      );
      const refused = await B('/v1/messages', {
        body: { to: '13700137301', text: '会员日', class: 'marketing' },
      });
      assert.equal(refused.body.code, 'recipient_opted_out');
      // Behind a keyword too: "HY TD" is TD for A.
      inject('8613700137302', '106900', 'HY TD');
      await waitFor(
        async () =>
          (await A('/v1/opt-outs')).body.data.some((o: any) => o.number === '+8613700137302'),
        10_000,
        'the opt-out on A',
      );
      await waitFor(
        async () =>
          (
            await db()
              .selectFrom('inbound_messages')
              .select('id')
              .where('handled', '=', 0)
              .execute()
          ).length === 0,
        10_000,
        'every opt-out handled',
      );
    });

    test('a long reply is reassembled: over CMPP from the ISMG simulator', async () => {
      const long = '你好，我想咨询一下贵公司的新产品，请问什么时候方便联系？'.repeat(5);
      assert.equal(ismg.injectInbound({ from: '8613700137401', to: '106900877', text: long }), 1);
      const m = await arrives(A, '+8613700137401');
      assert.deepEqual(
        [m.text, m.parts, m.partsReceived, m.partial, m.to, m.routedBy],
        [long, 3, 3, false, '106900877', 'extension'],
      );
      assert.equal(
        (await A('/v1/inbound?from=8613700137401')).body.data.length,
        1,
        'one message, not three',
      );
    });

    test('segments arriving out of order are held in the database, then joined', async () => {
      const from = '8613700137501';
      assert.equal(await smsc.segment(from, '1069009775', 42, 3, 3, '三。'), 0);
      assert.equal(await smsc.segment(from, '1069009775', 42, 3, 1, '一，'), 0);
      // Answered to the carrier: stored.
      const held = await db()
        .selectFrom('inbound_segments')
        .select(['seq'])
        .where('from', '=', `+${from}`)
        .execute();
      assert.deepEqual(held.map((s) => Number(s.seq)).sort(), [1, 3]);
      assert.deepEqual((await B(`/v1/inbound?from=${from}`)).body.data, []);
      // A segment sent twice counts once.
      assert.equal(await smsc.segment(from, '1069009775', 42, 3, 1, '一，'), 0);
      assert.equal(await smsc.segment(from, '1069009775', 42, 3, 2, '二，'), 0);
      const m = await arrives(B, `+${from}`);
      assert.deepEqual([m.text, m.parts, m.partial], ['一，二，三。', 3, false]);
      const left = await db()
        .selectFrom('inbound_segments')
        .select('seq')
        .where('from', '=', `+${from}`)
        .execute();
      assert.deepEqual(left, [], 'the segments are gone');
    });

    test('an incomplete set is stored as what arrived, marked partial, after the wait', async () => {
      const from = '8613700137601';
      assert.equal(await smsc.segment(from, '1069009775', 43, 3, 1, '只有'), 0);
      assert.equal(await smsc.segment(from, '1069009775', 43, 3, 3, '两段'), 0);
      assert.deepEqual(
        await t.platform.jobs.sweepInbound(Date.now()),
        { expired: 0, retried: 0 },
        'not yet',
      );
      const swept = await t.platform.jobs.sweepInbound(Date.now() + 11 * 60_000);
      assert.equal(swept.expired, 1);
      const m = await arrives(B, `+${from}`);
      assert.deepEqual([m.text, m.parts, m.partsReceived, m.partial], ['只有两段', 3, 2, true]);
    });

    test('rows stored in clear before encryption still read', async () => {
      const id = newId('inb');
      await db()
        .insertInto('inbound_messages')
        .values({
          id,
          channel_id: 'sim',
          from: '+8613700137701',
          to: '10690077',
          text: '旧的明文',
          tenant_id: a.tenantId,
          received_at: Date.now(),
        })
        .execute();
      const r = await A(`/v1/inbound/${id}`);
      assert.deepEqual([r.status, r.body.text, r.body.parts], [200, '旧的明文', 1]);
    });
  });
}
