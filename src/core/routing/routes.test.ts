import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parseRoutes, routeFor, type Routable } from './routes.ts';
import { DomainError } from '../errors.ts';

const channels = ['cmcc', 'unicom', 'telecom', 'intl-a', 'intl-b', 'backup'];
const routes = parseRoutes(
  [
    { id: 'vip', filter: { tenants: ['ten_vip'] }, target: { kind: 'channel', channel: 'backup' } },
    {
      id: 'mobile',
      filter: { carriers: ['mobile'] },
      target: { kind: 'failover', channels: ['cmcc', 'backup'] },
    },
    {
      id: 'unicom',
      filter: { countries: ['CN'], carriers: ['unicom'] },
      target: { kind: 'channel', channel: 'unicom' },
    },
    {
      id: 'night-mkt',
      filter: { classes: ['marketing'], hours: { from: 1260, to: 480 } },
      target: { kind: 'channel', channel: 'backup' },
    },
    {
      id: 'abroad',
      filter: { prefixes: ['+44', '+1'] },
      target: {
        kind: 'split',
        weights: [
          { channel: 'intl-a', weight: 3 },
          { channel: 'intl-b', weight: 1 },
        ],
      },
    },
    { id: 'default', target: { kind: 'channel', channel: 'telecom' } },
  ],
  channels,
);

const msg = (p: Partial<Routable>): Routable => ({
  tenantId: 'ten_a',
  to: '+8613800138000',
  country: 'CN',
  carrier: 'mobile',
  class: 'notification',
  sender: null,
  minuteOfDay: 600,
  ...p,
});
const allUp = () => true;

describe('routeFor', () => {
  const cases: Array<
    [string, Partial<Routable>, (c: string) => boolean, string | null, string | null]
  > = [
    ['tenant route first', { tenantId: 'ten_vip' }, allUp, 'vip', 'backup'],
    ['China Mobile to its channel', {}, allUp, 'mobile', 'cmcc'],
    ['China Mobile fails over when cmcc is down', {}, (c) => c !== 'cmcc', 'mobile', 'backup'],
    [
      'failover list all down: no channel',
      {},
      (c) => c !== 'cmcc' && c !== 'backup',
      'mobile',
      null,
    ],
    ['Unicom', { to: '+8613012345678', carrier: 'unicom' }, allUp, 'unicom', 'unicom'],
    [
      'marketing at night to Telecom',
      { carrier: 'telecom', class: 'marketing', minuteOfDay: 1300 },
      allUp,
      'night-mkt',
      'backup',
    ],
    [
      'marketing at night wraps midnight',
      { carrier: 'telecom', class: 'marketing', minuteOfDay: 100 },
      allUp,
      'night-mkt',
      'backup',
    ],
    [
      'marketing by day goes by default',
      { carrier: 'telecom', class: 'marketing', minuteOfDay: 600 },
      allUp,
      'default',
      'telecom',
    ],
    [
      'UK by split, the only one up',
      { to: '+447400123456', country: 'GB', carrier: null },
      (c) => c !== 'intl-a',
      'abroad',
      'intl-b',
    ],
  ];
  for (const [name, m, up, route, channel] of cases) {
    test(name, () => {
      const d = routeFor(routes, msg(m), up, () => 0.5);
      assert.equal(d.route, route, d.why.join('; '));
      assert.equal(d.channel, channel, d.why.join('; '));
      assert.ok(d.why.length > 0);
    });
  }

  test('a split follows its weights', () => {
    const counts: Record<string, number> = {};
    for (let i = 0; i < 400; i++) {
      const c = routeFor(
        routes,
        msg({ to: '+14155552671', country: 'US', carrier: null }),
        allUp,
        () => i / 400,
      ).channel!;
      counts[c] = (counts[c] ?? 0) + 1;
    }
    assert.deepEqual(counts, { 'intl-a': 300, 'intl-b': 100 });
  });
});

describe('parseRoutes refuses bad routes with the field', () => {
  const cases: Array<[unknown, string]> = [
    [[], 'routes'],
    [
      [{ id: 'a', filter: { countries: ['CN'] }, target: { kind: 'channel', channel: 'cmcc' } }],
      'routes[0].filter',
    ],
    [[{ id: 'a', target: { kind: 'channel', channel: 'nope' } }], 'routes[0].target.channel'],
    [
      [
        { id: 'a', filter: { colour: ['red'] }, target: { kind: 'channel', channel: 'cmcc' } },
        { id: 'b', target: { kind: 'channel', channel: 'cmcc' } },
      ],
      'routes[0].filter.colour',
    ],
    [
      [{ id: 'a', target: { kind: 'split', weights: [{ channel: 'cmcc', weight: 1 }] } }],
      'routes[0].target.weights',
    ],
    [
      [{ id: 'a', target: { kind: 'failover', channels: ['cmcc', 'x'] } }],
      'routes[0].target.channels[1]',
    ],
    [
      [
        {
          id: 'a',
          filter: { hours: { from: 600, to: 600 } },
          target: { kind: 'channel', channel: 'cmcc' },
        },
        { id: 'b', target: { kind: 'channel', channel: 'cmcc' } },
      ],
      'routes[0].filter.hours',
    ],
    [
      [
        { id: 'a', target: { kind: 'channel', channel: 'cmcc' } },
        { id: 'a', target: { kind: 'channel', channel: 'cmcc' } },
      ],
      'routes[1].id',
    ],
  ];
  for (const [input, field] of cases) {
    test(field, () => {
      assert.throws(
        () => parseRoutes(input, channels),
        (e: unknown) =>
          e instanceof DomainError &&
          e.code === 'invalid_route' &&
          (e.details as { field: string }).field === field,
      );
    });
  }
});
