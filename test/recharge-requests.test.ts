// Recharge requests end to end on both databases: a tenant submits one as multipart/form-data
// with a proof file (kept in the database, known by its bytes), an operator confirms it into
// exactly one ledger recharge — also when two operators confirm at once — or rejects it.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { databases } from './support/databases.ts';
import { startTestPlatform, waitFor, type TestPlatform } from './support/platform.ts';
import {
  browser,
  GOOD_PASSWORD,
  operatorAdmin,
  registerCompany,
  type Browser,
} from './support/people.ts';

const PNG = Buffer.concat([
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
  Buffer.from('a tiny png body'),
]);
const PDF = Buffer.from('%PDF-1.4\n1 0 obj <<>> endobj\n%%EOF\n');

type Field = string | { bytes: Buffer; name: string; type: string };

/** A logged-in person's session cookie, for requests the JSON helpers cannot send. */
async function sessionCookie(t: TestPlatform, email: string, password = GOOD_PASSWORD) {
  const r = await fetch(`${t.url}/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password }),
  });
  assert.equal(r.status, 200);
  return r.headers.get('set-cookie')!.split(';')[0]!;
}

async function submit(
  t: TestPlatform,
  auth: { cookie?: string; key?: string },
  fields: Record<string, Field | Field[]>,
) {
  const form = new FormData();
  for (const [name, value] of Object.entries(fields))
    for (const v of [value].flat())
      if (typeof v === 'string') form.append(name, v);
      else form.append(name, new Blob([v.bytes], { type: v.type }), v.name);
  const headers: Record<string, string> = {};
  if (auth.cookie) headers.cookie = auth.cookie;
  if (auth.key) headers.authorization = `Bearer ${auth.key}`;
  const r = await fetch(`${t.url}/v1/recharge-requests`, { method: 'POST', headers, body: form });
  return { status: r.status, body: (await r.json()) as any };
}

for (const database of databases) {
  describe(`recharge requests on ${database.dialect}`, () => {
    let t: TestPlatform;
    let admin: Browser;
    let a: Awaited<ReturnType<typeof registerCompany>>;
    let b: Awaited<ReturnType<typeof registerCompany>>;
    let aCookie: string;

    before(async () => {
      t = await startTestPlatform(database, {
        limits: { keyPerSecond: 1000, keyBurst: 1000, tenantPerSecond: 1000, tenantBurst: 1000 },
      });
      admin = await operatorAdmin(t, `rr-${database.dialect}@operator.test`);
      a = await registerCompany(t, `rra${database.dialect}`);
      b = await registerCompany(t, `rrb${database.dialect}`);
      aCookie = await sessionCookie(t, a.email);
    });
    after(() => t.stop());

    const count = async () =>
      Number(
        (
          await t.platform.store.db
            .selectFrom('recharge_requests')
            .select((eb) => eb.fn.countAll<number>().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      );

    test('a tenant owner submits a request with a proof, and reads it back', async () => {
      const r = await submit(
        t,
        { cookie: aCookie },
        {
          amount: '1000.50',
          paymentReference: 'ICBC-20261201-0001',
          note: '12月充值',
          proof: { bytes: PNG, name: 'receipt.pdf', type: 'application/pdf' },
        },
      );
      assert.equal(r.status, 201, JSON.stringify(r.body));
      assert.match(r.body.id, /^rcr_/);
      assert.deepEqual(r.body.amount, { amount: '1000.5000', currency: 'CNY' });
      assert.equal(r.body.status, 'pending');
      // The bytes decide the type, not the name or the type the client claimed.
      assert.deepEqual(r.body.proof, { type: 'image/png', bytes: PNG.length });

      const list = await t.api('/v1/recharge-requests', { key: a.key });
      assert.equal(list.status, 200);
      assert.equal(list.body.data[0].id, r.body.id);
      assert.equal(list.body.data[0].note, '12月充值');

      const proof = await fetch(`${t.url}/v1/recharge-requests/${r.body.id}/proof`, {
        headers: { authorization: `Bearer ${a.key}` },
      });
      assert.equal(proof.status, 200);
      assert.equal(proof.headers.get('content-type'), 'image/png');
      assert.equal(proof.headers.get('x-content-type-options'), 'nosniff');
      assert.match(
        proof.headers.get('content-disposition')!,
        /^attachment; filename="rcr_\w+\.png"$/,
      );
      assert.deepEqual(Buffer.from(await proof.arrayBuffer()), PNG);

      const audit = await a.owner.call('/v1/audit?action=billing.recharge_requested');
      assert.equal(audit.body.data[0].targetId, r.body.id);
    });

    test('bad input is refused with the field, and nothing is written', async () => {
      const before = await count();
      const good = { amount: '100', paymentReference: 'BAD-1' };
      const cases: Array<[Record<string, Field | Field[]>, number, string, string]> = [
        [{ ...good, amount: '0' }, 422, 'invalid_amount', 'amount'],
        [{ ...good, amount: '-5' }, 422, 'invalid_amount', 'amount'],
        [{ ...good, amount: '1.001' }, 422, 'invalid_amount', 'amount'],
        [{ ...good, amount: '20000000' }, 422, 'invalid_amount', 'amount'],
        [{ ...good, amount: 'ten' }, 422, 'invalid_amount', 'amount'],
        [{ amount: '100' }, 400, 'invalid_request', 'paymentReference'],
        [{ ...good, paymentReference: 'x'.repeat(65) }, 400, 'invalid_request', 'paymentReference'],
        [{ ...good, paymentReference: '   ' }, 400, 'invalid_request', 'paymentReference'],
        [{ ...good, bank: 'ICBC' }, 400, 'invalid_request', 'bank'],
        [
          { ...good, attachment: { bytes: PDF, name: 'a.pdf', type: 'application/pdf' } },
          400,
          'invalid_request',
          'attachment',
        ],
        [{ ...good, proof: 'not a file' }, 400, 'invalid_request', 'proof'],
        [
          {
            ...good,
            proof: {
              bytes: Buffer.from('<html><script>alert(1)</script>'),
              name: 'x.png',
              type: 'image/png',
            },
          },
          422,
          'invalid_proof',
          'proof',
        ],
        [
          {
            ...good,
            proof: { bytes: Buffer.from('GIF89a....'), name: 'x.gif', type: 'image/gif' },
          },
          422,
          'invalid_proof',
          'proof',
        ],
        [
          {
            ...good,
            proof: {
              bytes: Buffer.concat([PDF, Buffer.alloc(5 * 1024 * 1024)]),
              name: 'big.pdf',
              type: 'application/pdf',
            },
          },
          413,
          'payload_too_large',
          'proof',
        ],
      ];
      for (const [fields, status, code, field] of cases) {
        const r = await submit(t, { cookie: aCookie }, fields);
        assert.equal(
          r.status,
          status,
          `${JSON.stringify(Object.keys(fields))}: ${JSON.stringify(r.body)}`,
        );
        assert.equal(r.body.code, code, JSON.stringify(r.body));
        assert.equal(r.body.field, field, JSON.stringify(r.body));
      }
      const two = await submit(
        t,
        { cookie: aCookie },
        {
          ...good,
          proof: [
            { bytes: PDF, name: 'a.pdf', type: 'application/pdf' },
            { bytes: PDF, name: 'b.pdf', type: 'application/pdf' },
          ],
        },
      );
      assert.equal(two.status, 400, JSON.stringify(two.body));
      // JSON carries no file; other bodies are refused.
      const json = await fetch(`${t.url}/v1/recharge-requests`, {
        method: 'POST',
        headers: { cookie: aCookie, 'content-type': 'application/json' },
        body: JSON.stringify({ ...good, proof: { data: 'JVBERi0=' } }),
      });
      assert.equal(json.status, 400);
      assert.equal(((await json.json()) as any).field, 'proof');
      const xml = await fetch(`${t.url}/v1/recharge-requests`, {
        method: 'POST',
        headers: { cookie: aCookie, 'content-type': 'application/xml' },
        body: '<amount>1</amount>',
      });
      assert.equal(xml.status, 415);
      assert.equal(((await xml.json()) as any).code, 'unsupported_media_type');
      assert.equal(await count(), before, 'nothing written');
    });

    test('only a user who may manage the account can ask; another tenant sees nothing', async () => {
      // An API key (even a manage one) may not ask for money; a viewer may not either.
      const byKey = await submit(t, { key: a.key }, { amount: '10', paymentReference: 'K-1' });
      assert.equal(byKey.status, 403);
      const viewer = await a.owner.call('/v1/users', {
        body: { email: `viewer-rr@${database.dialect}.test`, name: 'V', role: 'viewer' },
      });
      const vb = browser(t);
      await vb.call('/v1/auth/login', {
        body: {
          email: `viewer-rr@${database.dialect}.test`,
          password: viewer.body.temporaryPassword,
        },
      });
      await vb.call('/v1/auth/password', {
        body: { currentPassword: viewer.body.temporaryPassword, newPassword: GOOD_PASSWORD },
      });
      const viewerCookie = await sessionCookie(t, `viewer-rr@${database.dialect}.test`);
      const byViewer = await submit(
        t,
        { cookie: viewerCookie },
        { amount: '10', paymentReference: 'V-1' },
      );
      assert.equal(byViewer.status, 403);
      assert.equal(byViewer.body.code, 'forbidden');

      const mine = (await t.api('/v1/recharge-requests', { key: a.key })).body.data[0];
      assert.deepEqual((await t.api('/v1/recharge-requests', { key: b.key })).body.data, []);
      const theirs = await t.api(`/v1/recharge-requests/${mine.id}/proof`, { key: b.key });
      assert.equal(theirs.status, 404);
      // Tenants cannot reach the operator's routes.
      const asTenant = await a.owner.call(`/v1/admin/recharge-requests/${mine.id}/confirm`, {
        body: {},
      });
      assert.equal(asTenant.status, 403);
      const badQuery = await admin.call('/v1/admin/recharge-requests?status=paid');
      assert.equal(badQuery.status, 400);
      assert.equal(badQuery.body.field, 'status');
    });

    test('without a file, JSON does too', async () => {
      const r = await a.owner.call('/v1/recharge-requests', {
        body: { amount: '20', paymentReference: 'JSON-1' },
      });
      assert.equal(r.status, 201, JSON.stringify(r.body));
      assert.equal(r.body.proof, null);
      assert.equal(
        (await t.api(`/v1/recharge-requests/${r.body.id}/proof`, { key: a.key })).status,
        404,
      );
    });

    test('a payment reference cannot be asked for twice while pending or confirmed', async () => {
      const first = await submit(
        t,
        { cookie: aCookie },
        { amount: '50', paymentReference: 'DUP-1' },
      );
      assert.equal(first.status, 201);
      const again = await submit(
        t,
        { cookie: aCookie },
        { amount: '50', paymentReference: 'DUP-1' },
      );
      assert.equal(again.status, 409);
      assert.equal(again.body.code, 'duplicate_reference');
      assert.equal(again.body.field, 'paymentReference');
      // Another tenant may use the same words for its own transfer.
      const bCookie = await sessionCookie(t, b.email);
      assert.equal(
        (await submit(t, { cookie: bCookie }, { amount: '50', paymentReference: 'DUP-1' })).status,
        201,
      );
    });

    test('two operators confirm at once: one ledger recharge, one 409', async () => {
      const r = await submit(
        t,
        { cookie: aCookie },
        {
          amount: '300',
          paymentReference: 'RACE-1',
          proof: { bytes: PDF, name: 'p.pdf', type: 'application/pdf' },
        },
      );
      assert.equal(r.status, 201);
      const second = await operatorAdmin(t, `rr2-${database.dialect}@operator.test`);
      const balanceBefore = (await t.api('/v1/balance', { key: a.key })).body.available.amount;

      const pending = await admin.call(
        `/v1/admin/recharge-requests?status=pending&tenantId=${a.tenantId}`,
      );
      assert.ok(pending.body.data.some((x: any) => x.id === r.body.id && x.tenantName));
      const proof = await fetch(`${t.url}/v1/admin/recharge-requests/${r.body.id}/proof`, {
        headers: { authorization: 'none' },
      });
      assert.equal(proof.status, 401);

      const answers = await Promise.all([
        admin.call(`/v1/admin/recharge-requests/${r.body.id}/confirm`, { body: {} }),
        second.call(`/v1/admin/recharge-requests/${r.body.id}/confirm`, { body: {} }),
      ]);
      const statuses = answers.map((x) => x.status).sort();
      assert.deepEqual(statuses, [200, 409], JSON.stringify(answers.map((x) => x.body)));
      const won = answers.find((x) => x.status === 200)!.body;
      assert.equal(answers.find((x) => x.status === 409)!.body.code, 'already_decided');
      assert.equal(won.status, 'confirmed');
      assert.deepEqual(won.credited, { amount: '300.0000', currency: 'CNY' });

      const entries = await t.platform.store.db
        .selectFrom('ledger_entries')
        .selectAll()
        .where('tenant_id', '=', a.tenantId)
        .where('external_ref', '=', 'RACE-1')
        .execute();
      assert.equal(entries.length, 1);
      assert.equal(Number(entries[0]!.id), won.ledgerEntryId);
      assert.equal(Number(entries[0]!.amount), 3_000_000);
      const balanceAfter = (await t.api('/v1/balance', { key: a.key })).body.available.amount;
      assert.equal(Number(balanceAfter) - Number(balanceBefore), 300);
      // A third try, later: still one row.
      const late = await admin.call(`/v1/admin/recharge-requests/${r.body.id}/confirm`, {
        body: {},
      });
      assert.equal(late.status, 409);
      assert.equal((await t.api('/v1/admin/billing/verify', { key: null })).status, 401);
      assert.deepEqual((await admin.call('/v1/admin/billing/verify')).body.differences, []);

      const audit = await admin.call(
        `/v1/admin/audit?tenantId=${a.tenantId}&action=billing.recharge_request_confirmed`,
      );
      assert.equal(audit.body.data.length, 1);
      assert.equal(audit.body.data[0].details.ledgerEntryId, won.ledgerEntryId);
      // The tenant is told (recorded even without SMTP: the email as skipped).
      await waitFor(
        async () =>
          (await t.api('/v1/notifications?kind=recharge_confirmed', { key: a.key })).body.data
            .length > 0,
        10_000,
        'the recharge notice',
      );
    });

    test('confirming with a corrected amount credits what the bank shows', async () => {
      const r = await submit(t, { cookie: aCookie }, { amount: '500', paymentReference: 'FIX-1' });
      const bad = await admin.call(`/v1/admin/recharge-requests/${r.body.id}/confirm`, {
        body: { amount: '499.999' },
      });
      assert.equal(bad.status, 422);
      assert.equal(bad.body.field, 'amount');
      const unknown = await admin.call(`/v1/admin/recharge-requests/${r.body.id}/confirm`, {
        body: { amount: '499.99', extra: 1 },
      });
      assert.equal(unknown.status, 400);
      assert.equal(unknown.body.field, 'extra');
      const ok = await admin.call(`/v1/admin/recharge-requests/${r.body.id}/confirm`, {
        body: { amount: '499.99' },
      });
      assert.equal(ok.status, 200, JSON.stringify(ok.body));
      assert.deepEqual(ok.body.credited, { amount: '499.9900', currency: 'CNY' });
      assert.deepEqual(ok.body.amount, { amount: '500.0000', currency: 'CNY' });
      const missing = await admin.call(
        '/v1/admin/recharge-requests/rcr_01J00000000000000000000000/confirm',
        {
          body: {},
        },
      );
      assert.equal(missing.status, 404);
      // No body at all is the same as {}.
      const bare = await admin.call(
        '/v1/admin/recharge-requests/rcr_01J00000000000000000000000/confirm',
        { method: 'POST' },
      );
      assert.equal(bare.status, 404, JSON.stringify(bare.body));
    });

    test('a reference already recharged by hand is not credited twice', async () => {
      await admin.call(`/v1/admin/tenants/${a.tenantId}/recharges`, {
        body: { amount: '80', reference: 'HAND-1' },
      });
      const r = await submit(t, { cookie: aCookie }, { amount: '80', paymentReference: 'HAND-1' });
      const c = await admin.call(`/v1/admin/recharge-requests/${r.body.id}/confirm`, { body: {} });
      assert.equal(c.status, 409);
      assert.equal(c.body.code, 'duplicate_reference');
      const still = await admin.call(
        `/v1/admin/recharge-requests?tenantId=${a.tenantId}&status=pending`,
      );
      assert.ok(
        still.body.data.some((x: any) => x.id === r.body.id),
        'still pending',
      );
    });

    test('rejecting: a reason is needed, the tenant sees it, and it cannot be confirmed after', async () => {
      const r = await submit(t, { cookie: aCookie }, { amount: '70', paymentReference: 'REJ-1' });
      const noReason = await admin.call(`/v1/admin/recharge-requests/${r.body.id}/reject`, {
        body: { reason: ' ' },
      });
      assert.equal(noReason.status, 400);
      assert.equal(noReason.body.field, 'reason');
      const rej = await admin.call(`/v1/admin/recharge-requests/${r.body.id}/reject`, {
        body: { reason: '未收到该笔转账' },
      });
      assert.equal(rej.status, 200);
      assert.equal(rej.body.status, 'rejected');
      const mine = (await t.api('/v1/recharge-requests?status=rejected', { key: a.key })).body.data;
      assert.equal(mine.find((x: any) => x.id === r.body.id).rejectReason, '未收到该笔转账');
      const confirm = await admin.call(`/v1/admin/recharge-requests/${r.body.id}/confirm`, {
        body: {},
      });
      assert.equal(confirm.status, 409);
      assert.equal(confirm.body.code, 'already_decided');
      // A rejected reference may be asked for again.
      assert.equal(
        (await submit(t, { cookie: aCookie }, { amount: '70', paymentReference: 'REJ-1' })).status,
        201,
      );
      const audit = await admin.call(`/v1/admin/audit?action=billing.recharge_request_rejected`);
      assert.equal(audit.body.data[0].targetId, r.body.id);
    });

    test('operator staff without billing rights may not decide', async () => {
      const created = await admin.call('/v1/admin/users', {
        body: { email: `support-rr@${database.dialect}.test`, name: 'S', role: 'support' },
      });
      const s = browser(t);
      await s.call('/v1/auth/login', {
        body: {
          email: `support-rr@${database.dialect}.test`,
          password: created.body.temporaryPassword,
        },
      });
      await s.call('/v1/auth/password', {
        body: { currentPassword: created.body.temporaryPassword, newPassword: GOOD_PASSWORD },
      });
      const list = await s.call('/v1/admin/recharge-requests');
      assert.equal(list.status, 403);
      const id = (await t.api('/v1/recharge-requests?status=pending', { key: a.key })).body.data[0]
        .id;
      const c = await s.call(`/v1/admin/recharge-requests/${id}/confirm`, { body: {} });
      assert.equal(c.status, 403);
      assert.equal((await s.call(`/v1/admin/recharge-requests/${id}/proof`)).status, 403);
    });
  });
}
