import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { databases } from './support/databases.ts';
import type { Store } from '../src/store/db.ts';
import { MessageStore } from '../src/store/messages.ts';
import { DispatchQueue } from '../src/store/dispatch-queue.ts';
import type { NewMessage } from '../src/store/message-rows.ts';
import { ReceiptStore } from '../src/store/receipts.ts';
import { TenantStore } from '../src/store/tenants.ts';
import { newId } from '../src/core/ids.ts';

for (const database of databases) {
  describe(`message store on ${database.dialect}`, () => {
    let store: Store;
    let messages: MessageStore;
    let queue: DispatchQueue;
    let receipts: ReceiptStore;
    let tenantId: string;

    before(async () => {
      ({ store } = await database.open());
      messages = new MessageStore(store.db, store.dialect);
      queue = new DispatchQueue(store.db, store.dialect);
      receipts = new ReceiptStore(store.db, store.dialect);
      tenantId = (await new TenantStore(store.db).create({ name: 'acme' })).id;
    });
    after(() => store.close());

    const make = (to: string, parts = 1): NewMessage => ({
      id: newId('msg'),
      tenantId,
      batchId: 'bat_x',
      clientRef: null,
      to,
      text: 'hello',
      encoding: 'gsm7',
      parts,
      concatRef: 7,
      createdAt: Date.now(),
    });

    test('migrations are idempotent', async () => {
      const { migrate } = await import('../src/store/db.ts');
      assert.deepEqual(await migrate(store), []);
    });

    test('claim takes due messages once; a second claim gets none of them', async () => {
      const batch = [make('+8613800000001'), make('+8613800000002', 2)];
      await messages.insertAccepted(batch);
      const now = Date.now() + 1;
      const first = await queue.claim({ node: 'n1', now, leaseMs: 60_000, limit: 100 });
      const mine = first.filter((m) => batch.some((b) => b.id === m.id));
      assert.equal(mine.length, 2);
      assert.deepEqual(mine.find((m) => m.partsCount === 2)?.pendingSeqs, [1, 2]);
      const second = await queue.claim({ node: 'n2', now, leaseMs: 60_000, limit: 100 });
      assert.equal(second.filter((m) => batch.some((b) => b.id === m.id)).length, 0);
      // The lease ran out (node died): the messages are due again.
      const third = await queue.claim({
        node: 'n2',
        now: now + 60_001,
        leaseMs: 60_000,
        limit: 100,
      });
      assert.equal(third.filter((m) => batch.some((b) => b.id === m.id)).length, 2);
    });

    test('submit responses then receipts settle a two-part message; a receipt may come first', async () => {
      const m = make('+8613800000003', 2);
      await messages.insertAccepted([m]);
      const now = Date.now();
      // Part 2's receipt overtakes its submit_sm_resp.
      await receipts.record(
        [
          {
            channelId: 'sim',
            carrierId: 'c2',
            stat: 'DELIVRD',
            err: '000',
            status: 'delivered',
            receivedAt: now,
          },
        ],
        now,
      );
      const c1 = await queue.applyDispatchOutcomes({
        submitted: [{ messageId: m.id, seq: 1, channelId: 'sim', carrierId: 'c1', at: now }],
        failed: [],
        retry: [],
        now,
      });
      assert.deepEqual(
        c1.filter((c) => c.id === m.id),
        [],
      );
      const c2 = await queue.applyDispatchOutcomes({
        submitted: [{ messageId: m.id, seq: 2, channelId: 'sim', carrierId: 'c2', at: now }],
        failed: [],
        retry: [],
        now,
      });
      assert.deepEqual(
        c2.filter((c) => c.id === m.id).map((c) => c.status),
        ['submitted'],
      );
      assert.equal((await messages.get(tenantId, m.id))?.status, 'submitted');
      const c3 = await receipts.record(
        [
          {
            channelId: 'sim',
            carrierId: 'c1',
            stat: 'UNDELIV',
            err: '001',
            status: 'undelivered',
            receivedAt: now,
          },
        ],
        now,
      );
      assert.deepEqual(
        c3.map((c) => [c.id, c.status]),
        [[m.id, 'undelivered']],
      );
      const view = await messages.get(tenantId, m.id);
      assert.equal(view?.status, 'undelivered');
      assert.deepEqual(
        view?.partDetails?.map((p) => [p.seq, p.status, p.carrierId, p.stat]),
        [
          [1, 'undelivered', 'c1', 'UNDELIV'],
          [2, 'delivered', 'c2', 'DELIVRD'],
        ],
      );
      // A duplicate receipt changes nothing.
      const again = await receipts.record(
        [
          {
            channelId: 'sim',
            carrierId: 'c1',
            stat: 'DELIVRD',
            err: '000',
            status: 'delivered',
            receivedAt: now,
          },
        ],
        now,
      );
      assert.deepEqual(again, []);
      assert.equal((await messages.get(tenantId, m.id))?.status, 'undelivered');
    });

    test('a permanent submit error fails the message; a retry makes it due later', async () => {
      const bad = make('+8613800000004');
      const later = make('+8613800000005');
      await messages.insertAccepted([bad, later]);
      const now = Date.now();
      await queue.claim({ node: 'n1', now: now + 1, leaseMs: 60_000, limit: 1000 });
      const changes = await queue.applyDispatchOutcomes({
        submitted: [],
        failed: [
          {
            messageId: bad.id,
            seq: 1,
            channelId: 'sim',
            commandStatus: 0x45,
            errorCode: 'ESME_RSUBMITFAIL',
            detail: 'submit failed',
          },
        ],
        retry: [{ messageId: later.id, notBefore: now + 5000, detail: 'throttled' }],
        now,
      });
      assert.deepEqual(
        changes.map((c) => [c.id, c.status]),
        [[bad.id, 'failed']],
      );
      const failed = await messages.get(tenantId, bad.id);
      assert.equal(failed?.errorCode, 'ESME_RSUBMITFAIL');
      assert.equal(failed?.partDetails?.[0]?.commandStatus, 0x45);
      assert.equal(
        (await queue.claim({ node: 'n1', now: now + 4000, leaseMs: 1000, limit: 1000 })).some(
          (m) => m.id === later.id,
        ),
        false,
      );
      assert.equal(
        (await queue.claim({ node: 'n1', now: now + 5001, leaseMs: 1000, limit: 1000 })).some(
          (m) => m.id === later.id,
        ),
        true,
      );
    });

    test('overdue submitted messages end as unknown; orphan receipts are kept', async () => {
      const m = make('+8613800000006');
      await messages.insertAccepted([m]);
      const now = Date.now();
      await queue.applyDispatchOutcomes({
        submitted: [
          { messageId: m.id, seq: 1, channelId: 'sim', carrierId: 'late1', at: now - 10_000 },
        ],
        failed: [],
        retry: [],
        now,
      });
      const expired = await receipts.expireOverdue(now - 5000, now);
      assert.deepEqual(
        expired.filter((c) => c.id === m.id).map((c) => c.status),
        ['unknown'],
      );
      await receipts.record(
        [
          {
            channelId: 'sim',
            carrierId: 'nobody-knows',
            stat: 'DELIVRD',
            err: null,
            status: 'delivered',
            receivedAt: now - 1000,
          },
        ],
        now,
      );
      const orphans = await receipts.markOrphans(now);
      assert.ok(orphans.some((o) => o.carrier_id === 'nobody-knows'));
      assert.ok((await receipts.countByState()).orphan! >= 1);
    });
  });
}
