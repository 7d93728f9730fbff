import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  isStatusSelector,
  selectionView,
  storedSelection,
  wantsStatus,
  type StatusSelector,
} from './status-filter.ts';

test('a selection as stored and as shown', () => {
  const cases: Array<[StatusSelector[], string | null, StatusSelector[]]> = [
    [[], null, ['all']],
    [['all'], null, ['all']],
    [['final', 'all'], null, ['all']],
    [['final'], 'final', ['final']],
    [['delivered', 'final', 'undelivered'], 'final', ['final']],
    [['submitted', 'final'], 'final,submitted', ['final', 'submitted']],
    [['delivered', 'queued', 'delivered'], 'queued,delivered', ['queued', 'delivered']],
  ];
  for (const [given, stored, shown] of cases) {
    assert.equal(storedSelection(given), stored, given.join(','));
    assert.deepEqual(selectionView(stored), shown, given.join(','));
  }
  assert.ok(isStatusSelector('final') && isStatusSelector('expired'));
  assert.ok(!isStatusSelector('FINAL') && !isStatusSelector('sent') && !isStatusSelector(''));
});

test('which statuses a selection wants', () => {
  const statuses = [
    'held',
    'queued',
    'submitted',
    'delivered',
    'undelivered',
    'expired',
    'rejected',
    'failed',
    'unknown',
  ];
  const cases: Array<[string | null, string[]]> = [
    [null, statuses],
    ['final', ['delivered', 'undelivered', 'expired', 'rejected', 'failed', 'unknown']],
    ['final,submitted', statuses.filter((s) => s !== 'held' && s !== 'queued')],
    ['delivered', ['delivered']],
    ['queued,undelivered,failed', ['queued', 'undelivered', 'failed']],
  ];
  for (const [stored, wanted] of cases)
    assert.deepEqual(
      statuses.filter((s) => wantsStatus(stored, s)),
      wanted,
      String(stored),
    );
});
