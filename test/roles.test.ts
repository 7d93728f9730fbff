// A node runs only the roles it is given (HONGYAN_ROLES): each role starts what it owns and
// reports its own part of /health; the others are absent, not idle.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { databases } from './support/databases.ts';
import { startTestPlatform, type TestPlatform } from './support/platform.ts';

const sqlite = databases.find((d) => d.dialect === 'sqlite')!;

describe('an api-only node', () => {
  let t: TestPlatform;
  before(async () => {
    t = await startTestPlatform(sqlite, { roles: ['api'] });
  });
  after(() => t?.stop());

  test('serves HTTP, SMPP and CMPP; runs no dispatcher, scheduler or simulator', async () => {
    const p = t.platform;
    assert.ok(p.httpPort && p.smppPort && p.cmppPort);
    assert.equal(p.dispatcher, null);
    assert.equal(p.scheduler, null);
    assert.equal(p.simulator, null);
    assert.equal(p.simulatorPort, null);
    // It knows the channels (the API shows them) but binds none.
    assert.ok(p.channelManager.configs().length > 0);
    assert.deepEqual(p.channels, []);
    assert.ok(p.demoSmpp, 'the demo SMPP account is seeded by the tenant servers');
  });

  test('/health names the database and the channels, nothing of the roles it does not run', async () => {
    const res = await t.api('/health', { key: null });
    assert.equal(res.body.parts.database, 'up');
    assert.ok(Object.keys(res.body.parts).some((k) => k.startsWith('channel:')));
    assert.equal(res.body.parts.dispatcher, undefined);
    assert.equal(res.body.parts.simulator, undefined);
  });

  test('a message is accepted and stays queued (no dispatcher here)', async () => {
    const sent = await t.api('/v1/messages', {
      body: { to: '13800138000', text: '【鸿雁】您的验证码是 123456' },
    });
    assert.equal(sent.status, 202);
    const id = sent.body.messages[0].id;
    assert.equal((await t.api(`/v1/messages/${id}`)).body.status, 'queued');
  });
});

describe('a worker-only node', () => {
  let t: TestPlatform;
  before(async () => {
    t = await startTestPlatform(sqlite, { roles: ['worker'] });
  });
  after(() => t?.stop());

  test('owns the one scheduler with every periodic job, and listens on nothing', async () => {
    const p = t.platform;
    assert.equal(p.httpPort, null);
    assert.equal(p.smppPort, null);
    assert.equal(p.cmppPort, null);
    assert.equal(p.dispatcher, null);
    assert.deepEqual(p.channels, []);
    assert.deepEqual(p.scheduler!.names().sort(), [
      'announcements',
      'backfill-categories',
      'contracts',
      'inbound-sweep',
      'low-balance',
      'message-sweep',
      'review-expiry',
      'statements',
      'terminations',
    ]);
    // The jobs are callable by hand, too.
    assert.deepEqual(await p.jobs.sweepInbound(), { expired: 0, retried: 0 });
  });
});
