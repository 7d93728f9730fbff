// Over 500 lines: one platform and receiver per database for every webhook scenario; split, each file would start its own.
// Webhooks end to end, on both databases: endpoints (bad input, secrets shown once and sealed,
// tenant isolation), signed message.status and inbound.received deliveries, per-message
// callbackUrl, failed attempts (500, redirect, timeout, refused) retried then dead, re-send,
// test events, rotation, and a hanging endpoint that never holds up another tenant.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { databases } from './support/databases.ts';
import { startTestPlatform, waitFor, type TestPlatform } from './support/platform.ts';
import { operatorAdmin, registerCompany, type Browser } from './support/people.ts';
import { verifySignature } from '../src/security/webhook-signature.ts';
import { newId } from '../src/core/ids.ts';
import { keyringCipher } from '../src/security/body-cipher.ts';
import { parseKeyring } from '../src/security/secret-box.ts';
import { EventFeed } from '../src/store/event-feed.ts';
import { WebhookDeliveryStore } from '../src/store/webhook-deliveries.ts';
import type { Database } from '../src/store/schema.ts';
import type { Kysely } from 'kysely';

interface Hit {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  json: any;
}

type Answer = { status: number; body?: string; headers?: Record<string, string> } | 'hang';

/** A real HTTP receiver on loopback; `answer` decides each response (or to never answer). */
async function receiver(answer: (hit: Hit) => Answer = () => ({ status: 200, body: 'ok' })) {
  const hits: Hit[] = [];
  let open = 0;
  let maxOpen = 0;
  const state = { answer };
  const server: Server = createServer((req, res) => {
    open++;
    maxOpen = Math.max(maxOpen, open);
    res.on('close', () => open--);
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (body += c));
    req.on('end', () => {
      const hit = { path: req.url ?? '', headers: req.headers, body, json: JSON.parse(body) };
      hits.push(hit);
      const a = state.answer(hit);
      if (a === 'hang') return;
      res.writeHead(a.status, a.headers ?? {}).end(a.body ?? '');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  return {
    url: (path = '/hook') => `http://127.0.0.1:${port}${path}`,
    hits,
    state,
    get open() {
      return open;
    },
    get maxOpen() {
      return maxOpen;
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

type Receiver = Awaited<ReturnType<typeof receiver>>;

let numbers = 0;
/** A fresh mobile number each call (frequency caps; never ending in the simulator's 000x). */
const mobile = () => `1390013${String(1010 + numbers++).padStart(4, '0')}`;

const FINAL = new Set(['delivered', 'undelivered', 'expired', 'rejected', 'failed', 'unknown']);

type Api = (path: string, init?: any) => Promise<{ status: number; body: any }>;

/** Wait until the message (read with the tenant's own key) has its final status. */
async function final(api: Api, id: string): Promise<void> {
  await waitFor(
    async () => FINAL.has((await api(`/v1/messages/${id}`)).body?.status),
    10_000,
    `message ${id} to be final`,
  );
}

const encryptionKeys = `k1:${randomBytes(32).toString('base64')}`;
const sealedText = (text: string, id: string) => {
  const sealed = keyringCipher(parseKeyring(encryptionKeys)).seal(text, id);
  return { text: sealed.data, text_key_id: sealed.keyId };
};

for (const database of databases) {
  describe(`webhooks on ${database.dialect}`, () => {
    let t: TestPlatform;
    let admin: Browser;
    let a: Awaited<ReturnType<typeof registerCompany>>;
    let b: Awaited<ReturnType<typeof registerCompany>>;
    const receivers: Receiver[] = [];
    const recv = async (answer?: (hit: Hit) => Answer) => {
      const r = await receiver(answer);
      receivers.push(r);
      return r;
    };
    const as =
      (c: { key: string }) =>
      (path: string, init: any = {}) =>
        t.api(path, { ...init, key: c.key });
    let A: ReturnType<typeof as>;
    let B: ReturnType<typeof as>;
    const send = async (api: typeof A, body: object) => {
      const r = await api('/v1/messages', { body });
      assert.equal(r.status, 202, JSON.stringify(r.body));
      return r.body;
    };
    const addEndpoint = async (api: typeof A, body: object) => {
      const r = await api('/v1/webhooks', { body });
      assert.equal(r.status, 201, JSON.stringify(r.body));
      return r.body as { id: string; secret: string };
    };
    const db = () => t.platform.store.db;
    /** The fan-out has read every event written so far. */
    const fannedOut = async () => {
      const max = await db()
        .selectFrom('message_events')
        .select((eb) => eb.fn.max('id').as('m'))
        .executeTakeFirst();
      await waitFor(
        async () => {
          const c = await db()
            .selectFrom('webhook_cursor')
            .select('last_event_id')
            .executeTakeFirstOrThrow();
          return Number(c.last_event_id) >= Number(max?.m ?? 0);
        },
        10_000,
        'the fan-out to pass the last event',
      );
    };

    before(async () => {
      t = await startTestPlatform(database, {
        security: { encryptionKeys },
        webhooks: {
          timeoutMs: 1000,
          backoffBaseMs: 50,
          backoffMaxMs: 200,
          // Retries stop (dead) after about 2 s.
          maxAgeHours: 2 / 3600,
          pollMs: 20,
        },
      });
      admin = await operatorAdmin(t, `hooks-${database.dialect}@operator.test`);
      a = await registerCompany(t, `hooka-${database.dialect}`);
      b = await registerCompany(t, `hookb-${database.dialect}`);
      for (const c of [a, b]) {
        await admin.call(`/v1/admin/tenants/${c.tenantId}/status`, {
          body: { status: 'active', reason: 'ok' },
        });
        await admin.call(`/v1/admin/tenants/${c.tenantId}/recharges`, {
          body: { amount: '100', reference: `hooks-${c.tenantId}` },
        });
      }
      A = as(a);
      B = as(b);
    });
    after(async () => {
      await t.stop();
      for (const r of receivers) await r.close();
    });

    test('endpoints: bad input refused; the secret shown once and sealed; other tenants get 404', async () => {
      for (const [body, status, code] of [
        [{ url: 'ftp://example.com/x' }, 422, 'invalid_url'],
        [{ url: 'javascript:alert(1)' }, 422, 'invalid_url'],
        [{ url: 'not a url' }, 422, 'invalid_url'],
        [{ url: 'https://user:pw@example.com/hook' }, 422, 'invalid_url'],
        [{ url: `https://example.com/${'x'.repeat(2100)}` }, 400, 'invalid_request'],
        [{ url: '' }, 400, 'invalid_request'],
        [{ url: 'https://example.com', events: ['message.sent'] }, 400, 'invalid_request'],
        [{ url: 'https://example.com', events: [] }, 400, 'invalid_request'],
        [{ url: 'https://example.com', statuses: [] }, 400, 'invalid_request'],
        [{ url: 'https://example.com', statuses: ['sent'] }, 400, 'invalid_request'],
        // Loopback is allowed for these tests (test/support/platform.ts); the metadata service not.
        [{ url: 'http://169.254.169.254/latest/meta-data/' }, 422, 'target_not_allowed'],
        [{ url: 'http://[::ffff:a9fe:a9fe]/' }, 422, 'target_not_allowed'],
        [{ url: 'https://example.com', description: 'd'.repeat(201) }, 400, 'invalid_request'],
        [{ url: 'https://example.com', secret: 'mine' }, 400, 'invalid_request'],
        [{ events: ['message.status'] }, 400, 'invalid_request'],
      ] as const) {
        const r = await A('/v1/webhooks', { body });
        assert.deepEqual([r.status, r.body.code], [status, code], JSON.stringify(body));
      }
      assert.deepEqual((await A('/v1/webhooks')).body.data, [], 'nothing was created');

      const made = await addEndpoint(A, {
        url: 'https://hooks.example.com/sms',
        events: ['message.status'],
        description: 'orders',
      });
      assert.match(made.secret, /^whsec_[A-Za-z0-9_-]{43}$/);
      const listed = (await A('/v1/webhooks')).body.data;
      assert.deepEqual(
        listed.map((e: any) => [e.id, e.url, e.events, e.statuses, e.enabled, e.secret]),
        [[made.id, 'https://hooks.example.com/sms', ['message.status'], ['all'], true, undefined]],
      );
      assert.equal((await A(`/v1/webhooks/${made.id}`)).body.secret, undefined);
      const row = await db()
        .selectFrom('webhook_endpoints')
        .select('secret')
        .where('id', '=', made.id)
        .executeTakeFirstOrThrow();
      assert.ok(!row.secret.includes(made.secret), 'the secret is sealed at rest');
      assert.match(row.secret, /^k1:/);

      const patched = await A(`/v1/webhooks/${made.id}`, {
        method: 'PATCH',
        body: { description: null, events: ['message.status', 'inbound.received'] },
      });
      assert.equal(patched.status, 200);
      assert.deepEqual(
        [patched.body.description, patched.body.events],
        [null, ['message.status', 'inbound.received']],
      );
      for (const [body, code] of [
        [{}, 'invalid_request'],
        [{ url: 'gopher://x' }, 'invalid_url'],
        [{ url: 'http://10.0.0.1/' }, 'target_not_allowed'],
        [{ statuses: ['final', 'nope'] }, 'invalid_request'],
        [{ enabled: 'yes' }, 'invalid_request'],
      ] as const) {
        const r = await A(`/v1/webhooks/${made.id}`, { method: 'PATCH', body });
        assert.equal(r.body.code, code, JSON.stringify(body));
      }

      // Every webhook route, with A's ids, as B (key and owner session): not found.
      const dlv = newId('dlv');
      await db()
        .insertInto('webhook_deliveries')
        .values({
          id: dlv,
          tenant_id: a.tenantId,
          endpoint_id: made.id,
          callback_url: null,
          target: made.id,
          event_id: null,
          event_type: 'webhook.test',
          payload: '{}',
          payload_key_id: null,
          status: 'dead',
          attempts: 1,
          next_attempt_at: 0,
          lease_node: null,
          queued_at: Date.now(),
          created_at: Date.now(),
          updated_at: Date.now(),
          delivered_at: null,
          last_status_code: 500,
          last_error: 'HTTP 500',
        })
        .execute();
      const routes = t.platform.routes.filter(
        (r) => r.url.includes(':webhookId') || r.url.includes(':deliveryId'),
      );
      assert.equal(routes.length, 8, routes.map((r) => `${r.method} ${r.url}`).join(', '));
      for (const route of routes) {
        const path = route.url.replace(':webhookId', made.id).replace(':deliveryId', dlv);
        const body = route.method === 'PATCH' ? { enabled: false } : undefined;
        for (const call of [
          () => B(path, { method: route.method, ...(body ? { body } : {}) }),
          () => b.owner.call(path, { method: route.method, ...(body ? { body } : {}) }),
        ]) {
          const r = await call();
          assert.deepEqual(
            [r.status, r.body?.code],
            [404, 'not_found'],
            `${route.method} ${route.url} as B`,
          );
        }
      }
      assert.deepEqual((await B('/v1/webhooks')).body.data, []);
      assert.deepEqual((await B('/v1/webhooks/deliveries')).body.data, []);
      assert.equal((await A(`/v1/webhooks/${made.id}`)).body.enabled, true, 'A unchanged');
      assert.equal((await A(`/v1/webhooks/deliveries/${dlv}`)).body.status, 'dead');
      // A read-only key may look but not change.
      const ro = await a.owner.call('/v1/api-keys', { body: { name: 'ro', scopes: ['read'] } });
      const roPost = await t.api('/v1/webhooks', {
        key: ro.body.key,
        body: { url: 'https://x.example.com' },
      });
      assert.deepEqual([roPost.status, roPost.body.code], [403, 'forbidden']);
      assert.equal((await t.api('/v1/webhooks', { key: ro.body.key })).status, 200);

      assert.equal((await A(`/v1/webhooks/${made.id}`, { method: 'DELETE' })).status, 204);
      assert.equal((await A(`/v1/webhooks/${made.id}`)).status, 404);
      assert.equal((await A(`/v1/webhooks/deliveries/${dlv}`)).status, 404, 'deliveries go too');
    });

    test('message.status: every status change, signed, in order, shaped like the message view; never to another tenant', async () => {
      const ra = await recv();
      const rb = await recv();
      const ea = await addEndpoint(A, { url: ra.url(), events: ['message.status'] });
      await addEndpoint(B, { url: rb.url() });
      const ok = await send(A, { to: mobile(), text: 'hello', clientRef: 'order-1' });
      const failing = await send(A, { to: '13900130001', text: 'will fail' });
      const other = await send(B, { to: mobile(), text: 'from b' });
      const okId = ok.messages[0].id;
      const failId = failing.messages[0].id;
      await final(A, okId);
      // Several requests are in flight per endpoint: events may arrive out of order; their ids
      // (the message_events order) put them back in order.
      const expected = (id: string) =>
        ra.hits
          .filter((h) => h.json.data.messageId === id)
          .sort((x, y) => Number(x.json.id.slice(4)) - Number(y.json.id.slice(4)));
      await waitFor(
        () =>
          expected(okId).length === 3 &&
          expected(failId).some((h) => h.json.data.status === 'failed'),
        10_000,
        'A to hear of both messages',
      );
      assert.deepEqual(
        expected(okId).map((h) => h.json.data.status),
        ['queued', 'submitted', 'delivered'],
      );
      for (const h of ra.hits) {
        assert.equal(h.headers['content-type'], 'application/json');
        assert.equal(h.headers['user-agent'], 'Hongyan-Webhooks/1');
        assert.equal(h.headers['hongyan-event-id'], h.json.id);
        assert.match(String(h.headers['hongyan-signature']), /^t=\d+,v1=[0-9a-f]{64}$/);
        assert.ok(verifySignature(String(h.headers['hongyan-signature']), h.body, ea.secret));
        assert.ok(
          !verifySignature(String(h.headers['hongyan-signature']), h.body + ' ', ea.secret),
        );
        assert.equal(h.json.type, 'message.status');
      }
      const seqs = ra.hits.map((h) => Number(h.json.id.slice(4)));
      assert.equal(new Set(seqs).size, seqs.length, 'each event once');
      const delivered = expected(okId)[2]!.json;
      assert.deepEqual(
        {
          ...delivered.data,
          submittedAt: typeof delivered.data.submittedAt,
          doneAt: typeof delivered.data.doneAt,
        },
        {
          messageId: okId,
          batchId: ok.batchId,
          clientRef: 'order-1',
          to: ok.messages[0].to,
          status: 'delivered',
          parts: 1,
          encoding: ok.messages[0].encoding,
          class: 'notification',
          channel: 'sim',
          price: ok.messages[0].price,
          pricePerPart: ok.messages[0].price,
          charged: ok.messages[0].price,
          error: null,
          submittedAt: 'string',
          doneAt: 'string',
        },
      );
      const failed = expected(failId).find((h) => h.json.data.status === 'failed')!.json.data;
      const view = (await A(`/v1/messages/${failId}`)).body;
      assert.deepEqual(failed.error, view.error);
      assert.equal(failed.error.code, 'ESME_RSUBMITFAIL');
      assert.ok(
        ra.hits.every((h) => h.json.data.messageId !== other.messages[0].id),
        "B's events never reach A",
      );
      await waitFor(() => rb.hits.length > 0, 10_000, 'B to hear of its message');
      assert.ok(rb.hits.every((h) => h.json.data.messageId === other.messages[0].id));

      // Every delivery and its attempt is on record. The receiver hears an event before the sender
      // has recorded its answer, so wait for the records rather than read them at once.
      let list = await A(`/v1/webhooks/${ea.id}/deliveries?status=delivered`);
      await waitFor(
        async () => {
          list = await A(`/v1/webhooks/${ea.id}/deliveries?status=delivered`);
          return list.status === 200 && list.body.data.length >= 4;
        },
        10_000,
        'four deliveries recorded as delivered',
      );
      assert.equal(list.status, 200);
      assert.ok(list.body.data.length >= 4);
      for (const d of list.body.data) {
        assert.equal(d.webhookId, ea.id);
        assert.equal(d.attempts.length, 1);
        assert.deepEqual(
          [d.attempts[0].statusCode, d.attempts[0].error, typeof d.attempts[0].durationMs],
          [200, null, 'number'],
        );
        assert.ok(!('response' in d.attempts[0]), 'never the body of the answer');
      }
      const one = await A(`/v1/webhooks/deliveries/${list.body.data[0].id}`);
      assert.equal(one.body.payload.id, one.body.eventId);
      assert.equal((await A(`/v1/webhooks/${ea.id}/deliveries?status=lost`)).status, 400);
      assert.equal((await A(`/v1/webhooks/${ea.id}/deliveries?limit=1000`)).status, 400);
      await A(`/v1/webhooks/${ea.id}`, { method: 'DELETE' });
    });

    test('a replayed fan-out creates no delivery twice', async () => {
      const r = await recv();
      await addEndpoint(A, { url: r.url() });
      const m = await send(A, { to: mobile(), text: 'once' });
      await final(A, m.messages[0].id);
      await fannedOut();
      const count = async () =>
        Number(
          (
            await db()
              .selectFrom('webhook_deliveries')
              .select((eb) => eb.fn.countAll().as('n'))
              .executeTakeFirstOrThrow()
          ).n,
        );
      const before = await count();
      // As if a node crashed after inserting deliveries but before moving the cursor.
      const store = new WebhookDeliveryStore(
        db(),
        database.dialect,
        keyringCipher(parseKeyring(encryptionKeys)),
      );
      const first = await db()
        .selectFrom('message_events')
        .select((eb) => eb.fn.min('id').as('m'))
        .where('message_id', '=', m.messages[0].id)
        .executeTakeFirstOrThrow();
      await db()
        .updateTable('webhook_cursor')
        .set({ last_event_id: Number(first.m) - 1 })
        .execute();
      const max = Number(
        (
          await db()
            .selectFrom('message_events')
            .select((eb) => eb.fn.max('id').as('m'))
            .executeTakeFirstOrThrow()
        ).m,
      );
      let created = 0;
      for (;;) {
        const out = await store.fanOut(
          new EventFeed(db(), keyringCipher(parseKeyring(encryptionKeys))),
          {
            upTo: max,
            limit: 500,
            now: Date.now(),
            origin: (u) => new URL(u).origin,
          },
        );
        created += out.created;
        if (out.events === 0) break;
      }
      assert.equal(created, 0);
      assert.equal(await count(), before);
    });

    test('inbound.received goes to endpoints subscribed to it, text sealed at rest', async () => {
      const inbound = await recv();
      const statusOnly = await recv();
      const e = await addEndpoint(A, { url: inbound.url(), events: ['inbound.received'] });
      await addEndpoint(A, { url: statusOnly.url(), events: ['message.status'] });
      const id = newId('inb');
      const now = Date.now();
      // What inbound routing writes when a reply is assigned to a tenant.
      await db()
        .transaction()
        .execute(async (trx) => {
          await trx
            .insertInto('inbound_messages')
            .values({
              id,
              channel_id: 'sim',
              from: '+8613900131234',
              to: '1069000012',
              // Sealed, as inbound routing stores it.
              ...sealedText('好的，收到 👍', id),
              tenant_id: a.tenantId,
              received_at: now,
            })
            .execute();
          await trx
            .insertInto('message_events')
            .values({
              message_id: id,
              tenant_id: a.tenantId,
              status: 'inbound',
              detail: null,
              created_at: now,
            })
            .execute();
        });
      await waitFor(() => inbound.hits.length === 1, 10_000, 'the inbound event');
      const hit = inbound.hits[0]!;
      assert.ok(verifySignature(String(hit.headers['hongyan-signature']), hit.body, e.secret));
      assert.deepEqual(hit.json.type, 'inbound.received');
      assert.deepEqual(hit.json.data, {
        id,
        from: '+8613900131234',
        to: '1069000012',
        text: '好的，收到 👍',
        receivedAt: new Date(now).toISOString(),
      });
      await fannedOut();
      assert.ok(statusOnly.hits.every((h) => h.json.type === 'message.status'));
      const row = await db()
        .selectFrom('webhook_deliveries')
        .select(['payload', 'payload_key_id'])
        .where('endpoint_id', '=', e.id)
        .executeTakeFirstOrThrow();
      assert.equal(row.payload_key_id, 'k1');
      assert.ok(!row.payload.includes('收到'), 'the text is not stored in clear');
      for (const w of (await A('/v1/webhooks')).body.data)
        await A(`/v1/webhooks/${w.id}`, { method: 'DELETE' });
    });

    test('callbackUrl: replaces the endpoints for that message, signed with the callback secret; a bad one writes nothing', async () => {
      const endpoint = await recv();
      const callback = await recv();
      await addEndpoint(A, { url: endpoint.url() });
      const balance = (await A('/v1/balance')).body;
      const count = (await A('/v1/messages?limit=1000')).body.data.length;
      for (const [callbackUrl, status, code] of [
        ['ftp://example.com/cb', 422, 'invalid_url'],
        ['/relative', 422, 'invalid_url'],
        [42, 400, 'invalid_request'],
        [`https://example.com/${'c'.repeat(2100)}`, 400, 'invalid_request'],
      ] as const) {
        const r = await A('/v1/messages', { body: { to: mobile(), text: 'x', callbackUrl } });
        assert.deepEqual([r.status, r.body.code], [status, code], String(callbackUrl));
      }
      assert.deepEqual((await A('/v1/balance')).body, balance, 'nothing held');
      assert.equal((await A('/v1/messages?limit=1000')).body.data.length, count, 'nothing written');

      const secret = await A('/v1/webhooks/callback-secret', { method: 'POST' });
      assert.equal(secret.status, 201, JSON.stringify(secret.body));
      const m = await send(A, {
        to: [mobile(), mobile()],
        text: 'with a callback',
        callbackUrl: callback.url('/cb?order=7'),
      });
      const plain = await send(A, { to: mobile(), text: 'without' });
      const ids = m.messages.map((x: any) => x.id);
      for (const id of [...ids, plain.messages[0].id]) await final(A, id);
      await waitFor(
        () => callback.hits.filter((h) => h.json.data.status === 'delivered').length === 2,
        10_000,
        'both callbacks',
      );
      await waitFor(
        () => endpoint.hits.some((h) => h.json.data.status === 'delivered'),
        10_000,
        'the endpoint to hear of the plain message',
      );
      assert.ok(callback.hits.every((h) => h.path === '/cb?order=7'));
      assert.ok(callback.hits.every((h) => ids.includes(h.json.data.messageId)));
      assert.ok(
        endpoint.hits.every((h) => !ids.includes(h.json.data.messageId)),
        'the callback replaces the endpoints',
      );
      for (const h of callback.hits)
        assert.ok(
          verifySignature(String(h.headers['hongyan-signature']), h.body, secret.body.secret),
        );
      const cbList = await A('/v1/webhooks/deliveries?callbacks=true');
      assert.ok(cbList.body.data.length >= 6);
      assert.ok(cbList.body.data.every((d: any) => d.webhookId === null && d.callbackUrl));
      for (const w of (await A('/v1/webhooks')).body.data)
        await A(`/v1/webhooks/${w.id}`, { method: 'DELETE' });
    });

    test('statuses: an endpoint and a callbackUrl choose the status events they get (final only)', async () => {
      const everything = await recv();
      const finals = await recv();
      const callback = await recv();
      await addEndpoint(A, { url: everything.url(), events: ['message.status'] });
      const eFinal = await addEndpoint(A, {
        url: finals.url(),
        events: ['message.status'],
        statuses: ['final'],
      });
      assert.deepEqual((await A(`/v1/webhooks/${eFinal.id}`)).body.statuses, ['final']);
      const count = (await A('/v1/messages?limit=1000')).body.data.length;
      for (const [body, code] of [
        [{ callbackStatuses: ['final'] }, 'invalid_request'],
        [{ callbackUrl: callback.url(), callbackStatuses: ['sent'] }, 'invalid_request'],
        [{ callbackUrl: callback.url(), callbackStatuses: [] }, 'invalid_request'],
        [{ callbackUrl: callback.url(), callbackStatuses: 'final' }, 'invalid_request'],
      ] as const) {
        const r = await A('/v1/messages', { body: { to: mobile(), text: 'x', ...body } });
        assert.deepEqual([r.status, r.body.code], [400, code], JSON.stringify(body));
      }
      assert.equal((await A('/v1/messages?limit=1000')).body.data.length, count, 'nothing written');

      const plain = (await send(A, { to: mobile(), text: 'to the endpoints' })).messages[0].id;
      const failing = (await send(A, { to: '13900130001', text: 'fails' })).messages[0].id;
      const chosen = (
        await send(A, {
          to: mobile(),
          text: 'submitted and delivered',
          callbackUrl: callback.url('/chosen'),
          callbackStatuses: ['submitted', 'delivered'],
        })
      ).messages[0].id;
      const finalOnly = (
        await send(A, {
          to: mobile(),
          text: 'final only',
          callbackUrl: callback.url('/final'),
          callbackStatuses: ['final'],
        })
      ).messages[0].id;
      for (const id of [plain, failing, chosen, finalOnly]) await final(A, id);
      await fannedOut();
      // The fan-out's decision, as written: which statuses each target got a delivery for.
      const made = await db()
        .selectFrom('webhook_deliveries')
        .select(['endpoint_id', 'callback_url', 'event_id', 'payload'])
        .where('tenant_id', '=', a.tenantId)
        .where('event_type', '=', 'message.status')
        .orderBy('event_id')
        .execute();
      const got = (to: (d: (typeof made)[number]) => boolean, id: string) =>
        made
          .filter((d) => to(d) && JSON.parse(d.payload).data.messageId === id)
          .map((d) => JSON.parse(d.payload).data.status);
      const toFinals = (d: (typeof made)[number]) => d.endpoint_id === eFinal.id;
      const toEverything = (d: (typeof made)[number]) =>
        d.endpoint_id !== null && d.endpoint_id !== eFinal.id;
      const toCallback = (d: (typeof made)[number]) => d.callback_url !== null;
      assert.deepEqual(got(toEverything, plain), ['queued', 'submitted', 'delivered']);
      assert.deepEqual(got(toFinals, plain), ['delivered']);
      assert.deepEqual(got(toFinals, failing), ['failed']);
      assert.deepEqual(got(toCallback, chosen), ['submitted', 'delivered']);
      assert.deepEqual(got(toCallback, finalOnly), ['delivered']);
      for (const id of [chosen, finalOnly])
        assert.deepEqual([got(toFinals, id), got(toEverything, id)], [[], []], 'callbacks replace');
      // And what arrived.
      await waitFor(
        () => finals.hits.length === 2 && callback.hits.length === 3,
        10_000,
        'the chosen events to arrive',
      );
      assert.deepEqual(
        finals.hits.map((h) => [h.json.data.messageId, h.json.data.status]).sort(),
        [
          [failing, 'failed'],
          [plain, 'delivered'],
        ].sort(),
      );
      assert.deepEqual(callback.hits.map((h) => `${h.path} ${h.json.data.status}`).sort(), [
        '/chosen delivered',
        '/chosen submitted',
        '/final delivered',
      ]);
      // Back to everything.
      const patched = await A(`/v1/webhooks/${eFinal.id}`, {
        method: 'PATCH',
        body: { statuses: ['all'] },
      });
      assert.deepEqual(patched.body.statuses, ['all']);
      for (const w of (await A('/v1/webhooks')).body.data)
        await A(`/v1/webhooks/${w.id}`, { method: 'DELETE' });
    });

    test('500, redirect, timeout, refused: failed attempts retried with backoff, then dead; re-send delivers', async () => {
      const big = 'E'.repeat(5000);
      const elsewhere = await recv();
      const failing = await recv(() => ({ status: 500, body: big }));
      const redirecting = await recv(() => ({
        status: 302,
        headers: { location: elsewhere.url('/moved') },
      }));
      const hanging = await recv(() => 'hang');
      const closed = await recv();
      const refusedUrl = closed.url();
      await closed.close();
      const eps = {
        failing: await addEndpoint(A, { url: failing.url(), events: ['inbound.received'] }),
        redirecting: await addEndpoint(A, { url: redirecting.url(), events: ['inbound.received'] }),
        hanging: await addEndpoint(A, { url: hanging.url(), events: ['inbound.received'] }),
        refused: await addEndpoint(A, { url: refusedUrl, events: ['inbound.received'] }),
      };
      const id = newId('inb');
      await db()
        .transaction()
        .execute(async (trx) => {
          await trx
            .insertInto('inbound_messages')
            .values({
              id,
              channel_id: 'sim',
              from: '+8613900131235',
              to: '1069000012',
              text: 'T',
              tenant_id: a.tenantId,
              received_at: Date.now(),
            })
            .execute();
          await trx
            .insertInto('message_events')
            .values({
              message_id: id,
              tenant_id: a.tenantId,
              status: 'inbound',
              detail: null,
              created_at: Date.now(),
            })
            .execute();
        });
      const deliveryOf = async (webhookId: string) =>
        (await A(`/v1/webhooks/${webhookId}/deliveries`)).body.data[0];
      for (const [name, e] of Object.entries(eps))
        await waitFor(
          async () => (await deliveryOf(e.id))?.status === 'dead',
          20_000,
          `the ${name} delivery to be dead`,
        );
      const failed = await deliveryOf(eps.failing.id);
      assert.ok(failed.attempts.length >= 2, 'retried');
      for (const at of failed.attempts) {
        assert.deepEqual([at.statusCode, at.error], [500, 'HTTP 500']);
        assert.deepEqual(Object.keys(at).sort(), ['at', 'durationMs', 'error', 'statusCode']);
      }
      assert.ok(
        !JSON.stringify((await A(`/v1/webhooks/deliveries/${failed.id}`)).body).includes('EEEE'),
        'the body of the answer reaches the tenant nowhere',
      );
      const kept = await db()
        .selectFrom('webhook_attempts')
        .select('response')
        .where('delivery_id', '=', failed.id)
        .execute();
      assert.ok(kept.length >= 2 && kept.every((k) => k.response === null), 'nor is it stored');
      const times = failed.attempts.map((x: any) => Date.parse(x.at));
      for (let i = 1; i < times.length; i++) assert.ok(times[i] > times[i - 1]);
      assert.equal(failing.hits.length, failed.attempts.length);
      assert.equal(new Set(failing.hits.map((h) => h.json.id)).size, 1, 'the same event each time');

      const redirected = await deliveryOf(eps.redirecting.id);
      assert.equal(redirected.attempts[0].statusCode, 302);
      assert.equal(redirected.attempts[0].error, 'redirect not followed');
      assert.equal(elsewhere.hits.length, 0, 'redirects are not followed');

      const timedOut = await deliveryOf(eps.hanging.id);
      assert.deepEqual(
        [timedOut.attempts[0].statusCode, timedOut.attempts[0].error],
        [null, 'no answer within 1000 ms'],
      );
      const refused = await deliveryOf(eps.refused.id);
      assert.equal(refused.attempts[0].error, 'connection refused (ECONNREFUSED)');
      assert.equal(refused.lastError, 'connection refused (ECONNREFUSED)');

      const dead = await A(`/v1/webhooks/${eps.failing.id}/deliveries?status=dead`);
      assert.deepEqual(
        dead.body.data.map((d: any) => d.id),
        [failed.id],
      );
      // The endpoint is fixed: re-send the dead letter.
      failing.state.answer = () => ({ status: 204 });
      const resent = await A(`/v1/webhooks/deliveries/${failed.id}/resend`, { method: 'POST' });
      assert.deepEqual([resent.status, resent.body.status], [202, 'pending']);
      await waitFor(
        async () => (await deliveryOf(eps.failing.id)).status === 'delivered',
        10_000,
        'the re-sent delivery',
      );
      const done = await deliveryOf(eps.failing.id);
      assert.equal(done.attempts.length, failed.attempts.length + 1);
      assert.equal(done.attempts.at(-1).statusCode, 204);
      assert.equal(
        (await B(`/v1/webhooks/deliveries/${failed.id}/resend`, { method: 'POST' })).status,
        404,
      );
      assert.equal(
        (await A(`/v1/webhooks/deliveries/dlv_nope/resend`, { method: 'POST' })).status,
        404,
      );
      for (const w of (await A('/v1/webhooks')).body.data)
        await A(`/v1/webhooks/${w.id}`, { method: 'DELETE' });
    });

    test('test events: sent now, answered with the attempt; rotation signs with both secrets for a while', async () => {
      const r = await recv();
      const e = await addEndpoint(A, { url: r.url(), events: ['inbound.received'] });
      const ok = await A(`/v1/webhooks/${e.id}/test`, { method: 'POST' });
      assert.equal(ok.status, 200);
      assert.equal(ok.body.status, 'delivered');
      assert.equal(ok.body.eventType, 'webhook.test');
      assert.deepEqual([ok.body.attempts.length, ok.body.attempts[0].statusCode], [1, 200]);
      assert.equal(r.hits.length, 1);
      assert.equal(r.hits[0]!.json.type, 'webhook.test');
      assert.ok(
        verifySignature(String(r.hits[0]!.headers['hongyan-signature']), r.hits[0]!.body, e.secret),
      );

      const rotated = await A(`/v1/webhooks/${e.id}/rotate-secret`, { method: 'POST' });
      assert.equal(rotated.status, 200);
      assert.notEqual(rotated.body.secret, e.secret);
      await A(`/v1/webhooks/${e.id}/test`, { method: 'POST' });
      const graced = r.hits[1]!;
      const header = String(graced.headers['hongyan-signature']);
      assert.equal(header.split(',').length, 3, 't and two v1 during the grace period');
      assert.ok(verifySignature(header, graced.body, rotated.body.secret));
      assert.ok(verifySignature(header, graced.body, e.secret));

      const now = await A(`/v1/webhooks/${e.id}/rotate-secret`, {
        method: 'POST',
        body: { keepPreviousHours: 0 },
      });
      await A(`/v1/webhooks/${e.id}/test`, { method: 'POST' });
      const last = r.hits[2]!;
      const h = String(last.headers['hongyan-signature']);
      assert.ok(verifySignature(h, last.body, now.body.secret));
      assert.ok(!verifySignature(h, last.body, rotated.body.secret), 'the old one is revoked');
      assert.equal(
        (
          await A(`/v1/webhooks/${e.id}/rotate-secret`, {
            method: 'POST',
            body: { keepPreviousHours: 999 },
          })
        ).status,
        400,
      );

      r.state.answer = () => ({ status: 503, body: 'down for maintenance' });
      const down = await A(`/v1/webhooks/${e.id}/test`, { method: 'POST' });
      assert.deepEqual(
        [down.body.status, down.body.attempts[0].statusCode, down.body.attempts[0].error],
        ['dead', 503, 'HTTP 503'],
        'a test is not retried',
      );
      assert.equal(typeof down.body.attempts[0].durationMs, 'number');
      assert.ok(!JSON.stringify(down.body).includes('maintenance'), 'only status and timing');
      // Disabled: events are not fanned out to it (a test still goes).
      r.state.answer = () => ({ status: 200 });
      await A(`/v1/webhooks/${e.id}`, {
        method: 'PATCH',
        body: { enabled: false, events: ['message.status'] },
      });
      const before = r.hits.length;
      const m = await send(A, { to: mobile(), text: 'nobody listens' });
      await final(A, m.messages[0].id);
      await fannedOut();
      assert.equal(r.hits.length, before);
      assert.equal(
        (
          await db()
            .selectFrom('webhook_deliveries')
            .select('id')
            .where('endpoint_id', '=', e.id)
            .where('event_type', '=', 'message.status')
            .execute()
        ).length,
        0,
      );
      await A(`/v1/webhooks/${e.id}`, { method: 'DELETE' });
    });
  });

  describe(`webhook concurrency on ${database.dialect}`, () => {
    let t: TestPlatform;
    const receivers: Receiver[] = [];
    before(async () => {
      t = await startTestPlatform(database, {
        webhooks: { timeoutMs: 60_000, perEndpoint: 4, perTenant: 6, global: 10, pollMs: 20 },
      });
    });
    after(async () => {
      await t.stop();
      for (const r of receivers) await r.close();
    });

    test('hanging endpoints tie up only their own slots: another tenant gets its events at once', async () => {
      const admin = await operatorAdmin(t, `hang-${database.dialect}@operator.test`);
      const slow = await registerCompany(t, `hangs-${database.dialect}`);
      const fast = await registerCompany(t, `quick-${database.dialect}`);
      for (const c of [slow, fast]) {
        await admin.call(`/v1/admin/tenants/${c.tenantId}/status`, {
          body: { status: 'active', reason: 'ok' },
        });
        await admin.call(`/v1/admin/tenants/${c.tenantId}/recharges`, {
          body: { amount: '100', reference: `hang-${c.tenantId}` },
        });
      }
      const hang1 = await receiver(() => 'hang');
      const hang2 = await receiver(() => 'hang');
      const healthy = await receiver();
      receivers.push(hang1, hang2, healthy);
      for (const r of [hang1, hang2])
        assert.equal(
          (await t.api('/v1/webhooks', { key: slow.key, body: { url: r.url() } })).status,
          201,
        );
      assert.equal(
        (await t.api('/v1/webhooks', { key: fast.key, body: { url: healthy.url() } })).status,
        201,
      );
      // A backlog for the hanging endpoints: 30 messages, ~90 events each.
      const backlog = await t.api('/v1/messages', {
        key: slow.key,
        body: { to: Array.from({ length: 30 }, mobile), text: 'backlog' },
      });
      assert.equal(backlog.status, 202);
      await waitFor(() => hang1.open + hang2.open >= 6, 10_000, 'the hanging endpoints to fill up');
      // A pending delivery still being tried cannot be re-sent.
      const pending = (await t.api('/v1/webhooks/deliveries?status=pending', { key: slow.key }))
        .body.data[0];
      const early = await t.api(`/v1/webhooks/deliveries/${pending.id}/resend`, {
        key: slow.key,
        method: 'POST',
      });
      assert.deepEqual([early.status, early.body.code], [409, 'invalid_transition']);

      const m = await t.api('/v1/messages', {
        key: fast.key,
        body: { to: [mobile(), mobile(), mobile()], text: 'quick' },
      });
      assert.equal(m.status, 202);
      const ids = m.body.messages.map((x: any) => x.id);
      await waitFor(
        () =>
          ids.every((id: string) =>
            healthy.hits.some(
              (h) => h.json.data.messageId === id && h.json.data.status === 'delivered',
            ),
          ),
        10_000,
        'the healthy tenant to hear of all its messages while the others hang',
      );
      assert.ok(hang1.maxOpen <= 4 && hang2.maxOpen <= 4, 'at most 4 in flight per endpoint');
      assert.ok(hang1.maxOpen + hang2.maxOpen <= 8);
      assert.ok(hang1.open + hang2.open <= 6, 'at most 6 in flight per tenant');
      const stuck = await t.api('/v1/webhooks/deliveries?limit=100', { key: slow.key });
      assert.equal(
        stuck.body.data.filter((d: any) => d.status === 'delivered').length,
        0,
        'the hanging ones are still waiting',
      );
    });
  });

  describe(`webhook store on ${database.dialect}`, () => {
    let db: Kysely<Database>;
    let close: () => Promise<void>;
    let store: WebhookDeliveryStore;
    before(async () => {
      const opened = await database.open();
      db = opened.store.db;
      close = () => opened.store.close();
      store = new WebhookDeliveryStore(
        db,
        database.dialect,
        keyringCipher(parseKeyring(encryptionKeys)),
      );
    });
    after(() => close());

    const delivery = (
      o: Partial<{
        id: string;
        target: string;
        status: string;
        at: number;
        eventId: number | null;
      }>,
    ) => {
      const at = o.at ?? Date.now();
      return {
        id: o.id ?? newId('dlv', at),
        tenant_id: 'ten_store',
        endpoint_id: o.target ?? 'whk_x',
        callback_url: null,
        target: o.target ?? 'whk_x',
        event_id: o.eventId ?? null,
        event_type: 'message.status',
        payload: '{"id":"evt_test_x"}',
        payload_key_id: null,
        status: o.status ?? 'pending',
        attempts: 0,
        next_attempt_at: at,
        lease_node: null,
        queued_at: at,
        created_at: at,
        updated_at: at,
        delivered_at: null,
        last_status_code: null,
        last_error: null,
      };
    };

    test('two nodes claiming at once never hold the same delivery; a lost lease settles nothing', async () => {
      const rows = Array.from({ length: 300 }, (_, i) => delivery({ target: `whk_t${i % 10}` }));
      for (let i = 0; i < rows.length; i += 100)
        await db
          .insertInto('webhook_deliveries')
          .values(rows.slice(i, i + 100))
          .execute();
      const now = Date.now() + 1;
      const claim = (node: string) =>
        store.claim({
          node,
          now,
          leaseMs: 60_000,
          limit: 200,
          perTarget: 12,
          skipTargets: [],
          skipTenants: [],
        });
      const [x, y] = await Promise.all([claim('node-x'), claim('node-y')]);
      const ids = [...x, ...y].map((c) => c.id);
      assert.equal(new Set(ids).size, ids.length, 'no delivery claimed twice');
      // Side by side (PostgreSQL, SKIP LOCKED) or one after the other (SQLite): 120 or 240.
      assert.ok(ids.length >= 120 && ids.length <= 240, String(ids.length));
      for (const batch of [x, y]) {
        const perTarget = new Map<string, number>();
        for (const c of batch) perTarget.set(c.target, (perTarget.get(c.target) ?? 0) + 1);
        assert.ok(
          [...perTarget.values()].every((n) => n <= 12),
          'at most perTarget per claim',
        );
      }
      const skipped = await store.claim({
        node: 'node-z',
        now,
        leaseMs: 60_000,
        limit: 500,
        perTarget: 500,
        skipTargets: ['whk_t0', 'whk_t1'],
        skipTenants: [],
      });
      assert.ok(skipped.every((c) => c.target !== 'whk_t0' && c.target !== 'whk_t1'));
      assert.equal(
        (
          await store.claim({
            node: 'node-w',
            now,
            leaseMs: 60_000,
            limit: 500,
            perTarget: 500,
            skipTargets: [],
            skipTenants: ['ten_store'],
          })
        ).length,
        0,
      );
      // node-y settles a delivery node-x holds: nothing changes.
      const held = x[0]!;
      await store.settle(
        [
          {
            id: held.id,
            node: 'node-y',
            leaseUntil: held.leaseUntil,
            attempt: null,
            status: 'delivered',
            nextAttemptAt: now,
          },
        ],
        now,
      );
      const row = await db
        .selectFrom('webhook_deliveries')
        .select(['status', 'lease_node'])
        .where('id', '=', held.id)
        .executeTakeFirstOrThrow();
      assert.deepEqual([row.status, row.lease_node], ['pending', 'node-x']);
      await store.settle(
        [
          {
            id: held.id,
            node: 'node-x',
            leaseUntil: held.leaseUntil,
            attempt: { at: now, statusCode: 200, error: null, durationMs: 3 },
            status: 'delivered',
            nextAttemptAt: now,
          },
        ],
        now,
      );
      const done = await db
        .selectFrom('webhook_deliveries')
        .selectAll()
        .where('id', '=', held.id)
        .executeTakeFirstOrThrow();
      assert.deepEqual(
        [done.status, Number(done.attempts), done.lease_node, Number(done.last_status_code)],
        ['delivered', 1, null, 200],
      );
      // A node that restarts gives back what it held.
      assert.ok((await store.releaseLeases('node-y', now)) >= y.length);
      await db.deleteFrom('webhook_deliveries').execute();
      await db.deleteFrom('webhook_attempts').execute();
    });

    test('retention: old delivered and dead deliveries and old fanned-out events go; nothing else', async () => {
      const day = 24 * 3600_000;
      const now = Date.now();
      const old = now - 8 * day;
      const rows = {
        oldDelivered: delivery({ status: 'delivered', at: old }),
        oldDead: delivery({ status: 'dead', at: old }),
        oldFailed: delivery({ status: 'failed', at: old }),
        newDelivered: delivery({ status: 'delivered', at: now }),
      };
      await db.insertInto('webhook_deliveries').values(Object.values(rows)).execute();
      await db
        .insertInto('webhook_attempts')
        .values(
          Object.values(rows).map((r) => ({
            delivery_id: r.id,
            at: r.created_at,
            status_code: 200,
            error: null,
            response: null,
            duration_ms: 1,
          })),
        )
        .execute();
      const event = async (at: number) =>
        Number(
          (
            await db
              .insertInto('message_events')
              .values({
                message_id: 'msg_x',
                tenant_id: 'ten_store',
                status: 'queued',
                detail: null,
                created_at: at,
              })
              .returning('id')
              .executeTakeFirstOrThrow()
          ).id,
        );
      const e1 = await event(old);
      const e2 = await event(old);
      const e3 = await event(now);
      const e4 = await event(old); // old, but not yet fanned out: kept
      await db.updateTable('webhook_cursor').set({ last_event_id: e3 }).execute();
      const pruned = await store.prune(now - 7 * day);
      assert.deepEqual(pruned, { deliveries: 2, events: 2 });
      const left = (await db.selectFrom('webhook_deliveries').select('id').execute())
        .map((r) => r.id)
        .sort();
      assert.deepEqual(left, [rows.oldFailed.id, rows.newDelivered.id].sort());
      const attempts = (await db.selectFrom('webhook_attempts').select('delivery_id').execute())
        .map((r) => r.delivery_id)
        .sort();
      assert.deepEqual(attempts, left);
      const events = (await db.selectFrom('message_events').select('id').execute()).map((r) =>
        Number(r.id),
      );
      assert.deepEqual(
        events.sort((p, q) => p - q),
        [e3, e4],
      );
      assert.ok(!events.includes(e1) && !events.includes(e2));
    });
  });
}
