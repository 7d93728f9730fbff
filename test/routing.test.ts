// Routes as data in the running platform: per-carrier channels, failover when a channel goes
// down, and the explain endpoint.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { databases } from './support/databases.ts';
import { startTestPlatform, waitFinal, type TestPlatform } from './support/platform.ts';
import { operatorAdmin, type Browser } from './support/people.ts';

describe('routing', () => {
  let t: TestPlatform;
  let admin: Browser;
  before(async () => {
    t = await startTestPlatform(databases[0]!, {
      channels: [
        { id: 'cmcc', port: 0 },
        { id: 'unicom', port: 0 },
      ],
    });
    admin = await operatorAdmin(t, 'routes@operator.test');
  });
  after(() => t.stop());

  test('bad tables are refused with the field; a good one routes by carrier and fails over', async () => {
    const bad = await admin.call('/v1/admin/routes', {
      method: 'PUT',
      body: { routes: [{ id: 'x', target: { kind: 'channel', channel: 'nowhere' } }] },
    });
    assert.deepEqual(
      [bad.status, bad.body.code, bad.body.field],
      [422, 'invalid_route', 'routes[0].target.channel'],
    );
    const ok = await admin.call('/v1/admin/routes', {
      method: 'PUT',
      body: {
        routes: [
          {
            id: 'cu',
            filter: { carriers: ['unicom'] },
            target: { kind: 'channel', channel: 'unicom' },
          },
          { id: 'default', target: { kind: 'failover', channels: ['cmcc', 'unicom'] } },
        ],
      },
    });
    assert.equal(ok.status, 204);

    const explained = await admin.call('/v1/admin/routes/test', { body: { to: '13012345678' } });
    assert.deepEqual([explained.body.route, explained.body.channel], ['cu', 'unicom']);
    assert.ok(explained.body.why.length > 0);

    const r = await t.api('/v1/messages', {
      body: { to: ['13012345678', '13800138000'], text: '路由测试' },
    });
    const [cu, cm] = await Promise.all(r.body.messages.map((m: any) => waitFinal(t, m.id)));
    assert.deepEqual([cu.channel, cm.channel], ['unicom', 'cmcc']);

    await t.platform.channels.find((c) => c.id === 'cmcc')!.stop();
    const viaFailover = await admin.call('/v1/admin/routes/test', { body: { to: '13800138000' } });
    assert.equal(viaFailover.body.channel, 'unicom');
    assert.match(viaFailover.body.why.join(' '), /cmcc is down/);
    const r2 = await t.api('/v1/messages', { body: { to: '13800138001', text: '路由测试' } });
    assert.equal((await waitFinal(t, r2.body.messages[0].id)).channel, 'unicom');
  });
});
