// Webhooks cannot reach internal services (issue 11, item 1), on both databases, with the
// default egress policy: loopback, private, link-local and metadata addresses refused when an
// endpoint or a callbackUrl is given (422 target_not_allowed, nothing written), again at send
// time (a stored URL, a name that resolves to loopback), redirects never followed, and a tenant
// shown only the status code and timing of an answer. The one allowed target, 127.0.0.2, stands
// for a public server (Linux routes all of 127/8 to loopback); 127.0.0.1 is the internal service.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { lookup } from 'node:dns/promises';
import { hostname } from 'node:os';
import { createServer, type Server } from 'node:http';
import { databases } from './support/databases.ts';
import { startTestPlatform, waitFor, type TestPlatform } from './support/platform.ts';
import { operatorAdmin, registerCompany } from './support/people.ts';
import { EgressPolicy, isPublicAddress, type Resolve } from '../src/net/egress-policy.ts';
import { NO_PUBLIC_HOST, WebhookSender } from '../src/events/webhooks/sender.ts';
import { ConfigError, loadConfig } from '../src/config.ts';

interface Answer {
  status: number;
  body?: string;
  headers?: Record<string, string>;
}

/** A real HTTP server on `host`; counts what reaches it. */
async function server(host: string, answer: () => Answer = () => ({ status: 200, body: 'ok' })) {
  const hits: string[] = [];
  const state = { answer };
  const s: Server = createServer((req, res) => {
    hits.push(req.url ?? '');
    req.resume();
    req.on('end', () => {
      const a = state.answer();
      res.writeHead(a.status, a.headers ?? {}).end(a.body ?? '');
    });
  });
  await new Promise<void>((r) => s.listen(0, host, r));
  const port = (s.address() as { port: number }).port;
  return {
    port,
    url: (path = '/hook') => `http://${host}:${port}${path}`,
    hits,
    state,
    async close() {
      s.closeAllConnections();
      await new Promise<void>((r) => s.close(() => r()));
    },
  };
}

let numbers = 0;
const mobile = () => `1390014${String(1010 + numbers++).padStart(4, '0')}`;

/** A name this machine resolves to a non-public address only (its own host name, usually). */
async function nameForLoopback(): Promise<string | null> {
  for (const name of [hostname(), 'ip6-localhost', 'localhost.localdomain']) {
    try {
      const found = await lookup(name, { all: true });
      // localhost and *.localhost are refused by name already; this is about DNS.
      const byName = name === 'localhost' || name.endsWith('.localhost');
      if (!byName && found.length > 0 && found.every((a) => !isPublicAddress(a.address)))
        return name;
    } catch {
      // not known here: try the next one
    }
  }
  return null;
}

test('webhooks.allowedTargets: empty by default, from the file or HONGYAN_WEBHOOK_ALLOWED_TARGETS, checked at start', () => {
  assert.deepEqual(loadConfig({}).webhooks.allowedTargets, []);
  assert.deepEqual(
    loadConfig({ HONGYAN_WEBHOOK_ALLOWED_TARGETS: ' 10.8.0.0/16, hooks.corp.example ,' }).webhooks
      .allowedTargets,
    ['10.8.0.0/16', 'hooks.corp.example'],
  );
  for (const bad of [['10.0.0.0/33'], ['http://10.0.0.1/'], [42]])
    assert.throws(
      () => loadConfig({}, { webhooks: { allowedTargets: bad as string[] } }),
      (err: unknown) => err instanceof ConfigError && /webhooks\.allowedTargets/.test(err.message),
      JSON.stringify(bad),
    );
  assert.throws(
    () => loadConfig({}, { webhooks: { allowPrivateNetworks: true } as object }),
    /unknown option "webhooks.allowPrivateNetworks"/,
    'the old switch is gone: a file that still sets it fails the start',
  );
});

test('an internal name and an unknown name read the same to a tenant; the operator log tells them apart', async () => {
  // DNS as a zone that holds an internal name (`vm`) and not `nosuch.invalid`.
  const zone: Record<string, string> = { vm: '10.0.0.5', 'vm.corp.internal': '192.168.1.9' };
  const resolve: Resolve = (name, _options, callback) => {
    const address = zone[name];
    if (address) return callback(null, [{ address, family: 4 }]);
    const err: NodeJS.ErrnoException = new Error(`getaddrinfo ENOTFOUND ${name}`);
    err.code = 'ENOTFOUND';
    callback(err, []);
  };
  const logged: Array<{ host: string; code: string }> = [];
  const sender = new WebhookSender({
    timeoutMs: 2000,
    policy: new EgressPolicy([], resolve),
    log: { info: (o) => logged.push(o as { host: string; code: string }) },
  });
  try {
    const errors: string[] = [];
    for (const host of ['vm', 'vm.corp.internal', 'nosuch.invalid']) {
      const r = await sender.send(`http://${host}:8080/hook`, '{}', {});
      assert.equal(r.ok, false);
      assert.equal(r.statusCode, null);
      errors.push(r.error ?? '');
    }
    assert.deepEqual(errors, [NO_PUBLIC_HOST, NO_PUBLIC_HOST, NO_PUBLIC_HOST]);
    assert.ok(
      !errors.some((e) => /vm|resolves|ENOTFOUND|EREFUSED/.test(e)),
      'nothing to tell apart',
    );
    assert.deepEqual(
      logged.map((l) => [l.host, l.code]),
      [
        ['vm', 'EREFUSEDTARGET'],
        ['vm.corp.internal', 'EREFUSEDTARGET'],
        ['nosuch.invalid', 'ENOTFOUND'],
      ],
    );
  } finally {
    sender.close();
  }
});

for (const database of databases) {
  describe(`webhook egress policy on ${database.dialect}`, () => {
    let t: TestPlatform;
    let key: string;
    let internal: Awaited<ReturnType<typeof server>>;
    let outside: Awaited<ReturnType<typeof server>>;
    const api = (path: string, init: any = {}) => t.api(path, { ...init, key });

    before(async () => {
      internal = await server('127.0.0.1', () => ({ status: 200, body: 'internal secret' }));
      outside = await server('127.0.0.2');
      t = await startTestPlatform(database, {
        webhooks: { allowedTargets: ['127.0.0.2/32'], timeoutMs: 2000, pollMs: 20 },
      });
      const admin = await operatorAdmin(t, `ssrf-${database.dialect}@operator.test`);
      const c = await registerCompany(t, `ssrf-${database.dialect}`);
      await admin.call(`/v1/admin/tenants/${c.tenantId}/status`, {
        body: { status: 'active', reason: 'ok' },
      });
      await admin.call(`/v1/admin/tenants/${c.tenantId}/recharges`, {
        body: { amount: '100', reference: `ssrf-${c.tenantId}` },
      });
      key = c.key;
    });
    after(async () => {
      await t.stop();
      await internal.close();
      await outside.close();
    });

    test('an endpoint or a callbackUrl on an internal address: 422 target_not_allowed, nothing written', async () => {
      const p = internal.port;
      const urls = [
        internal.url(),
        `http://localhost:${p}/`,
        `http://2130706433:${p}/`,
        `http://0x7f.1:${p}/`,
        `http://[::ffff:7f00:1]:${p}/`,
        `http://[::ffff:127.0.0.1]:${p}/`,
        `http://[::1]:${p}/`,
        `http://0.0.0.0:${p}/`,
        'http://169.254.169.254/latest/meta-data/',
        'http://[::ffff:169.254.169.254]/',
        'http://[64:ff9b::a9fe:a9fe]/',
        'http://10.0.0.1/',
        'http://100.64.0.1/',
        'http://[fd00::1]/',
      ];
      for (const url of urls) {
        const r = await api('/v1/webhooks', { body: { url } });
        assert.deepEqual([r.status, r.body.code], [422, 'target_not_allowed'], url);
        assert.match(String(r.headers.get('content-type')), /^application\/problem\+json/);
        assert.match(r.body.detail, /not a public internet address/);
      }
      assert.deepEqual((await api('/v1/webhooks')).body.data, [], 'no endpoint was created');
      const ok = await api('/v1/webhooks', { body: { url: outside.url() } });
      assert.equal(ok.status, 201, 'the allowed target is accepted');
      const patched = await api(`/v1/webhooks/${ok.body.id}`, {
        method: 'PATCH',
        body: { url: internal.url() },
      });
      assert.deepEqual([patched.status, patched.body.code], [422, 'target_not_allowed']);
      assert.equal((await api(`/v1/webhooks/${ok.body.id}`)).body.url, outside.url());
      await api(`/v1/webhooks/${ok.body.id}`, { method: 'DELETE' });

      const balance = (await api('/v1/balance')).body;
      const count = (await api('/v1/messages?limit=1000')).body.data.length;
      for (const callbackUrl of [internal.url('/cb'), `http://[::ffff:7f00:1]:${p}/cb`]) {
        const r = await api('/v1/messages', { body: { to: mobile(), text: 'x', callbackUrl } });
        assert.deepEqual([r.status, r.body.code], [422, 'target_not_allowed'], callbackUrl);
        assert.equal(r.body.field, 'callbackUrl');
      }
      assert.deepEqual((await api('/v1/balance')).body, balance, 'nothing held');
      assert.equal((await api('/v1/messages?limit=1000')).body.data.length, count);
      assert.equal(internal.hits.length, 0);
    });

    test('checked again when sending: a stored internal URL and a name resolving to loopback are refused', async (tc) => {
      const e = await api('/v1/webhooks', {
        body: { url: outside.url(), events: ['message.status'] },
      });
      assert.equal(e.status, 201);
      // As if stored under an earlier, wider allow-list.
      await t.platform.store.db
        .updateTable('webhook_endpoints')
        .set({ url: internal.url() })
        .where('id', '=', e.body.id)
        .execute();
      const sent = await api(`/v1/webhooks/${e.body.id}/test`, { method: 'POST' });
      assert.equal(sent.status, 200);
      assert.equal(sent.body.status, 'dead');
      assert.equal(sent.body.attempts[0].statusCode, null);
      assert.match(sent.body.attempts[0].error, /127\.0\.0\.1 is not a public internet address/);
      // The worker's deliveries go through the same check.
      const m = await api('/v1/messages', { body: { to: mobile(), text: 'stored url' } });
      assert.equal(m.status, 202);
      await waitFor(
        async () =>
          (await api(`/v1/webhooks/${e.body.id}/deliveries`)).body.data.some(
            (d: any) => d.eventType === 'message.status' && d.attempts.length > 0,
          ),
        10_000,
        'a message.status attempt',
      );
      const tried = (await api(`/v1/webhooks/${e.body.id}/deliveries`)).body.data.find(
        (d: any) => d.eventType === 'message.status' && d.attempts.length > 0,
      );
      assert.match(tried.attempts[0].error, /not a public internet address/);
      assert.equal(internal.hits.length, 0, 'nothing reached the internal service');
      await api(`/v1/webhooks/${e.body.id}`, { method: 'DELETE' });

      const name = await nameForLoopback();
      if (!name) {
        tc.skip('no host name on this machine resolves to a non-public address');
        return;
      }
      const byName = await api('/v1/webhooks', {
        body: { url: `http://${name}:${internal.port}/hook`, events: ['inbound.received'] },
      });
      assert.equal(byName.status, 201, 'a name is judged when connecting');
      const viaDns = await api(`/v1/webhooks/${byName.body.id}/test`, { method: 'POST' });
      assert.equal(viaDns.body.status, 'dead');
      assert.equal(viaDns.body.attempts[0].error, NO_PUBLIC_HOST);
      assert.equal(internal.hits.length, 0, 'nothing reached the internal service');
      await api(`/v1/webhooks/${byName.body.id}`, { method: 'DELETE' });
    });

    test('a redirect to loopback is not followed; a tenant sees the status code and timing only', async () => {
      outside.state.answer = () => ({
        status: 302,
        headers: { location: internal.url('/v1/admin/tenants') },
      });
      const e = await api('/v1/webhooks', {
        body: { url: outside.url(), events: ['message.status'] },
      });
      const sent = await api(`/v1/webhooks/${e.body.id}/test`, { method: 'POST' });
      assert.equal(sent.body.status, 'dead');
      assert.deepEqual(
        [sent.body.attempts[0].statusCode, sent.body.attempts[0].error],
        [302, 'redirect not followed'],
      );
      assert.ok(!JSON.stringify(sent.body).includes(String(internal.port)), 'no Location echoed');

      // A callback whose target redirects: the worker does not follow either.
      const m = await api('/v1/messages', {
        body: { to: mobile(), text: 'callback', callbackUrl: outside.url('/cb') },
      });
      assert.equal(m.status, 202);
      await waitFor(
        async () =>
          (await api('/v1/webhooks/deliveries?callbacks=true')).body.data.some(
            (d: any) => d.attempts.length > 0,
          ),
        10_000,
        'a callback attempt',
      );
      const cb = (await api('/v1/webhooks/deliveries?callbacks=true')).body.data.find(
        (d: any) => d.attempts.length > 0,
      );
      assert.deepEqual(
        [cb.attempts[0].statusCode, cb.attempts[0].error],
        [302, 'redirect not followed'],
      );
      assert.equal(internal.hits.length, 0, 'the redirect led nowhere');

      // Whatever the answer says, the tenant reads its status code and how long it took.
      outside.state.answer = () => ({
        status: 500,
        body: 'root:x:0:0:root:/root:/bin/bash',
        headers: { 'x-internal': 'yes' },
      });
      const answered = await api(`/v1/webhooks/${e.body.id}/test`, { method: 'POST' });
      const attempt = answered.body.attempts[0];
      assert.deepEqual(Object.keys(attempt).sort(), ['at', 'durationMs', 'error', 'statusCode']);
      assert.deepEqual([attempt.statusCode, attempt.error], [500, 'HTTP 500']);
      assert.ok(Number.isInteger(attempt.durationMs) && attempt.durationMs >= 0);
      const log = await api(`/v1/webhooks/deliveries/${answered.body.id}`);
      for (const body of [answered.body, log.body])
        assert.ok(!JSON.stringify(body).includes('root:x'), 'the answer body reaches no tenant');
      const stored = await t.platform.store.db
        .selectFrom('webhook_attempts')
        .select('response')
        .where('delivery_id', '=', answered.body.id)
        .executeTakeFirstOrThrow();
      assert.equal(stored.response, null, 'nor is it kept');
      outside.state.answer = () => ({ status: 200, body: 'ok' });
      await api(`/v1/webhooks/${e.body.id}`, { method: 'DELETE' });
    });
  });
}
