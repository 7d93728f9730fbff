// Channels as data in the running platform: operators add, change, disable and remove channels
// through the API without a restart and nothing in flight is lost; an error burst takes a channel
// out of its failover route (with incidents); per-channel failure categories.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { databases } from './support/databases.ts';
import { startTestPlatform, waitFinal, waitFor, type TestPlatform } from './support/platform.ts';
import { operatorAdmin, type Browser } from './support/people.ts';
import { SmscSimulator } from '../src/simulator/smsc.ts';
import { CmppSimulator } from '../src/simulator/cmpp-ismg.ts';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { ChannelStore } from '../src/store/channels.ts';
import { validateChannelConfig } from '../src/core/channels/channel-config.ts';
import { plaintextCipher } from '../src/security/body-cipher.ts';

for (const db of databases) {
  describe(`channels on ${db.dialect}`, () => {
    let t: TestPlatform;
    let admin: Browser;
    before(async () => {
      t = await startTestPlatform(db);
      admin = await operatorAdmin(t, 'channels@operator.test');
    });
    after(() => t.stop());

    test('operators add a channel that binds at once; bad ones are refused with the field', async () => {
      const simPort = t.platform.simulatorPort!;
      const bad = [
        [{ id: 'Bad Id', port: simPort }, 'id'],
        [{ id: 'x1', port: 70000 }, 'port'],
        [{ id: 'x1', port: simPort, window: 0 }, 'window'],
        [{ id: 'x1', port: simPort, password: 'far-too-long' }, 'password'],
        [{ id: 'x1', kind: 'cmpp', port: 7890, spId: 'toolong7' }, 'spId'],
        [
          { id: 'x1', port: simPort, categoryRules: [{ stat: 'X', category: 'bad' }] },
          'categoryRules[0]',
        ],
      ] as const;
      for (const [body, field] of bad) {
        const r = await admin.call('/v1/admin/channels', { body });
        assert.deepEqual([r.status, r.body.code, r.body.field], [422, 'invalid_channel', field]);
      }
      // An option no channel has is refused by the API's schema, like any unknown field.
      const unknown = await admin.call('/v1/admin/channels', {
        body: { id: 'x1', port: simPort, colour: 'red' },
      });
      assert.deepEqual(
        [unknown.status, unknown.body.code, unknown.body.field],
        [400, 'invalid_request', 'colour'],
      );
      const created = await admin.call('/v1/admin/channels', {
        body: {
          id: 'extra',
          name: 'Extra route',
          port: simPort,
          binds: 3,
          systemId: 'extra',
          password: 'secret1',
        },
      });
      assert.equal(created.status, 201);
      assert.equal(created.body.password, undefined, 'the secret never leaves the server');
      assert.equal(created.body.passwordSet, true);
      assert.equal(created.body.source, 'api');
      const again = await admin.call('/v1/admin/channels', {
        body: { id: 'extra', port: simPort },
      });
      assert.equal(again.status, 409);

      await waitFor(
        async () => {
          const c = await admin.call('/v1/admin/channels/extra');
          return c.body.status.state === 'bound' && c.body.status.bindsUp === 3;
        },
        10_000,
        'three binds up',
      );
      const list = await admin.call('/v1/admin/channels');
      assert.deepEqual(
        list.body.data.map((c: any) => [c.id, c.source]),
        [
          ['extra', 'api'],
          ['sim', 'file'],
        ],
      );
      // A tenant's key is not an operator.
      assert.equal((await t.api('/v1/admin/channels')).status, 403);
    });

    test('changing and disabling a channel under load loses nothing; removal is refused while routed', async () => {
      const routes = await admin.call('/v1/admin/routes', {
        method: 'PUT',
        body: {
          routes: [{ id: 'default', target: { kind: 'failover', channels: ['extra', 'sim'] } }],
        },
      });
      assert.equal(routes.status, 204);
      const to = Array.from({ length: 60 }, (_, i) => `+4474001${String(100 + i)}55`);
      const sent = await t.api('/v1/messages', { body: { to, text: 'hot change' } });
      assert.equal(sent.status, 202, JSON.stringify(sent.body));
      // Mid-flight: a new window, then the channel is switched off.
      const patched = await admin.call('/v1/admin/channels/extra', {
        method: 'PATCH',
        body: { window: 5, throughput: 500 },
      });
      assert.deepEqual([patched.status, patched.body.window, patched.body.binds], [200, 5, 3]);
      const off = await admin.call('/v1/admin/channels/extra', {
        method: 'PATCH',
        body: { enabled: false },
      });
      assert.equal(off.body.status.state, 'disabled');
      const more = await t.api('/v1/messages', { body: { to: '+447400123999', text: 'after' } });
      assert.equal((await waitFinal(t, more.body.messages[0].id)).channel, 'sim');
      // Receipts for what the disabled channel submitted wait at the carrier for its account, and
      // arrive once it is enabled again: every message ends delivered, through either channel.
      const on = await admin.call('/v1/admin/channels/extra', {
        method: 'PATCH',
        body: { enabled: true },
      });
      assert.equal(on.status, 200);
      const finals = [];
      for (const m of sent.body.messages) finals.push(await waitFinal(t, m.id, 30_000));
      assert.deepEqual(
        finals.filter((m) => m.status !== 'delivered').map((m) => [m.to, m.status]),
        [],
      );

      const refused = await admin.call('/v1/admin/channels/extra', { method: 'DELETE' });
      assert.deepEqual([refused.status, refused.body.code], [409, 'channel_in_use']);
      await admin.call('/v1/admin/routes', {
        method: 'PUT',
        body: { routes: [{ id: 'default', target: { kind: 'channel', channel: 'sim' } }] },
      });
      const removed = await admin.call('/v1/admin/channels/extra', { method: 'DELETE' });
      assert.equal(removed.status, 204);
      assert.equal((await admin.call('/v1/admin/channels/extra')).status, 404);
      const audit = await admin.call('/v1/admin/audit?limit=100');
      const actions = audit.body.data.map((a: any) => a.action);
      for (const a of ['channel.created', 'channel.changed', 'channel.removed'])
        assert.ok(actions.includes(a), a);
    });

    test('category rules per channel decide what a carrier code means', async () => {
      const before = await t.api('/v1/messages', { body: { to: '+447400120000', text: 'x' } });
      const m1 = await waitFinal(t, before.body.messages[0].id);
      assert.deepEqual([m1.status, m1.error.category], ['undelivered', 'invalid_number']);
      const r = await admin.call('/v1/admin/channels/sim', {
        method: 'PATCH',
        body: { categoryRules: [{ stat: 'UNDELIV', category: 'handset' }] },
      });
      assert.equal(r.status, 200);
      assert.equal(r.body.source, 'api', 'an API edit takes the channel over from the file');
      const m2 = await t.api(`/v1/messages/${m1.id}`);
      assert.equal(m2.body.error.category, 'handset');
    });
  });
}

describe('error bursts and failover', () => {
  let t: TestPlatform;
  let admin: Browser;
  let broken: SmscSimulator;
  before(async () => {
    // A carrier that answers every submit with a system error (temporary).
    broken = new SmscSimulator({ outcomes: [{ match: /.*/, submitStatus: 0x08 }] });
    const { port } = await broken.start();
    t = await startTestPlatform(databases[0]!, {
      channels: [
        {
          id: 'flaky',
          port,
          burstErrors: 5,
          burstWindowSeconds: 60,
          burstCooldownSeconds: 300,
        },
        { id: 'backup', port: 0 },
      ],
    });
    admin = await operatorAdmin(t, 'burst@operator.test');
    await admin.call('/v1/admin/routes', {
      method: 'PUT',
      body: {
        routes: [{ id: 'default', target: { kind: 'failover', channels: ['flaky', 'backup'] } }],
      },
    });
  });
  after(async () => {
    await t.stop();
    await broken.stop();
  });

  test('a burst of errors moves the traffic to the next channel, and the incidents say so', async () => {
    const to = Array.from({ length: 12 }, (_, i) => `+4474002${String(100 + i)}55`);
    const sent = await t.api('/v1/messages', { body: { to, text: 'burst' } });
    const finals = [];
    for (const m of sent.body.messages) finals.push(await waitFinal(t, m.id, 30_000));
    assert.ok(finals.every((m) => m.status === 'delivered' && m.channel === 'backup'));
    const ch = await admin.call('/v1/admin/channels/flaky');
    assert.ok(ch.body.status.pausedUntil, 'the flaky channel is paused');
    const health = (await fetch(`${t.url}/health`).then((r) => r.json())) as any;
    assert.equal(health.parts['channel:flaky'], 'paused');
    await waitFor(
      async () => {
        const inc = await admin.call('/v1/admin/channels/incidents?channel=flaky');
        const kinds = inc.body.data.map((i: any) => i.kind).sort();
        return kinds.includes('error_burst') && kinds.includes('failover');
      },
      5000,
      'error_burst and failover incidents',
    );
    const csv = await admin.call('/v1/admin/channels/incidents?channel=flaky&format=csv');
    assert.match(csv.body, /error_burst/);
  });
});

for (const db of databases) {
  test(`the config file's channels on ${db.dialect}: created once, kept after API edits, applied again when the file changes`, async () => {
    const { store } = await db.open();
    try {
      const channels = new ChannelStore(store.db, plaintextCipher);
      const file = validateChannelConfig({ id: 'cm', port: 2775, window: 10 });
      assert.deepEqual(await channels.applyFile([file], 1), ['cm']);
      assert.deepEqual(await channels.applyFile([file], 2), [], 'unchanged file: nothing to do');
      await channels.update({ ...file, window: 20 }, 3);
      assert.deepEqual(await channels.applyFile([file], 4), [], 'the API edit stands');
      assert.equal((await channels.get('cm'))!.config.window, 20);
      const changed = validateChannelConfig({ id: 'cm', port: 2775, window: 30 });
      assert.deepEqual(await channels.applyFile([changed], 5), ['cm']);
      const now = (await channels.get('cm'))!;
      assert.deepEqual([now.config.window, now.source], [30, 'file']);
      assert.equal(await channels.remove('cm', 6), true);
      assert.deepEqual(
        await channels.applyFile([changed], 7),
        [],
        'removed on purpose stays removed',
      );
      assert.equal(await channels.get('cm'), null);
    } finally {
      await store.close();
    }
  });
}

describe('a CMPP channel in the platform', () => {
  let t: TestPlatform;
  let ismg: CmppSimulator;
  before(async () => {
    ismg = new CmppSimulator({ receiptDelayMs: 20, credentials: { '901234': 'cmpp-pw' } });
    const { port } = await ismg.start();
    t = await startTestPlatform(databases[0]!, {
      channels: [
        { id: 'cmcc', kind: 'cmpp', port, spId: '901234', password: 'cmpp-pw', version: 2 },
      ],
    });
  });
  after(async () => {
    await t.stop();
    await ismg.stop();
  });

  test('Chinese text, long and short, is delivered over CMPP; CMPP status reports settle it', async () => {
    const long = '您的订单已发货，'.repeat(12);
    const r = await t.api('/v1/messages', {
      body: { to: ['13800138123', '13800130000'], text: '验证码 123456' },
    });
    const r2 = await t.api('/v1/messages', { body: { to: '13800138124', text: long } });
    const [ok, bad] = await Promise.all(r.body.messages.map((m: any) => waitFinal(t, m.id)));
    const longOne = await waitFinal(t, r2.body.messages[0].id);
    assert.deepEqual([ok.status, ok.channel, ok.encoding], ['delivered', 'cmcc', 'ucs2']);
    assert.deepEqual(
      [bad.status, bad.error.code, bad.error.category],
      ['undelivered', 'UNDELIV', 'invalid_number'],
    );
    assert.deepEqual([longOne.status, longOne.parts], ['delivered', 2]);
    assert.equal(ismg.stats().submits, 4, 'one SUBMIT per part');
  });
});

test('the CLI adds a channel to a running platform without a restart', async () => {
  const t = await startTestPlatform(databases[0]!);
  try {
    const dataDir = t.platform.config.dataDir;
    const run = (...args: string[]) =>
      promisify(execFile)(
        process.execPath,
        ['--import', 'tsx', 'src/cli/hongyan.ts', 'channels', ...args],
        { env: { ...process.env, HONGYAN_DATA_DIR: dataDir, HONGYAN_LOG_LEVEL: 'silent' } },
      );
    const port = String(t.platform.simulatorPort);
    const added = await run('add', 'bycli', '--set', `port=${port}`, '--set', 'binds=2');
    assert.match(added.stdout, /channel bycli added/);
    await assert.rejects(run('add', 'broken', '--set', 'port=99999'), /port must be/);
    await waitFor(
      () => t.platform.channels.some((c) => c.id === 'bycli' && c.state() === 'bound'),
      15_000,
      'the running platform to bind the new channel',
    );
    const listed = await run('list');
    assert.match(listed.stdout, /bycli\s+smpp\s+127\.0\.0\.1:\d+\s+enabled/);
    await run('disable', 'bycli');
    await waitFor(
      () => !t.platform.channels.some((c) => c.id === 'bycli'),
      15_000,
      'the running platform to drop the disabled channel',
    );
  } finally {
    await t.stop();
  }
});
