import { test } from 'node:test';
import assert from 'node:assert/strict';
import { categorise, categoriseErrorCode, categoriseStat } from './failure-category.ts';

test('carrier stats map to whose fault it was', () => {
  const cases: Array<[string, string]> = [
    ['MK:0001', 'invalid_number'],
    ['mk:0005', 'invalid_number'],
    ['MK:0017', 'handset'],
    ['MK:0024', 'handset'],
    ['MK:0061', 'carrier'],
    ['MN:0001', 'invalid_number'],
    ['MN:0013', 'handset'],
    ['DB:0141', 'recipient_blocked'],
    ['DB:0101', 'invalid_number'],
    ['DB:0008', 'carrier'],
    ['ID:0076', 'content'],
    ['BLACK', 'recipient_blocked'],
    ['KEYWORD', 'content'],
    ['UNDELIV', 'invalid_number'],
    ['UNDELIV_601', 'invalid_number'],
    ['EXPIRED', 'expired'],
    ['EXPIRED_640', 'expired'],
    ['REJECTD', 'content'],
    ['NP:0001', 'carrier'],
    ['SOMETHING', 'carrier'],
  ];
  for (const [stat, cat] of cases) assert.equal(categoriseStat(stat), cat, stat);
});

test('a channel may override the defaults', () => {
  assert.equal(
    categoriseStat('MK:0000', [{ stat: 'MK:0000', category: 'recipient_blocked' }]),
    'recipient_blocked',
  );
});

test('submit refusals and our own failures', () => {
  assert.equal(categorise({ commandStatus: 0x0b }), 'invalid_number');
  assert.equal(categorise({ commandStatus: 0x45 }), 'carrier');
  assert.equal(categorise({ errorCode: 'content_rejected' }), 'content');
  assert.equal(categorise({ errorCode: 'channel_down' }), 'platform');
  assert.equal(
    categorise({ stat: 'MK:0001', commandStatus: 0x45 }),
    'invalid_number',
    'the receipt wins',
  );
});

test('from the error code a message shows', () => {
  const cases: Array<[string, string]> = [
    ['MK:0001', 'invalid_number'],
    ['ESME_RINVDSTADR', 'invalid_number'],
    ['ESME_RSUBMITFAIL', 'carrier'],
    ['content_rejected', 'content'],
    ['response_timeout', 'platform'],
    ['UNDELIV', 'invalid_number'],
  ];
  for (const [code, cat] of cases) assert.equal(categoriseErrorCode(code), cat, code);
});
