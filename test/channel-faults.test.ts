// A misbehaving carrier over real SMPP: receipts before responses, ids in another base,
// receipts for ids we never sent, unknown and broken PDUs. Nothing crashes, nothing is lost.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import smpp, { type PDU, type Session } from 'smpp';
import { databases } from './support/databases.ts';
import { startTestPlatform, waitFinal, waitFor, type TestPlatform } from './support/platform.ts';
import { IncidentStore } from '../src/store/incidents.ts';
import { operatorAdmin } from './support/people.ts';

interface FakeCarrier {
  port: number;
  sessions: Session[];
  binds: number;
  close(): Promise<void>;
}

/** A carrier written for the test: hex ids in responses, decimal ids in receipts, receipt first. */
async function startFakeCarrier(behaviour: {
  onSubmit(session: Session, pdu: PDU, id: number): void;
}): Promise<FakeCarrier> {
  let next = 0x1000;
  const carrier: FakeCarrier = { port: 0, sessions: [], binds: 0, close: async () => {} };
  const server = smpp.createServer({}, (session: Session) => {
    carrier.sessions.push(session);
    session.on('error', () => session.destroy());
    session.on('bind_transceiver', (pdu: PDU) => {
      carrier.binds += 1;
      session.send(pdu.response({ system_id: 'fake' }));
    });
    session.on('enquire_link', (pdu: PDU) => session.send(pdu.response()));
    session.on('submit_sm', (pdu: PDU) => behaviour.onSubmit(session, pdu, next++));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const addr = server.address();
  carrier.port = typeof addr === 'object' && addr ? addr.port : 0;
  carrier.close = () =>
    new Promise((resolve) => {
      for (const s of carrier.sessions) s.destroy();
      server.close(() => resolve());
    });
  return carrier;
}

function receipt(id: string, stat: string) {
  return new smpp.PDU('deliver_sm', {
    esm_class: 0x04,
    data_coding: 0,
    short_message: `id:${id} sub:001 dlvrd:001 submit date:2611251200 done date:2611251201 stat:${stat} err:000 text:x`,
  });
}

describe('carrier faults', () => {
  let t: TestPlatform;
  let carrier: FakeCarrier;
  let mode: 'normal' | 'garbage-after-resp' = 'normal';

  before(async () => {
    carrier = await startFakeCarrier({
      onSubmit(session, pdu, id) {
        const dest = String(pdu.destination_addr);
        if (dest.endsWith('7777')) {
          // A receipt for an id we never issued, then the real answer.
          session.send(receipt('999999999', 'DELIVRD'));
        }
        // The receipt overtakes the response, and uses decimal where the response uses hex.
        session.send(receipt(String(id), dest.endsWith('8888') ? 'UNDELIV' : 'DELIVRD'));
        session.send(pdu.response({ message_id: id.toString(16).toUpperCase() }));
        if (mode === 'garbage-after-resp') {
          mode = 'normal';
          // An unknown command id, then a PDU whose length field is absurd.
          const unknown = Buffer.alloc(16);
          unknown.writeUInt32BE(16, 0);
          unknown.writeUInt32BE(0x00000777, 4);
          unknown.writeUInt32BE(1, 12);
          session.socket.write(unknown);
          const broken = Buffer.alloc(16, 0xff);
          session.socket.write(broken);
        }
      },
    });
    t = await startTestPlatform(databases[0]!, {
      roles: ['api', 'dispatcher', 'worker'],
      channels: [
        { id: 'fake', port: carrier.port, receiptIdMode: 'hex-resp-dec-dlr', reconnectMinMs: 50 },
      ],
    });
  });
  after(async () => {
    await t.stop();
    await carrier.close();
  });

  test('a receipt before its response, with its id in decimal, still settles the message', async () => {
    const r = await t.api('/v1/messages', {
      body: { to: ['13800138001', '13800138888'], text: 'hello' },
    });
    const [ok, bad] = r.body.messages;
    assert.equal((await waitFinal(t, ok.id)).status, 'delivered');
    const undelivered = await waitFinal(t, bad.id);
    assert.equal(undelivered.status, 'undelivered');
    assert.match(undelivered.partDetails[0].carrierId, /^[0-9a-f]+$/);
  });

  test('a receipt for an unknown id is kept, not matched, and harms nothing', async () => {
    const r = await t.api('/v1/messages', { body: { to: '13800137777', text: 'hello' } });
    assert.equal((await waitFinal(t, r.body.messages[0].id)).status, 'delivered');
    await waitFor(
      async () => {
        // Stored in the response's form: the channel converts decimal receipt ids to hex.
        const row = await t.platform.store.db
          .selectFrom('receipts')
          .selectAll()
          .where('carrier_id', '=', (999999999).toString(16))
          .executeTakeFirst();
        return row?.state === 'pending';
      },
      5000,
      'the unknown receipt to be stored',
    );
  });

  test('an unknown PDU and a broken PDU reset the connection; the channel binds again and nothing is lost', async () => {
    const bindsBefore = carrier.binds;
    mode = 'garbage-after-resp';
    const first = await t.api('/v1/messages', {
      body: { to: '13800138002', text: 'before the garbage' },
    });
    assert.equal((await waitFinal(t, first.body.messages[0].id)).status, 'delivered');
    await waitFor(() => carrier.binds > bindsBefore, 5000, 'the channel to bind again');
    await waitFor(
      () => t.platform.channels[0]!.state() === 'bound',
      5000,
      'the channel to be bound',
    );
    const after = await t.api('/v1/messages', {
      body: { to: ['13800138003', '13800138004'], text: 'after the garbage' },
    });
    for (const m of after.body.messages)
      assert.equal((await waitFinal(t, m.id)).status, 'delivered');
    assert.equal((await t.api('/health', { key: null })).status, 200);
    // The lost bind is in the incident log, with when it started and when it ended.
    await waitFor(
      async () =>
        (await new IncidentStore(t.platform.store.db).list({ channelId: 'fake', limit: 10 })).some(
          (i) => i.endedAt !== null,
        ),
      5000,
      'the incident to close',
    );
    const [incident] = await new IncidentStore(t.platform.store.db).list({
      channelId: 'fake',
      limit: 10,
    });
    assert.equal(incident!.kind, 'bind_lost');
    assert.ok(incident!.endedAt! >= incident!.startedAt);
    const admin = await operatorAdmin(t, 'incidents@operator.test');
    const listed = await admin.call('/v1/admin/channels/incidents?channel=fake');
    assert.equal(listed.body.data[0].kind, 'bind_lost');
    const csv = await admin.call('/v1/admin/channels/incidents?format=csv');
    assert.equal(csv.status, 200);
    assert.match(
      csv.body,
      /^id,channel,kind,started_at,ended_at,seconds,detail\ninc_[0-9A-Z]+,fake,bind_lost,/,
    );
  });
});
