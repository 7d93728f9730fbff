// The API documents itself: OpenAPI 3.1 generated from the route schemas, served at /openapi.json,
// with a try-it UI at /docs. Every /v1 route is in it.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { databases } from './support/databases.ts';
import { startTestPlatform, type TestPlatform } from './support/platform.ts';

let t: TestPlatform;
before(async () => {
  t = await startTestPlatform(databases[0]!);
});
after(() => t.stop());

test('GET /openapi.json is an OpenAPI 3.1 document with every /v1 route', async () => {
  const res = await fetch(`${t.url}/openapi.json`);
  assert.equal(res.status, 200);
  const doc = (await res.json()) as any;
  assert.equal(doc.openapi, '3.1.0');
  assert.equal(doc.components.securitySchemes.apiKey.scheme, 'bearer');
  const v1 = t.platform.routes.filter((r) => r.url.startsWith('/v1/'));
  assert.ok(v1.length > 50, `the platform lists its routes (${v1.length})`);
  const missing = v1
    .map((r) => [r.method.toLowerCase(), r.url.replace(/:([A-Za-z]+)/g, '{$1}')] as const)
    .filter(([method, path]) => !doc.paths[path]?.[method])
    .map(([method, path]) => `${method} ${path}`);
  assert.deepEqual(missing, []);
  const send = doc.paths['/v1/messages'].post;
  assert.ok(send.requestBody.content['application/json'].schema, 'the send body is described');
  assert.ok(send.responses['202'], 'and its answer');
});

test('GET /docs serves the try-it UI', async () => {
  const res = await fetch(`${t.url}/docs/`);
  assert.equal(res.status, 200);
  assert.match(await res.text(), /swagger/i);
});
