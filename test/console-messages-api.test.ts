// The console's message routes (issue 12): the send estimate, the log's category/class filters,
// a message's timeline, the streamed export and today's figures — on SQLite and PostgreSQL.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import ExcelJS from 'exceljs';
import { parse } from 'csv-parse/sync';
import { databases } from './support/databases.ts';
import { startTestPlatform, waitFinal, type TestPlatform } from './support/platform.ts';
import { operatorAdmin, registerCompany, type Browser } from './support/people.ts';
import { dayOf } from '../src/servers/http/stats.ts';

test('the statement day: China by default, any offset', () => {
  // 2026-03-01 17:30 UTC is 2026-03-02 01:30 in China: that day starts 2026-03-01 16:00 UTC.
  const now = Date.parse('2026-03-01T17:30:00Z');
  assert.deepEqual(dayOf(now, 480), {
    from: Date.parse('2026-03-01T16:00:00Z'),
    to: Date.parse('2026-03-02T16:00:00Z'),
  });
  assert.equal(dayOf(now, 0).from, Date.parse('2026-03-01T00:00:00Z'));
  assert.equal(dayOf(now, -300).from, Date.parse('2026-03-01T05:00:00Z'));
});

for (const database of databases) {
  describe(`console message routes on ${database.dialect}`, () => {
    let t: TestPlatform;
    let admin: Browser;
    let a: Awaited<ReturnType<typeof registerCompany>>;
    let b: Awaited<ReturnType<typeof registerCompany>>;
    const as =
      (key: string) =>
      (path: string, init: Parameters<TestPlatform['api']>[1] = {}) =>
        t.api(path, { ...init, key });
    let ids: Record<string, string> = {};

    before(async () => {
      t = await startTestPlatform(database);
      admin = await operatorAdmin(t, `console-${database.dialect}@operator.test`);
      a = await registerCompany(t, `consa-${database.dialect}`);
      b = await registerCompany(t, `consb-${database.dialect}`);
      for (const c of [a, b]) {
        await admin.call(`/v1/admin/tenants/${c.tenantId}/status`, {
          body: { status: 'active', reason: 'ok' },
        });
      }
      await admin.call(`/v1/admin/tenants/${a.tenantId}/recharges`, {
        body: { amount: '100', reference: `console-${database.dialect}` },
      });
      // Delivered, undelivered (UNDELIV: invalid_number), rejected (REJECTD: content), marketing.
      const send = as(a.key);
      const r = await send('/v1/messages', {
        body: { to: ['13800138111', '13800130000', '13800130003'], text: 'hello', clientRef: 'c1' },
      });
      assert.equal(r.status, 202, JSON.stringify(r.body));
      const m = await send('/v1/messages', {
        body: { to: '13800138222', text: '=HYPERLINK("x") 优惠', class: 'marketing' },
      });
      assert.equal(m.status, 202, JSON.stringify(m.body));
      const [ok, undeliv, rejectd] = r.body.messages.map((x: any) => x.id);
      ids = { ok, undeliv, rejectd, marketing: m.body.messages[0].id, batch: r.body.batchId };
      for (const id of Object.values(ids).filter((x) => x.startsWith('msg_')))
        await waitFinal({ ...t, api: send }, id);
    });
    after(() => t.stop());

    test('estimate: recipients sorted out, final text, parts and money; nothing written', async () => {
      const api = as(a.key);
      const balance = (await api('/v1/balance')).body;
      const counts = await t.platform.store.db
        .selectFrom('messages')
        .select((eb) => eb.fn.countAll().as('n'))
        .executeTakeFirstOrThrow();
      const r = await api('/v1/messages/estimate', {
        body: {
          to: ['13800138000', '138 0013 8000', 'not a number', '+447400123456'],
          text: 'hello',
        },
        headers: { 'idempotency-key': 'est-1' },
      });
      assert.equal(r.status, 200, JSON.stringify(r.body));
      const e = r.body;
      assert.equal(e.recipients.submitted, 4);
      assert.equal(e.recipients.valid, 2);
      assert.equal(e.recipients.duplicates, 1);
      assert.deepEqual(
        e.recipients.invalid.map((x: any) => [x.input, x.code]),
        [['not a number', 'invalid_number']],
      );
      assert.equal(e.text, '【测试公司】hello', 'China gets the default signature');
      assert.deepEqual([e.encoding, e.parts, e.totalParts], ['ucs2', 1, 2]);
      assert.equal(e.total.currency, 'CNY');
      assert.equal(e.affordable, true);
      assert.deepEqual(e.issues, []);
      const minor = (m: { amount: string }) => Math.round(Number(m.amount) * 10_000);
      assert.equal(minor(e.balanceAfter), minor(e.available) - minor(e.total));
      assert.deepEqual((await api('/v1/balance')).body, balance, 'nothing held');
      const after = await t.platform.store.db
        .selectFrom('messages')
        .select((eb) => eb.fn.countAll().as('n'))
        .executeTakeFirstOrThrow();
      assert.equal(Number(after.n), Number(counts.n), 'no message written');
      // The same key on the real send is still unused: the estimate kept no idempotency record.
      const real = await api('/v1/messages', {
        body: { to: '13800138333', text: 'other body' },
        headers: { 'idempotency-key': 'est-1' },
      });
      assert.equal(real.status, 202);
    });

    test('estimate: refusals of the send are issues (200); malformed bodies are refused', async () => {
      const api = as(a.key);
      const blocked = await api('/v1/messages/estimate', {
        body: { to: '13800138000', text: '周末来玩 赌 * 博，稳赚' },
      });
      assert.equal(blocked.status, 200);
      assert.deepEqual(
        blocked.body.issues.map((i: any) => i.code),
        ['content_blocked'],
      );
      assert.equal(blocked.body.text, null);
      const sig = await api('/v1/messages/estimate', {
        body: { to: '13800138000', text: '【没批准】hello' },
      });
      assert.deepEqual(
        sig.body.issues.map((i: any) => i.code),
        ['signature_not_approved'],
      );
      // No balance: b was never recharged.
      const poor = await as(b.key)('/v1/messages/estimate', {
        body: { to: ['13800138000', '13800138001'], text: 'hello' },
      });
      assert.equal(poor.status, 200);
      assert.equal(poor.body.affordable, false);
      assert.deepEqual(
        poor.body.issues.map((i: any) => i.code),
        ['insufficient_balance'],
      );
      const missing = await api('/v1/messages/estimate', { body: { to: '13800138000' } });
      assert.deepEqual([missing.status, missing.body.code], [422, 'missing_text']);
      const unknown = await api('/v1/messages/estimate', {
        body: { to: '13800138000', text: 'x', colour: 'red' },
      });
      assert.deepEqual([unknown.status, unknown.body.field], [400, 'colour']);
      const badClass = await api('/v1/messages/estimate', {
        body: { to: '13800138000', text: 'x', class: 'spam' },
      });
      assert.equal(badClass.status, 400);
      assert.equal(badClass.body.field, 'class');
    });

    test('list: category and class filters, with cursor pagination; bad values named', async () => {
      const api = as(a.key);
      const byCategory = await api('/v1/messages?category=invalid_number');
      assert.equal(byCategory.status, 200);
      assert.deepEqual(
        byCategory.body.data.map((m: any) => [m.id, m.error.category]),
        [[ids.undeliv, 'invalid_number']],
      );
      const content = await api(`/v1/messages?category=content&batchId=${ids.batch}`);
      assert.deepEqual(
        content.body.data.map((m: any) => m.id),
        [ids.rejectd],
      );
      const marketing = await api('/v1/messages?class=marketing');
      assert.deepEqual(
        marketing.body.data.map((m: any) => m.id),
        [ids.marketing],
      );
      const from = new Date(Date.now() - 3600_000).toISOString();
      const pages: string[] = [];
      let cursor: string | null = null;
      do {
        const q: string = `/v1/messages?limit=1&createdAfter=${from}&batchId=${ids.batch}${cursor ? `&after=${cursor}` : ''}`;
        const page: any = await api(q);
        pages.push(...page.body.data.map((m: any) => m.id));
        cursor = page.body.nextCursor;
      } while (cursor);
      assert.deepEqual(pages, [ids.rejectd, ids.undeliv, ids.ok]);
      const future = await api(
        `/v1/messages?createdAfter=${new Date(Date.now() + 3600_000).toISOString()}`,
      );
      assert.deepEqual(future.body.data, []);
      const bad = await api('/v1/messages?category=whatever');
      assert.deepEqual([bad.status, bad.body.field], [400, 'category']);
      const badClass = await api('/v1/messages?class=spam');
      assert.deepEqual([badClass.status, badClass.body.field], [400, 'class']);
      assert.deepEqual((await as(b.key)('/v1/messages?category=invalid_number')).body.data, []);
    });

    test('detail: the timeline in time order, with text too; another tenant gets 404', async () => {
      const api = as(a.key);
      const r = await api(`/v1/messages/${ids.undeliv}?include=text,events`);
      assert.equal(r.status, 200, JSON.stringify(r.body));
      assert.equal(r.body.text, '【测试公司】hello');
      const types = r.body.events.map((e: any) => e.type);
      assert.equal(types[0], 'accepted');
      assert.ok(types.includes('submitted'), types.join());
      const receipt = r.body.events.find((e: any) => e.type === 'receipt');
      assert.deepEqual([receipt.status, receipt.part], ['undelivered', 1]);
      assert.match(receipt.detail, /^UNDELIV err:001$/);
      const last = r.body.events.at(-1);
      assert.deepEqual([last.type, last.status], ['status', 'undelivered']);
      const at = r.body.events.map((e: any) => Date.parse(e.at));
      assert.deepEqual(
        at,
        [...at].sort((x, y) => x - y),
      );
      const events = await api(`/v1/messages/${ids.ok}?include=events`);
      assert.equal(events.body.text, undefined);
      assert.ok(events.body.events.length >= 3);
      const other = await as(b.key)(`/v1/messages/${ids.ok}?include=events`);
      assert.deepEqual([other.status, other.body.code], [404, 'not_found']);
      const bad = await api(`/v1/messages/${ids.ok}?include=everything`);
      assert.deepEqual([bad.status, bad.body.field], [400, 'include']);
    });

    test('export: CSV and XLSX of the filtered list, localized, neutralised, text audited', async () => {
      const api = as(a.key);
      const csv = await api(`/v1/messages/export?format=csv&batchId=${ids.batch}`);
      assert.equal(csv.status, 200);
      assert.match(
        csv.headers.get('content-disposition')!,
        /attachment; filename="messages-.*\.csv"/,
      );
      const rows: string[][] = parse(csv.body.replace(/^\ufeff/, ''));
      assert.equal(rows[0]![0], '短信 ID', 'zh-CN by default');
      assert.equal(rows.length, 4);
      assert.deepEqual(
        rows.slice(1).map((x) => x[0]),
        [ids.rejectd, ids.undeliv, ids.ok],
      );
      assert.ok(
        rows.slice(1).every((x) => x[3]!.startsWith("'+86")),
        'numbers neutralised',
      );
      assert.ok(!rows[0]!.includes('短信内容'), 'no text unless asked');

      const before = await t.platform.store.db
        .selectFrom('audit_log')
        .select((eb) => eb.fn.countAll().as('n'))
        .where('action', '=', 'messages.read_text')
        .executeTakeFirstOrThrow();
      const res = await fetch(
        `${t.url}/v1/messages/export?format=xlsx&class=marketing&include=text`,
        { headers: { authorization: `Bearer ${a.key}`, 'accept-language': 'en' } },
      );
      assert.equal(res.status, 200);
      const wb = new ExcelJS.Workbook();
      await wb.xlsx.load(Buffer.from(await res.arrayBuffer()) as never);
      const sheet = wb.worksheets[0]!;
      assert.equal(sheet.getRow(1).getCell(1).value, 'Message ID');
      assert.equal(sheet.rowCount, 2);
      // XLSX string cells are never formulas: the number is kept as it is, no apostrophe.
      assert.match(String(sheet.getRow(2).getCell(4).value), /^\+86\d+$/);
      const text = String(sheet.getRow(2).getCell(18).value);
      assert.ok(
        text.startsWith("'【测试公司】=HYPERLINK") || text.startsWith('【测试公司】'),
        text,
      );
      const after = await t.platform.store.db
        .selectFrom('audit_log')
        .select((eb) => eb.fn.countAll().as('n'))
        .where('action', '=', 'messages.read_text')
        .executeTakeFirstOrThrow();
      assert.equal(Number(after.n), Number(before.n) + 1, 'the export of texts is audited');

      const bad = await api('/v1/messages/export?format=pdf');
      assert.deepEqual([bad.status, bad.body.field], [400, 'format']);
      // One export reads at most 92 days of the log.
      const long = await api(
        `/v1/messages/export?createdAfter=2026-01-01T00:00:00Z&createdBefore=2026-06-01T00:00:00Z`,
      );
      assert.deepEqual([long.status, long.body.field], [400, 'createdAfter']);
      const empty = await as(b.key)(`/v1/messages/export?batchId=${ids.batch}`);
      assert.equal(parse(empty.body.replace(/^\ufeff/, '')).length, 1, 'header only');
    });

    test("stats: today's figures and final statuses per minute", async () => {
      const api = as(a.key);
      const today = await api('/v1/stats/today');
      assert.equal(today.status, 200, JSON.stringify(today.body));
      const s = today.body;
      assert.ok(s.accepted >= 4, String(s.accepted));
      assert.ok(s.delivered >= 2);
      assert.ok(s.failed >= 2);
      assert.equal(s.accepted, s.delivered + s.failed + s.pending);
      assert.equal(Date.parse(s.to) - Date.parse(s.from), 86_400_000);
      assert.equal(s.amount.currency, 'CNY');
      const none = await as(b.key)('/v1/stats/today');
      assert.equal(none.body.accepted, 0);
      const receipts = await api('/v1/stats/receipts?minutes=5');
      assert.equal(receipts.body.buckets.length, 5);
      const sum = receipts.body.buckets.reduce(
        (n: number, x: any) => n + x.delivered + x.failed,
        0,
      );
      assert.ok(sum >= 4, String(sum));
      const bad = await api('/v1/stats/receipts?minutes=0');
      assert.deepEqual([bad.status, bad.body.field], [400, 'minutes']);
      const tooMany = await api('/v1/stats/receipts?minutes=1441');
      assert.equal(tooMany.status, 400);
    });

    test('permissions: reading needs messages.read, estimating needs messages.send', async () => {
      const sendOnly = (
        await a.owner.call('/v1/api-keys', { body: { name: 'send-only', scopes: ['send'] } })
      ).body.key;
      const readOnly = (
        await a.owner.call('/v1/api-keys', { body: { name: 'read-only', scopes: ['read'] } })
      ).body.key;
      for (const path of [
        '/v1/stats/today',
        '/v1/stats/receipts',
        '/v1/messages/export',
        `/v1/messages/${ids.ok}?include=events`,
      ]) {
        const r = await as(sendOnly)(path);
        assert.equal(r.status, 403, path);
      }
      const est = await as(readOnly)('/v1/messages/estimate', {
        body: { to: '13800138000', text: 'x' },
      });
      assert.equal(est.status, 403);
      assert.equal((await t.api('/v1/stats/today', { key: null })).status, 401);
    });
  });
}
