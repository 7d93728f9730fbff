import { test } from 'node:test';
import assert from 'node:assert/strict';
import { envelope, eventTypeOf, messageStatusData, type MessageSnapshot } from './events.ts';

const m: MessageSnapshot = {
  id: 'msg_1',
  batchId: 'bat_1',
  clientRef: 'ref',
  to: '+8613800138000',
  parts: 2,
  encoding: 'ucs2',
  class: 'notification',
  channelId: 'cmcc-1',
  price: 450,
  amount: 900,
  charged: 900,
  currency: 'CNY',
  errorCode: 'UNDELIV',
  errorDetail: 'err:001',
  submittedAt: Date.UTC(2026, 10, 25, 1, 0, 0),
  doneAt: null,
};

test('event types: inbound rows are inbound.received, every status a message.status', () => {
  assert.equal(eventTypeOf('inbound'), 'inbound.received');
  for (const s of ['held', 'queued', 'submitted', 'delivered', 'failed', 'unknown'])
    assert.equal(eventTypeOf(s), 'message.status');
});

test('message.status data: the message view, with the error only for failures', () => {
  const failed = messageStatusData('undelivered', m);
  assert.deepEqual(failed, {
    messageId: 'msg_1',
    batchId: 'bat_1',
    clientRef: 'ref',
    to: '+8613800138000',
    status: 'undelivered',
    parts: 2,
    encoding: 'ucs2',
    class: 'notification',
    channel: 'cmcc-1',
    price: { amount: '0.0900', currency: 'CNY' },
    pricePerPart: { amount: '0.0450', currency: 'CNY' },
    charged: { amount: '0.0900', currency: 'CNY' },
    error: { code: 'UNDELIV', detail: 'err:001', category: 'invalid_number' },
    submittedAt: '2026-11-25T01:00:00.000Z',
    doneAt: null,
  });
  for (const s of ['queued', 'submitted', 'delivered'])
    assert.equal(messageStatusData(s, m).error, null, s);
  assert.equal(messageStatusData('failed', { ...m, errorCode: null }).error, null);
  assert.deepEqual(
    (messageStatusData('failed', m, [{ stat: 'UNDELIV', category: 'handset' }]).error as any)
      .category,
    'handset',
    'a channel may have its own category rules',
  );
  assert.deepEqual(envelope('evt_9', 'message.status', 0, {}), {
    id: 'evt_9',
    type: 'message.status',
    createdAt: '1970-01-01T00:00:00.000Z',
    data: {},
  });
});
