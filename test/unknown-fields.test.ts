// Unknown fields are refused, never dropped: every write route of a running platform answers 400
// invalid_request naming an extra field (its dotted `field` and JSON `pointer`), at the top and at
// every nesting level, in zh-CN and en, and nothing is written. A misplaced `carriers` key once
// turned a carrier route into a catch-all. Unknown query parameters are refused the same way.
// Schema validation only: one database is enough (the store is read, to show nothing changed).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { databases } from './support/databases.ts';
import { startTestPlatform, waitFor, type TestPlatform } from './support/platform.ts';
import { operatorAdmin, registerCompany, type Browser } from './support/people.ts';

const EXTRA = 'unexpectedField';
const WRITES = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** Path parameters that pass every route's params schema (the body or query is checked after). */
const PARAMS: Record<string, string> = {
  id: 'x1',
  month: '2026-01',
  number: '+8613800138000',
  webhookId: 'wh_x1',
  deliveryId: 'dlv_x1',
  inboundId: 'inb_x1',
};

// The tables an API write changes (sessions, job leases and throttles move on their own).
const TABLES = [
  'tenants',
  'users',
  'api_keys',
  'smpp_accounts',
  'audit_log',
  'balances',
  'ledger_entries',
  'price_plans',
  'contracts',
  'signatures',
  'templates',
  'content_rules',
  'review_items',
  'opt_outs',
  'consents',
  'block_list',
  'channels',
  'settings',
  'webhook_endpoints',
  'webhook_callback_secrets',
  'tenant_extensions',
  'inbound_keywords',
  'messages',
  'idempotency_keys',
  'notifications',
] as const;

describe('unknown fields', () => {
  let t: TestPlatform;
  let admin: Browser;
  let company: Awaited<ReturnType<typeof registerCompany>>;
  let doc: any;

  before(async () => {
    t = await startTestPlatform(databases[0]!, {
      channels: [
        { id: 'cmcc', port: 0 },
        { id: 'unicom', port: 0 },
        { id: 'backup', port: 0 },
      ],
    });
    admin = await operatorAdmin(t, 'fields@operator.test');
    company = await registerCompany(t, 'fieldsco');
    doc = (await t.api('/openapi.json', { key: null })).body;
    // Keys record their first use, and the worker gives each new tenant an extension code: let
    // both happen before any snapshot.
    await t.api('/v1/balance', { key: company.key });
    await t.api('/v1/balance');
    const db = t.platform.store.db;
    await waitFor(
      async () =>
        (
          await db
            .selectFrom('tenants')
            .leftJoin('tenant_extensions', 'tenant_extensions.tenant_id', 'tenants.id')
            .select('tenants.id')
            .where('tenant_extensions.tenant_id', 'is', null)
            .where('tenants.id', '!=', 'ten_operator')
            .execute()
        ).length === 0,
      10_000,
      'extension codes for the tenants',
    );
  });
  after(() => t.stop());

  async function snapshot(): Promise<Record<string, string[]>> {
    const db = t.platform.store.db;
    const out: Record<string, string[]> = {};
    for (const table of TABLES) {
      const rows = (await db.selectFrom(table).selectAll().execute()) as Array<
        Record<string, unknown>
      >;
      out[table] = rows
        .map((r) => JSON.stringify({ ...r, last_used_at: undefined, updated_at: undefined }))
        .sort();
    }
    return out;
  }

  /** Call a route as someone it lets in: the operator, nobody (public), the company's owner or key. */
  async function call(
    route: { method: string; url: string; access: string },
    path: string,
    body: unknown,
    headers: Record<string, string> = {},
  ) {
    const init = { method: route.method, ...(body !== undefined ? { body } : {}) };
    if (route.access.startsWith('admin.')) return admin.call(path, init);
    if (route.access === 'public') return t.api(path, { ...init, key: null, headers });
    const asOwner = await company.owner.call(path, init);
    if (asOwner.status !== 403) return asOwner;
    return t.api(path, { ...init, key: company.key, headers });
  }

  const pathOf = (url: string) =>
    url.replace(/:([A-Za-z]+)/g, (_m, name: string) => encodeURIComponent(PARAMS[name] ?? 'x1'));

  /** The smallest body that has the route's required fields (values are checked after names). */
  function requiredFields(route: { method: string; url: string }): Record<string, unknown> {
    const path = route.url.replace(/:([A-Za-z]+)/g, '{$1}');
    const schema =
      doc.paths[path]?.[route.method.toLowerCase()]?.requestBody?.content?.['application/json']
        ?.schema;
    // A body that is an object or a CSV string (opt-outs, consents): the object's fields.
    const object = schema?.anyOf?.find((s: any) => s.type === 'object') ?? schema;
    return Object.fromEntries(((object?.required ?? []) as string[]).map((k) => [k, 'x']));
  }

  function hasBody(route: { method: string; url: string }): boolean {
    const path = route.url.replace(/:([A-Za-z]+)/g, '{$1}');
    return doc.paths[path]?.[route.method.toLowerCase()]?.requestBody !== undefined;
  }

  test('every write route refuses an extra top-level field and names it; nothing changes', async () => {
    const writes = t.platform.routes.filter((r) => WRITES.has(r.method));
    assert.ok(writes.length >= 50, `the platform lists its write routes (${writes.length})`);
    const before = await snapshot();
    const wrong: string[] = [];
    for (const route of writes) {
      const r = await call(route, pathOf(route.url), { ...requiredFields(route), [EXTRA]: 1 });
      const got = [r.status, r.body?.code, r.body?.field, r.body?.pointer, r.body?.in];
      const want = [400, 'invalid_request', EXTRA, `/${EXTRA}`, 'body'];
      if (JSON.stringify(got) !== JSON.stringify(want))
        wrong.push(`${route.method} ${route.url}: ${JSON.stringify(r.body)}`);
    }
    assert.deepEqual(wrong, []);
    assert.deepEqual(await snapshot(), before, 'nothing was written');
  });

  test('routes without a body take none: an empty object or no body passes, anything else is refused', async () => {
    const logout = { method: 'POST', url: '/v1/webhooks/:webhookId/test', access: 'keys.manage' };
    const path = pathOf(logout.url);
    // Past the body check, the handler answers: the endpoint does not exist.
    assert.equal((await call(logout, path, undefined)).status, 404);
    assert.equal((await call(logout, path, {})).status, 404);
    const list = await call(logout, path, [1]);
    assert.deepEqual([list.status, list.body.code], [400, 'invalid_request']);
  });

  test('PUT /v1/admin/routes: a misplaced carriers key is refused, not read as a catch-all', async () => {
    const table = [
      {
        id: 'telecom',
        filter: { carriers: ['telecom'] },
        target: { kind: 'channel', channel: 'unicom' },
      },
      { id: 'default', target: { kind: 'failover', channels: ['cmcc', 'unicom'] } },
    ];
    assert.equal(
      (await admin.call('/v1/admin/routes', { method: 'PUT', body: { routes: table } })).status,
      204,
    );
    const cases: Array<[unknown, string]> = [
      // The incident: carriers beside the filter instead of in it.
      [
        [
          { id: 'telecom', carriers: ['telecom'], target: { kind: 'channel', channel: 'unicom' } },
          table[1],
        ],
        'routes[0].carriers',
      ],
      [[{ ...table[0], filter: { carrier: ['telecom'] } }, table[1]], 'routes[0].filter.carrier'],
      [
        [{ ...table[0], filter: { hours: { from: 0, to: 60, tz: 'CST' } } }, table[1]],
        'routes[0].filter.hours.tz',
      ],
      [
        [
          table[0],
          { id: 'default', target: { kind: 'channel', channel: 'cmcc', channels: ['unicom'] } },
        ],
        'routes[1].target.channels',
      ],
      [
        [
          table[0],
          {
            id: 'default',
            target: {
              kind: 'split',
              weights: [
                { channel: 'cmcc', weight: 3 },
                { channel: 'unicom', weight: 1, share: 0.25 },
              ],
            },
          },
        ],
        'routes[1].target.weights[1].share',
      ],
    ];
    for (const [routes, field] of cases) {
      const r = await admin.call('/v1/admin/routes', { method: 'PUT', body: { routes } });
      assert.deepEqual(
        [r.status, r.body.code, r.body.field, r.body.in],
        [400, 'invalid_request', field, 'body'],
        JSON.stringify(r.body),
      );
      assert.equal(r.body.pointer, `/${field.replace(/\[(\d+)\]/g, '.$1').replace(/\./g, '/')}`);
    }
    const kind = await admin.call('/v1/admin/routes', {
      method: 'PUT',
      body: { routes: [table[0], { id: 'default', target: { kind: 'spread', channel: 'cmcc' } }] },
    });
    assert.deepEqual([kind.status, kind.body.field], [400, 'routes[1].target']);
    // The table in force is still the one that was set, and China Telecom still goes to unicom.
    assert.deepEqual((await admin.call('/v1/admin/routes')).body.routes, [
      table[0],
      { ...table[1], filter: {} },
    ]);
    const explained = await admin.call('/v1/admin/routes/test', { body: { to: '13312345678' } });
    assert.deepEqual([explained.body.route, explained.body.channel], ['telecom', 'unicom']);
  });

  test('channels, price plans, contracts, webhooks and compliance refuse nested unknown fields', async () => {
    const before = await snapshot();
    const cases: Array<[string, string, unknown, string, Browser | null]> = [
      ['POST', '/v1/admin/channels', { id: 'x2', port: 0, colour: 'red' }, 'colour', admin],
      [
        'PATCH',
        '/v1/admin/channels/cmcc',
        { categoryRules: [{ stat: 'UNDELIV', category: 'handset', note: 'x' }] },
        'categoryRules[0].note',
        admin,
      ],
      [
        'PUT',
        `/v1/admin/tenants/${company.tenantId}/price-plan`,
        { rules: [{ country: 'CN', price: '0.04', region: 'north' }] },
        'rules[0].region',
        admin,
      ],
      [
        'POST',
        `/v1/admin/tenants/${company.tenantId}/contracts`,
        {
          number: 'HT-1',
          startDate: '2026-01-01',
          endDate: '2026-12-31',
          fees: [{ name: 'Platform', amount: '100', when: 'monthly', currency: 'CNY' }],
        },
        'fees[0].currency',
        admin,
      ],
      [
        'PUT',
        `/v1/admin/tenants/${company.tenantId}/compliance`,
        {
          frequencyCaps: {
            marketing: { perMinute: 1, perHour: 5, perDay: 10, sameTextMinutes: 0, perWeek: 20 },
          },
        },
        'frequencyCaps.marketing.perWeek',
        admin,
      ],
      [
        'POST',
        '/v1/webhooks',
        { url: 'https://example.com/hook', events: ['message.status'], filter: { final: true } },
        'filter',
        null,
      ],
    ];
    for (const [method, path, body, field, who] of cases) {
      const r = who
        ? await who.call(path, { method, body })
        : await t.api(path, { method, body, key: company.key });
      assert.deepEqual(
        [r.status, r.body.code, r.body.field],
        [400, 'invalid_request', field],
        `${method} ${path}: ${JSON.stringify(r.body)}`,
      );
    }
    // A value of the wrong kind for the channel is still the channel validator's 422.
    const smppOnly = await admin.call('/v1/admin/channels', {
      body: { id: 'x3', port: 0, spId: '901234' },
    });
    assert.deepEqual([smppOnly.status, smppOnly.body.field], [422, 'spId']);
    assert.deepEqual(await snapshot(), before, 'nothing was written');
  });

  test('open maps stay open: template params take any names', async () => {
    // The template does not exist: the body passed the schema with made-up parameter names.
    const r = await t.api('/v1/messages', {
      body: { to: ['13800138000'], templateId: 'tpl_nope', params: { code: '1234', anyName: 5 } },
    });
    assert.notEqual(r.body.code, 'invalid_request', JSON.stringify(r.body));
  });

  test('every /v1 route refuses an unknown query parameter and names it', async () => {
    // Fastify checks the body before the query: routes with a body schema are walked above; here
    // every route without one (the live stream answers 400 before it would start streaming).
    const withoutBody = t.platform.routes.filter(
      (r) => Object.keys(requiredFields(r)).length === 0 && !hasBody(r),
    );
    assert.ok(withoutBody.length >= 60, `routes walked: ${withoutBody.length}`);
    const wrong: string[] = [];
    for (const route of withoutBody) {
      const r = await call(route, `${pathOf(route.url)}?stauts=failed`, undefined);
      const got = [r.status, r.body?.code, r.body?.field, r.body?.in];
      if (JSON.stringify(got) !== JSON.stringify([400, 'invalid_request', 'stauts', 'query']))
        wrong.push(`${route.method} ${route.url}: ${JSON.stringify(r.body)}`);
    }
    assert.deepEqual(wrong, []);
    const listed = await t.api('/v1/messages?status=failed&limit=5');
    assert.equal(listed.status, 200, 'declared parameters still work');
    const send = await t.api('/v1/messages?dryRun=true', {
      body: { to: ['13800138000'], text: '【测试公司】hi' },
    });
    assert.deepEqual([send.status, send.body.field, send.body.in], [400, 'dryRun', 'query']);
  });

  test('the answer is in zh-CN by default and in English on request', async () => {
    const send = { to: ['13800138000'], text: 'hi', callback: 'https://example.com' };
    const zh = await t.api('/v1/messages', { body: send });
    assert.deepEqual([zh.status, zh.body.field], [400, 'callback']);
    assert.match(zh.body.detail, /未知字段/);
    assert.match(zh.body.detail, /callback/);
    const en = await t.api('/v1/messages', {
      body: send,
      headers: { 'accept-language': 'en' },
    });
    assert.match(en.body.detail, /unknown field/i);
    assert.match(en.body.detail, /callback/);
  });

  test('the routing table documented in docs/channels.md is accepted as written', async () => {
    const doc = readFileSync(new URL('../docs/channels.md', import.meta.url), 'utf8');
    const block = /A whole table[\s\S]*?```json\n([\s\S]*?)```/.exec(doc);
    assert.ok(block, 'the example is in the docs');
    const example = JSON.parse(block[1]!);
    const put = await admin.call('/v1/admin/routes', { method: 'PUT', body: example });
    assert.equal(put.status, 204, JSON.stringify(put.body));
    const stored = (await admin.call('/v1/admin/routes')).body.routes;
    assert.deepEqual(
      stored,
      example.routes.map((r: any) => ({ filter: {}, ...r })),
    );
    const kinds = new Set(example.routes.map((r: any) => r.target.kind));
    assert.deepEqual([...kinds].sort(), ['channel', 'failover', 'split']);
    const filters = new Set(example.routes.flatMap((r: any) => Object.keys(r.filter ?? {})));
    assert.equal(filters.size, 7, 'every filter is shown');
    const explained = await admin.call('/v1/admin/routes/test', { body: { to: '13812345678' } });
    assert.equal(explained.body.route, 'mobile-138-139');
  });
});
