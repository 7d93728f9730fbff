import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  callbackTarget,
  recipientsOf,
  routeEvents,
  type RoutableEvent,
  type Subscription,
} from './recipients.ts';

const originOf = (url: string): string | null => {
  try {
    const u = new URL(url);
    return u.protocol === 'https:' || u.protocol === 'http:' ? u.origin : null;
  } catch {
    return null;
  }
};

const sub = (id: string, over: Partial<Subscription> = {}): Subscription => ({
  id,
  tenantId: 'ten_a',
  events: ['message.status'],
  statuses: null,
  enabled: true,
  ...over,
});

const ev = (status: string, over: Partial<RoutableEvent> = {}): RoutableEvent => ({
  tenantId: 'ten_a',
  status,
  callback: null,
  ...over,
});

test('which targets receive an event', () => {
  const cb = (url: string, statuses: string | null = null) => ({ callback: { url, statuses } });
  const cases: Array<[string, RoutableEvent, Subscription[], string[]]> = [
    ['no endpoint, no callback', ev('queued'), [], []],
    ['one endpoint wanting everything', ev('queued'), [sub('whk_1')], ['whk_1']],
    [
      'every subscribed endpoint',
      ev('delivered'),
      [sub('whk_1'), sub('whk_2')],
      ['whk_1', 'whk_2'],
    ],
    ['a disabled endpoint', ev('queued'), [sub('whk_1', { enabled: false })], []],
    ["another tenant's endpoint", ev('queued'), [sub('whk_1', { tenantId: 'ten_b' })], []],
    ['final only: queued', ev('queued'), [sub('whk_1', { statuses: 'final' })], []],
    ['final only: delivered', ev('delivered'), [sub('whk_1', { statuses: 'final' })], ['whk_1']],
    ['final only: expired', ev('expired'), [sub('whk_1', { statuses: 'final' })], ['whk_1']],
    ['a chosen status', ev('submitted'), [sub('whk_1', { statuses: 'submitted' })], ['whk_1']],
    ['not a chosen status', ev('queued'), [sub('whk_1', { statuses: 'final,submitted' })], []],
    [
      'status events to an inbound-only endpoint',
      ev('queued'),
      [sub('whk_1', { events: ['inbound.received'] })],
      [],
    ],
    [
      'inbound to an inbound endpoint',
      ev('inbound'),
      [sub('whk_1', { events: ['inbound.received'] })],
      ['whk_1'],
    ],
    ['inbound to a status-only endpoint', ev('inbound'), [sub('whk_1')], []],
    // A status selection is about message.status: an inbound event ignores it.
    [
      'inbound with a status selection',
      ev('inbound'),
      [sub('whk_1', { events: ['message.status', 'inbound.received'], statuses: 'final' })],
      ['whk_1'],
    ],
    [
      'a callback replaces the endpoints',
      ev('queued', cb('https://a.example/cb?x=1')),
      [sub('whk_1')],
      ['cb:https://a.example'],
    ],
    [
      'a callback not wanting the status',
      ev('queued', cb('https://a.example/cb', 'final')),
      [sub('whk_1')],
      [],
    ],
    [
      'a callback wanting final: delivered',
      ev('delivered', cb('https://a.example/cb', 'final')),
      [sub('whk_1')],
      ['cb:https://a.example'],
    ],
    [
      'a callback that is no valid target',
      ev('queued', cb('ftp://a.example/cb')),
      [sub('whk_1')],
      [],
    ],
    [
      'a callback on an inbound event is not looked at',
      ev('inbound', cb('https://a.example/cb')),
      [sub('whk_1', { events: ['inbound.received'] })],
      ['whk_1'],
    ],
  ];
  for (const [name, event, subs, targets] of cases)
    assert.deepEqual(
      recipientsOf(event, subs, originOf).map((r) => r.target),
      targets,
      name,
    );
});

test('a recipient says where it goes', () => {
  assert.deepEqual(recipientsOf(ev('queued'), [sub('whk_1')], originOf), [
    { target: 'whk_1', endpointId: 'whk_1', callbackUrl: null },
  ]);
  const url = 'https://a.example:8443/hook/42';
  assert.deepEqual(
    recipientsOf(ev('failed', { callback: { url, statuses: null } }), [], originOf),
    [{ target: callbackTarget('https://a.example:8443'), endpointId: null, callbackUrl: url }],
  );
  assert.equal(callbackTarget('https://a.example'), 'cb:https://a.example');
});

test('a batch keeps the events somebody receives, in order', () => {
  const subs = [
    sub('whk_a', { statuses: 'final' }),
    sub('whk_b', { tenantId: 'ten_b' }),
    sub('whk_b2', { tenantId: 'ten_b', enabled: false }),
  ];
  const events = [
    { seq: 1, ...ev('queued') },
    { seq: 2, ...ev('queued', { tenantId: 'ten_b' }) },
    { seq: 3, ...ev('delivered') },
    { seq: 4, ...ev('queued', { tenantId: 'ten_c' }) },
    { seq: 5, ...ev('delivered', { callback: { url: 'https://x.example/', statuses: null } }) },
  ];
  const routed = routeEvents(events, subs, originOf);
  assert.deepEqual(
    routed.map((r) => [r.event.seq, r.recipients.map((x) => x.target)]),
    [
      [2, ['whk_b']],
      [3, ['whk_a']],
      [5, ['cb:https://x.example']],
    ],
  );
  assert.deepEqual(routeEvents([], subs, originOf), []);
});
