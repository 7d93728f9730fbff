import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { settleByBatch, type BatchSettlement, type SettledHold } from './hold-settlement.ts';

const hold = (batchId: string, parts: number, paid: number, price = 450, tenantId = 'ten_a') => ({
  tenantId,
  batchId,
  amount: parts * price,
  charged: paid * price,
  price,
});
const batch = (
  batchId: string,
  charge: number,
  release: number,
  chargedParts: number,
  releasedParts: number,
  tenantId = 'ten_a',
): BatchSettlement => ({ tenantId, batchId, charge, release, chargedParts, releasedParts });

describe('settleByBatch', () => {
  const cases: Array<{ name: string; holds: SettledHold[]; want: BatchSettlement[] }> = [
    { name: 'nothing settled', holds: [], want: [] },
    {
      name: 'every part paid for',
      holds: [hold('bat_1', 2, 2)],
      want: [batch('bat_1', 900, 0, 2, 0)],
    },
    {
      name: 'nothing delivered: all released',
      holds: [hold('bat_1', 3, 0)],
      want: [batch('bat_1', 0, 1350, 0, 3)],
    },
    {
      name: 'one part of three paid for',
      holds: [hold('bat_1', 3, 1)],
      want: [batch('bat_1', 450, 900, 1, 2)],
    },
    {
      name: 'messages of one batch add up; batches keep their first order',
      holds: [hold('bat_2', 1, 1), hold('bat_1', 2, 1), hold('bat_2', 2, 0)],
      want: [batch('bat_2', 450, 900, 1, 2), batch('bat_1', 450, 450, 1, 1)],
    },
    {
      name: 'the same batch id of two tenants is two batches',
      holds: [hold('bat_1', 1, 1, 450, 'ten_a'), hold('bat_1', 1, 0, 450, 'ten_b')],
      want: [batch('bat_1', 450, 0, 1, 0, 'ten_a'), batch('bat_1', 0, 450, 0, 1, 'ten_b')],
    },
    {
      name: 'a zero price moves no money and counts no parts',
      holds: [hold('bat_1', 2, 2, 0)],
      want: [batch('bat_1', 0, 0, 0, 0)],
    },
    {
      name: 'different prices within a batch',
      holds: [hold('bat_1', 2, 1, 450), hold('bat_1', 1, 1, 300)],
      want: [batch('bat_1', 750, 450, 2, 1)],
    },
  ];
  for (const c of cases) test(c.name, () => assert.deepEqual(settleByBatch(c.holds), c.want));
});
