// Over 500 lines: the spec of one file (smsc.ts): outcome rules, sessions, options and the receipt journal share the client helpers below.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  appendFileSync,
  existsSync,
  mkdtempSync,
  readFileSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { spawn } from 'node:child_process';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import smpp, { type PDU, type PduFields, type Session } from 'smpp';
import {
  carrierIdVariants,
  normaliseCarrierId,
  readReceipt,
  type Receipt,
} from '../core/receipts.ts';
import { startControlServer } from './control.ts';
import { processStartTime } from './journal-lock.ts';
import { compileOutcomes, DEFAULT_OUTCOME_RULES, resolveOutcome } from './outcomes.ts';
import { SmscSimulator, type SimulatorOptions, type SubmitEvent } from './smsc.ts';

// ---------------------------------------------------------------------------------------------
// Helpers: a real node-smpp client over loopback
// ---------------------------------------------------------------------------------------------

const DELAY = 20;

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const t = setTimeout(
      () => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)),
      ms,
    );
    p.then(
      (v) => {
        clearTimeout(t);
        resolve(v);
      },
      (e: unknown) => {
        clearTimeout(t);
        reject(e instanceof Error ? e : new Error(String(e)));
      },
    );
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitFor(cond: () => boolean, what: string, ms = 2000): Promise<void> {
  const start = Date.now();
  while (!cond()) {
    if (Date.now() - start > ms) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await sleep(5);
  }
}

interface Client {
  session: Session;
  /** deliver_sm received (auto-acknowledged unless `ack` says otherwise). */
  delivered: PDU[];
  closed: Promise<void>;
  call(command: string, fields?: PduFields): Promise<PDU>;
}

const clients: Session[] = [];

function connect(port: number, ack: (pdu: PDU) => number | null = () => 0): Promise<Client> {
  return withTimeout(
    new Promise<Client>((resolve, reject) => {
      const session = smpp.connect({ host: '127.0.0.1', port }, () => resolve(client));
      clients.push(session);
      const delivered: PDU[] = [];
      const closed = new Promise<void>((r) => session.on('close', () => r()));
      session.on('error', (e: Error) => reject(e)); // stays attached: later resets are expected
      session.on('deliver_sm', (pdu: PDU) => {
        delivered.push(pdu);
        const status = ack(pdu);
        if (status !== null) session.send(pdu.response(status ? { command_status: status } : {}));
      });
      const call = (command: string, fields: PduFields = {}) =>
        withTimeout(
          new Promise<PDU>((r) => {
            const method = session[command as 'submit_sm'] as (
              o: PduFields,
              cb: (pdu: PDU) => void,
            ) => boolean;
            method.call(session, fields, r);
          }),
          2000,
          `${command} response`,
        );
      const client: Client = { session, delivered, closed, call };
    }),
    2000,
    'connect',
  );
}

async function bound(
  port: number,
  mode = 'bind_transceiver',
  systemId = 'acme',
  password = 'pw',
  ack?: (pdu: PDU) => number | null,
): Promise<Client> {
  const c = await connect(port, ack);
  const resp = await c.call(mode, { system_id: systemId, password });
  assert.equal(resp.command_status, 0, `bind ${systemId} failed`);
  return c;
}

function submitFields(destination: string, extra: PduFields = {}): PduFields {
  return {
    source_addr_ton: 5,
    source_addr: 'HONGYAN',
    dest_addr_ton: 1,
    dest_addr_npi: 1,
    destination_addr: destination,
    registered_delivery: 1,
    data_coding: 0,
    short_message: Buffer.from('Your code is 123456', 'latin1'),
    ...extra,
  };
}

function receiptOf(pdu: PDU): Receipt | null {
  const sm = pdu.short_message as { message?: unknown } | undefined;
  return readReceipt({
    esmClass: pdu.esm_class as number,
    text: typeof sm?.message === 'string' ? sm.message : null,
    receiptedMessageId: (pdu.receipted_message_id as string | undefined) ?? null,
    messageState: (pdu.message_state as number | undefined) ?? null,
    networkErrorCode: (pdu.network_error_code as Buffer | undefined) ?? null,
  });
}

function textOf(pdu: PDU): string {
  const sm = pdu.short_message as { message?: unknown } | undefined;
  return typeof sm?.message === 'string' ? sm.message : '';
}

after(() => {
  for (const s of clients) s.destroy();
});

// ---------------------------------------------------------------------------------------------
// Outcome rules (pure)
// ---------------------------------------------------------------------------------------------

describe('outcome rules', () => {
  const cases: Array<
    [string, { submitStatus: number; stat: string; err: string; receipt: boolean }]
  > = [
    ['8613800130000', { submitStatus: 0, stat: 'UNDELIV', err: '001', receipt: true }],
    ['8613800130001', { submitStatus: 0x45, stat: 'DELIVRD', err: '000', receipt: false }],
    ['8613800130002', { submitStatus: 0, stat: 'EXPIRED', err: '000', receipt: true }],
    ['8613800130003', { submitStatus: 0, stat: 'REJECTD', err: '000', receipt: true }],
    ['8613800130004', { submitStatus: 0x58, stat: 'DELIVRD', err: '000', receipt: false }],
    ['8613800130009', { submitStatus: 0, stat: 'DELIVRD', err: '000', receipt: false }],
    ['8613800138000', { submitStatus: 0, stat: 'DELIVRD', err: '000', receipt: true }],
    ['0000', { submitStatus: 0, stat: 'UNDELIV', err: '001', receipt: true }],
  ];
  for (const [dest, expected] of cases) {
    test(`default: ${dest}`, () => assert.deepEqual({ ...resolveOutcome(dest) }, expected));
  }

  test('custom rules come first and the first match wins', () => {
    const resolve = compileOutcomes([
      { match: /^86138/, stat: 'MK:0005', err: '005' },
      { match: '0000', stat: 'DELIVRD' },
      { match: /^44/g, submitStatus: 0x0b },
    ]);
    assert.equal(resolve('8613800130000').stat, 'MK:0005');
    assert.equal(resolve('447700900005').submitStatus, 0x0b);
    assert.equal(
      resolve('447700900005').submitStatus,
      0x0b,
      'a /g RegExp does not keep lastIndex between calls',
    );
    assert.equal(resolve('447700900000').submitStatus, 0, "the earlier '0000' rule wins");
    assert.equal(resolve('33600000000').stat, 'DELIVRD');
    assert.equal(
      resolve('33600000001').submitStatus,
      0x45,
      'defaults still apply after custom rules',
    );
  });

  test('outcomes are shared frozen objects', () => {
    const resolve = compileOutcomes();
    assert.equal(resolve('1'), resolve('2'));
    assert.ok(Object.isFrozen(resolve('1')));
    assert.equal(DEFAULT_OUTCOME_RULES.length, 6);
  });
});

// ---------------------------------------------------------------------------------------------
// The simulator over loopback
// ---------------------------------------------------------------------------------------------

describe('SmscSimulator', () => {
  let sim: SmscSimulator;
  let port: number;
  const submits: SubmitEvent[] = [];

  before(async () => {
    sim = new SmscSimulator({
      accounts: { acme: 'pw', q: 'pw', rq: 'pw', rt: 'pw', bulk: 'pw', other: 'pw' },
      receiptDelayMs: DELAY,
      outcomes: [{ match: /^86139/, stat: 'MK:0005', err: '005' }],
      logger: pino({ level: 'silent' }),
    });
    sim.on('submit', (e) => submits.push(e));
    ({ port } = await sim.start());
  });
  after(async () => {
    await sim.stop();
  });
  /** Earlier tests' sessions are gone on the server side too (their close is asynchronous). */
  const settle = () => waitFor(() => sim.stats().sessions === 0, 'earlier sessions to close');

  test('bind with the right password; wrong password → 0x0E; unknown system_id → 0x0F', async () => {
    const ok = await connect(port);
    assert.equal(
      (await ok.call('bind_transceiver', { system_id: 'acme', password: 'pw' })).command_status,
      0,
    );
    const again = await ok.call('bind_transceiver', { system_id: 'acme', password: 'pw' });
    assert.equal(again.command_status, 0x05, 'already bound');
    const wrong = await connect(port);
    assert.equal(
      (await wrong.call('bind_transmitter', { system_id: 'acme', password: 'nope' }))
        .command_status,
      0x0e,
    );
    const unknown = await connect(port);
    assert.equal(
      (await unknown.call('bind_receiver', { system_id: 'mallory', password: 'pw' }))
        .command_status,
      0x0f,
    );
    ok.session.destroy();
    wrong.session.destroy();
    unknown.session.destroy();
  });

  test('submit → message_id, then a DELIVRD receipt whose id matches (read with readReceipt)', async () => {
    const c = await bound(port);
    const resp = await c.call('submit_sm', submitFields('8613800138000'));
    assert.equal(resp.command_status, 0);
    const id = resp.message_id as string;
    assert.match(id, /^[0-9a-f]{16}$/);
    await waitFor(() => c.delivered.length === 1, 'the receipt');
    const dlr = c.delivered[0] as PDU;
    assert.equal(dlr.esm_class, 0x04);
    assert.equal(dlr.data_coding, 0);
    assert.equal(dlr.receipted_message_id, id);
    assert.equal(dlr.message_state, 2);
    assert.equal(dlr.source_addr, '8613800138000', 'the receipt comes from the handset');
    assert.equal(dlr.destination_addr, 'HONGYAN');
    assert.match(
      textOf(dlr),
      new RegExp(
        `^id:${id} sub:001 dlvrd:001 submit date:\\d{10} done date:\\d{10} stat:DELIVRD err:000 text:Your code is 123456$`,
      ),
    );
    const r = receiptOf(dlr);
    assert.ok(r);
    assert.equal(r.carrierId, id);
    assert.equal(r.stat, 'DELIVRD');
    assert.equal(r.status, 'delivered');
    assert.equal(r.err, '000');
    assert.match(r.doneAt ?? '', /^\d{10}$/);
    // readReceipt also works from the text alone.
    assert.equal(readReceipt({ esmClass: 4, text: textOf(dlr) })?.carrierId, id);
    await waitFor(() => sim.stats().receiptsPending === 0, 'the ack');
    c.session.destroy();
  });

  test('the default outcomes by destination suffix', async () => {
    const c = await bound(port);
    const expect: Array<[string, string, number, string | null]> = [
      ['8613800130000', 'UNDELIV', 5, '001'],
      ['8613800130002', 'EXPIRED', 3, '000'],
      ['8613800130003', 'REJECTD', 8, '000'],
      ['8613900130000', 'MK:0005', 5, '005'], // the custom rule wins over the 0000 default
    ];
    const ids = new Map<string, (typeof expect)[number]>();
    for (const e of expect) {
      const resp = await c.call('submit_sm', submitFields(e[0]));
      assert.equal(resp.command_status, 0);
      ids.set(resp.message_id as string, e);
    }
    await waitFor(() => c.delivered.length === expect.length, 'receipts');
    for (const dlr of c.delivered) {
      const r = receiptOf(dlr);
      assert.ok(r);
      const [dest, stat, state, err] =
        ids.get(r.carrierId) ?? assert.fail(`unexpected id ${r.carrierId}`);
      assert.equal(dlr.source_addr, dest);
      assert.equal(r.stat, stat);
      assert.equal(dlr.message_state, state);
      assert.equal(r.err, err);
      assert.equal(
        r.status,
        stat === 'EXPIRED' ? 'expired' : stat === 'REJECTD' ? 'rejected' : 'undelivered',
      );
      if (stat !== 'DELIVRD' && err !== '000')
        assert.deepEqual([...(dlr.network_error_code as Buffer)], [3, 0, Number(err)]);
    }
    c.session.destroy();
  });

  test('0001 → ESME_RSUBMITFAIL, 0004 → ESME_RTHROTTLED, 0009 → accepted but no receipt', async () => {
    const c = await bound(port);
    const before = sim.stats();
    const fail = await c.call('submit_sm', submitFields('8613800130001'));
    assert.equal(fail.command_status, 0x45);
    assert.equal(fail.message_id, undefined, 'no body on an error resp');
    const throttled = await c.call('submit_sm', submitFields('8613800130004'));
    assert.equal(throttled.command_status, 0x58);
    const silent = await c.call('submit_sm', submitFields('8613800130009'));
    assert.equal(silent.command_status, 0);
    assert.ok(silent.message_id);
    await sleep(DELAY * 5);
    assert.equal(c.delivered.length, 0);
    const after = sim.stats();
    assert.equal(after.submits - before.submits, 3);
    assert.equal(after.submitErrors - before.submitErrors, 2);
    c.session.destroy();
  });

  test('registered_delivery 0 → no receipt; 2 (failures only) → only the failed one', async () => {
    const c = await bound(port);
    await c.call('submit_sm', submitFields('8613800138000', { registered_delivery: 0 }));
    await c.call('submit_sm', submitFields('8613800138000', { registered_delivery: 2 }));
    const failed = await c.call(
      'submit_sm',
      submitFields('8613800130000', { registered_delivery: 2 }),
    );
    await waitFor(() => c.delivered.length === 1, 'the failure receipt');
    await sleep(DELAY * 3);
    assert.equal(c.delivered.length, 1);
    assert.equal(receiptOf(c.delivered[0] as PDU)?.carrierId, failed.message_id);
    c.session.destroy();
  });

  test('a 2-part concatenated submit (UDH in a Buffer) gets 2 ids and 2 receipts', async () => {
    const c = await bound(port);
    const udh = (seq: number) => Buffer.from([0x05, 0x00, 0x03, 0x2a, 0x02, seq]);
    const parts = [
      Buffer.from('First part of a long', 'latin1'),
      Buffer.from(' message', 'latin1'),
    ];
    const n = submits.length;
    const ids: string[] = [];
    for (let i = 0; i < 2; i++) {
      const resp = await c.call(
        'submit_sm',
        submitFields('8613800138000', {
          esm_class: 0x40,
          short_message: Buffer.concat([udh(i + 1), parts[i] as Buffer]),
        }),
      );
      assert.equal(resp.command_status, 0);
      ids.push(resp.message_id as string);
    }
    assert.notEqual(ids[0], ids[1]);
    const seen = submits.slice(n);
    assert.equal(seen.length, 2);
    for (let i = 0; i < 2; i++) {
      const e = seen[i] as SubmitEvent;
      assert.equal(e.esmClass, 0x40);
      assert.equal(e.dataCoding, 0);
      assert.equal(e.destinationAddr, '8613800138000');
      assert.equal(e.systemId, 'acme');
      assert.equal(e.messageId, ids[i]);
      assert.deepEqual(e.udh, udh(i + 1));
      assert.deepEqual(e.shortMessage, Buffer.concat([udh(i + 1), parts[i] as Buffer]));
      assert.equal(e.text, (parts[i] as Buffer).toString('latin1'));
    }
    await waitFor(() => c.delivered.length === 2, 'two receipts');
    const got = c.delivered.map((p) => receiptOf(p)?.carrierId).sort();
    assert.deepEqual(got, [...ids].sort());
    assert.match(
      textOf(c.delivered.find((p) => p.receipted_message_id === ids[0]) as PDU),
      /text:First part of a long$/,
    );
    c.session.destroy();
  });

  test("the 'submit' event carries raw UCS-2 bytes and message_payload", async () => {
    const c = await bound(port);
    const n = submits.length;
    const ucs2 = Buffer.from([0x4f, 0x60, 0x59, 0x7d]); // 你好 in UTF-16BE
    await c.call(
      'submit_sm',
      submitFields('8613800138000', {
        data_coding: 8,
        short_message: ucs2,
        registered_delivery: 0,
      }),
    );
    const payload = Buffer.from('x'.repeat(300), 'latin1');
    await c.call(
      'submit_sm',
      submitFields('8613800138000', {
        short_message: Buffer.alloc(0),
        message_payload: payload,
        registered_delivery: 0,
      }),
    );
    const [u, p] = submits.slice(n) as [SubmitEvent, SubmitEvent];
    assert.equal(u.dataCoding, 8);
    assert.deepEqual(u.shortMessage, ucs2);
    assert.equal(u.text, '你好');
    assert.equal(u.udh, null);
    assert.deepEqual(p.shortMessage, payload);
    c.session.destroy();
  });

  test('a receipt waits while no receiver is bound and is delivered after a receiver binds', async () => {
    const tx = await bound(port, 'bind_transmitter', 'q');
    const resp = await tx.call('submit_sm', submitFields('8613800138000'));
    await sleep(DELAY * 4);
    assert.equal(tx.delivered.length, 0, 'a transmitter gets no deliver_sm');
    assert.ok(sim.stats().receiptsPending >= 1);
    const rx = await bound(port, 'bind_receiver', 'q');
    await waitFor(() => rx.delivered.length === 1, 'the queued receipt');
    assert.equal(receiptOf(rx.delivered[0] as PDU)?.carrierId, resp.message_id);
    // A receiver cannot submit.
    assert.equal((await rx.call('submit_sm', submitFields('8613800138000'))).command_status, 0x04);
    tx.session.destroy();
    rx.session.destroy();
  });

  test('a receipt sent but not acknowledged is sent again after the session drops', async () => {
    const tx = await bound(port, 'bind_transmitter', 'rq');
    const lost = await bound(port, 'bind_receiver', 'rq', 'pw', () => null); // never acks
    const resp = await tx.call('submit_sm', submitFields('8613800138000'));
    await waitFor(() => lost.delivered.length === 1, 'the first copy');
    lost.session.destroy();
    await lost.closed;
    const rx = await bound(port, 'bind_receiver', 'rq');
    await waitFor(() => rx.delivered.length === 1, 'the second copy');
    assert.equal(rx.delivered[0]?.receipted_message_id, resp.message_id);
    tx.session.destroy();
    rx.session.destroy();
  });

  test('deliver_sm_resp ESME_RX_T_APPN → the receipt is retried', async () => {
    let first = true;
    const c = await bound(port, 'bind_transceiver', 'rt', 'pw', () => {
      if (!first) return 0;
      first = false;
      return 0x64;
    });
    const before = sim.stats();
    const resp = await c.call('submit_sm', submitFields('8613800138000'));
    await waitFor(() => c.delivered.length === 2, 'the retried receipt');
    assert.equal(c.delivered[0]?.receipted_message_id, resp.message_id);
    assert.equal(c.delivered[1]?.receipted_message_id, resp.message_id);
    await waitFor(() => sim.stats().receiptsAcked - before.receiptsAcked === 1, 'the ack');
    c.session.destroy();
  });

  test('injectInbound reaches transceivers and receivers, not transmitters', async () => {
    await settle();
    const trx = await bound(port, 'bind_transceiver', 'other');
    const tx = await bound(port, 'bind_transmitter', 'other');
    const before = sim.stats().inboundSent;
    assert.equal(
      sim.injectInbound({ from: '+447700900123', to: '12345', text: 'Hello {world}' }),
      1,
    );
    await waitFor(() => trx.delivered.length === 1, 'the MO');
    const mo = trx.delivered[0] as PDU;
    assert.equal(mo.esm_class, 0);
    assert.equal(mo.data_coding, 0);
    assert.equal(mo.source_addr, '447700900123');
    assert.equal(mo.source_addr_ton, 1);
    assert.equal(mo.destination_addr, '12345');
    assert.equal(textOf(mo), 'Hello {world}');
    assert.equal(
      readReceipt({ esmClass: mo.esm_class as number, text: textOf(mo) }),
      null,
      'an MO is not a receipt',
    );

    assert.equal(
      sim.injectInbound({ from: '8613800138000', to: '10690001', text: '你好，世界' }),
      1,
    );
    await waitFor(() => trx.delivered.length === 2, 'the UCS-2 MO');
    assert.equal(trx.delivered[1]?.data_coding, 8);
    assert.equal(textOf(trx.delivered[1] as PDU), '你好，世界');

    const long = 'a'.repeat(200);
    assert.equal(sim.injectInbound({ from: '8613800138000', to: '10690001', text: long }), 1);
    await waitFor(() => trx.delivered.length === 3, 'the long MO');
    assert.equal(((trx.delivered[2] as PDU).message_payload as { message?: string }).message, long);

    assert.equal(tx.delivered.length, 0);
    assert.equal(sim.stats().inboundSent - before, 3);
    trx.session.destroy();
    tx.session.destroy();
  });

  test('enquire_link, submit before bind, unknown command, unbind', async () => {
    const c = await connect(port);
    assert.equal((await c.call('enquire_link')).command, 'enquire_link_resp');
    assert.equal((await c.call('submit_sm', submitFields('8613800138000'))).command_status, 0x04);
    assert.equal(
      (await c.call('bind_transceiver', { system_id: 'acme', password: 'pw' })).command_status,
      0,
    );
    assert.equal(
      (await c.call('query_sm', { message_id: '1' })).command_status,
      0x03,
      'unsupported → RINVCMDID',
    );
    const unbind = await c.call('unbind');
    assert.equal(unbind.command, 'unbind_resp');
    await withTimeout(c.closed, 2000, 'close after unbind');

    // An unknown command_id gets generic_nack ESME_RINVCMDID with the same sequence_number.
    const raw = net.connect(port, '127.0.0.1');
    const data: Buffer[] = [];
    raw.on('data', (d: Buffer) => data.push(d));
    raw.on('error', () => {});
    const header = Buffer.alloc(16);
    header.writeUInt32BE(16, 0);
    header.writeUInt32BE(0x00000099, 4);
    header.writeUInt32BE(7, 12);
    raw.write(header);
    await waitFor(() => Buffer.concat(data).length >= 16, 'generic_nack');
    const nack = Buffer.concat(data);
    assert.equal(nack.readUInt32BE(4), 0x80000000);
    assert.equal(nack.readUInt32BE(8), 0x03);
    assert.equal(nack.readUInt32BE(12), 7);
    raw.destroy();
  });

  test('garbage PDUs destroy only their own session; the server and other sessions keep working', async () => {
    const good = await bound(port);
    const garbage: Array<[string, Buffer]> = [
      [
        'huge command_length',
        Buffer.concat([Buffer.from([0xff, 0xff, 0xff, 0xf0]), Buffer.from('0123456789ab')]),
      ],
      [
        'command_length below the header',
        Buffer.from([0, 0, 0, 5, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]),
      ],
      [
        'a TLV whose value is cut off (node-smpp throws RangeError)',
        (() => {
          const b = Buffer.alloc(20);
          b.writeUInt32BE(20, 0);
          b.writeUInt32BE(0x00000015, 4); // enquire_link
          b.writeUInt32BE(1, 12);
          b.writeUInt16BE(0x0427, 16); // message_state, length 1, but no value octet
          b.writeUInt16BE(1, 18);
          return b;
        })(),
      ],
    ];
    for (const [name, bytes] of garbage) {
      const raw = net.connect(port, '127.0.0.1');
      raw.on('error', () => {});
      raw.resume();
      const closed = new Promise<void>((r) => raw.on('close', () => r()));
      await new Promise<void>((r) => raw.once('connect', () => r()));
      if (name.startsWith('a TLV')) {
        // Bound first, so a session with state is the one that breaks.
        raw.write(
          new smpp.PDU('bind_transmitter', {
            system_id: 'acme',
            password: 'pw',
            sequence_number: 1,
          }).toBuffer(),
        );
      }
      raw.write(bytes);
      await withTimeout(closed, 3000, `the server to drop the session (${name})`);
      const resp = await good.call(
        'submit_sm',
        submitFields('8613800138000', { registered_delivery: 0 }),
      );
      assert.equal(resp.command_status, 0, `still serving after ${name}`);
    }
    good.session.destroy();
  });

  test('many pipelined submits: every receipt is delivered and acknowledged, no state left', async () => {
    const c = await bound(port, 'bind_transceiver', 'bulk');
    const before = sim.stats();
    const N = 2000;
    let acked = 0;
    await withTimeout(
      new Promise<void>((resolve) => {
        for (let i = 0; i < N; i++) {
          c.session.submit_sm(submitFields(`86138${String(i).padStart(8, '0')}5`), () => {
            if (++acked === N) resolve();
          });
        }
      }),
      10_000,
      'submit responses',
    );
    await waitFor(() => c.delivered.length === N, `${N} receipts`, 10_000);
    await waitFor(() => sim.stats().receiptsAcked - before.receiptsAcked === N, 'acks', 5000);
    assert.equal(new Set(c.delivered.map((p) => p.receipted_message_id)).size, N, 'unique ids');
    assert.equal(sim.stats().receiptsPending, 0);
    c.session.destroy();
  });

  test('the control server: POST /inbound and GET /stats', async () => {
    await settle();
    const trx = await bound(port, 'bind_transceiver', 'other');
    const control = await startControlServer(sim, { port: 0 });
    try {
      const base = `http://127.0.0.1:${control.port}`;
      const res = await fetch(`${base}/inbound`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ from: '8613800138000', to: '10690001', text: 'STOP' }),
      });
      assert.equal(res.status, 200);
      assert.deepEqual(await res.json(), { sessions: 1 });
      await waitFor(() => trx.delivered.length === 1, 'the MO');
      assert.equal(textOf(trx.delivered[0] as PDU), 'STOP');

      const stats = await fetch(`${base}/stats`);
      assert.equal(stats.status, 200);
      const body = (await stats.json()) as Record<string, number>;
      assert.equal(body.inboundSent, sim.stats().inboundSent);
      for (const k of [
        'binds',
        'submits',
        'submitErrors',
        'receiptsSent',
        'receiptsAcked',
        'inboundSent',
      ]) {
        assert.equal(typeof body[k], 'number', k);
      }

      assert.equal((await fetch(`${base}/inbound`, { method: 'POST', body: '{nope' })).status, 400);
      assert.equal(
        (await fetch(`${base}/inbound`, { method: 'POST', body: '{"from":"1","to":"2"}' })).status,
        400,
      );
      assert.equal((await fetch(`${base}/inbound`)).status, 405);
      assert.equal((await fetch(`${base}/nothing`)).status, 404);
    } finally {
      await control.close();
      trx.session.destroy();
    }
  });
});

describe('SmscSimulator options', () => {
  test('any credentials without accounts; decimal ids; receipt ids in hex (dlrIdFormat)', async () => {
    const opts: SimulatorOptions = {
      receiptDelayMs: DELAY,
      idFormat: 'decimal',
      dlrIdFormat: 'hex',
    };
    const sim = new SmscSimulator(opts);
    const { port } = await sim.start();
    try {
      const c = await bound(port, 'bind_transceiver', 'whoever', 'whatever');
      const resp = await c.call('submit_sm', submitFields('8613800138000'));
      const respId = resp.message_id as string;
      assert.match(respId, /^\d{16}$/);
      await waitFor(() => c.delivered.length === 1, 'the receipt');
      const r = receiptOf(c.delivered[0] as PDU);
      assert.ok(r);
      assert.equal(r.carrierId, BigInt(respId).toString(16));
      assert.ok(
        carrierIdVariants(r.carrierId, 'dec-resp-hex-dlr').includes(normaliseCarrierId(respId)),
      );
      assert.equal(sim.stats().binds, 1);
      c.session.destroy();
    } finally {
      await sim.stop();
    }
  });

  test('two simulators hand out different ids', async () => {
    const a = new SmscSimulator({ receiptDelayMs: DELAY });
    const b = new SmscSimulator({ receiptDelayMs: DELAY });
    const pa = (await a.start()).port;
    const pb = (await b.start()).port;
    try {
      const ca = await bound(pa);
      const cb = await bound(pb);
      const ia = (await ca.call('submit_sm', submitFields('1', { registered_delivery: 0 })))
        .message_id;
      const ib = (await cb.call('submit_sm', submitFields('1', { registered_delivery: 0 })))
        .message_id;
      assert.notEqual(ia, ib);
    } finally {
      await a.stop();
      await b.stop();
    }
  });

  test('stop() closes bound sessions and the server', async () => {
    const sim = new SmscSimulator({ receiptDelayMs: DELAY });
    const { port } = await sim.start();
    const c = await bound(port);
    await c.call('submit_sm', submitFields('8613800138000')); // a pending receipt must not keep anything alive
    await sim.stop();
    await withTimeout(c.closed, 2000, 'the client to be closed');
    await assert.rejects(connect(port));
    await sim.stop(); // idempotent
  });

  test('start() fails when the port is taken', async () => {
    const a = new SmscSimulator();
    const { port } = await a.start();
    try {
      await assert.rejects(new SmscSimulator({ port }).start(), /EADDRINUSE/);
    } finally {
      await a.stop();
    }
  });
});

describe('SmscSimulator receipt journal (stateFile)', () => {
  const stateFile = () => join(mkdtempSync(join(tmpdir(), 'hongyan-sim-')), 'smpp.journal');

  test('pending receipts survive a stop without drain; a new simulator on the state delivers them once', async () => {
    const file = stateFile();
    const a = new SmscSimulator({ receiptDelayMs: DELAY, stateFile: file });
    const pa = (await a.start()).port;
    // A transmitter only: the receipts have nowhere to go, so they are all still owed at the stop.
    const tx = await bound(pa, 'bind_transmitter', 'acme');
    const ids: string[] = [];
    for (const dest of ['8613800138001', '8613800138002', '8613800130000']) {
      const resp = await tx.call('submit_sm', submitFields(dest));
      assert.equal(resp.command_status, 0);
      const id = resp.message_id as string;
      ids.push(id);
      // The resp comes only after the receipt it promises is on disk.
      assert.ok(readFileSync(file, 'utf8').includes(`"${id}"`), `${id} journaled before its resp`);
    }
    // Not asked for, so not owed: registered_delivery 0.
    await tx.call('submit_sm', submitFields('8613800138003', { registered_delivery: 0 }));
    const journal = readFileSync(file, 'utf8');
    assert.ok(!journal.includes('Your code'), 'no message text at rest');
    assert.equal(statSync(file).mode & 0o777, 0o600);
    assert.equal(a.stats().receiptsPending, 3);
    await a.stop();

    const b = new SmscSimulator({ receiptDelayMs: DELAY, stateFile: file });
    const pb = (await b.start()).port;
    try {
      assert.equal(b.stats().receiptsPending, 3, 'reloaded');
      // Another system_id gets none of them.
      const other = await bound(pb, 'bind_receiver', 'other');
      const rx = await bound(pb, 'bind_receiver', 'acme');
      await waitFor(() => rx.delivered.length === 3, 'the owed receipts');
      const got = rx.delivered.map((pdu) => receiptOf(pdu));
      assert.deepEqual(
        got.map((r) => r?.carrierId),
        ids,
      );
      assert.deepEqual(
        got.map((r) => r?.status),
        ['delivered', 'delivered', 'undelivered'],
      );
      assert.equal(rx.delivered[0]?.destination_addr, 'HONGYAN');
      assert.match(textOf(rx.delivered[0] as PDU), / text:$/, 'a reloaded receipt has no text');
      await waitFor(() => b.stats().receiptsPending === 0, 'the acks');
      assert.equal(other.delivered.length, 0);
    } finally {
      await b.stop();
    }

    // Acknowledged receipts are forgotten: a third start owes nothing and rewrites the file empty.
    const c = new SmscSimulator({ receiptDelayMs: DELAY, stateFile: file });
    await c.start();
    try {
      assert.equal(c.stats().receiptsPending, 0);
      assert.equal(statSync(file).size, 0);
    } finally {
      await c.stop();
    }
    assert.ok(!existsSync(file), 'a stop that owes nothing leaves no journal');
    assert.ok(!existsSync(`${file}.lock`), 'nor a lock');
  });

  test('a receipt the ESME refused is retried after the restart, then forgotten once acknowledged', async () => {
    const file = stateFile();
    // Retries come a receipt delay apart: long enough that the stop lands before the second.
    const a = new SmscSimulator({ receiptDelayMs: 500, stateFile: file });
    const pa = (await a.start()).port;
    // ESME_RX_T_APPN (0x64): "try later", so the receipt stays owed.
    const c = await bound(pa, 'bind_transceiver', 'acme', 'pw', () => 0x64);
    const id = (await c.call('submit_sm', submitFields('8613800138000'))).message_id as string;
    await waitFor(() => c.delivered.length >= 1, 'the first attempt');
    await a.stop();
    const b = new SmscSimulator({ receiptDelayMs: DELAY, stateFile: file });
    const pb = (await b.start()).port;
    try {
      const rx = await bound(pb, 'bind_transceiver', 'acme');
      await waitFor(() => rx.delivered.length === 1, 'the receipt again');
      assert.equal(receiptOf(rx.delivered[0] as PDU)?.carrierId, id);
      await waitFor(() => b.stats().receiptsPending === 0, 'the ack');
    } finally {
      await b.stop();
    }
  });

  test('a torn last line (a crash mid-append) is ignored', async () => {
    const file = stateFile();
    const a = new SmscSimulator({ receiptDelayMs: DELAY, stateFile: file });
    const pa = (await a.start()).port;
    const tx = await bound(pa, 'bind_transmitter', 'acme');
    const id = (await tx.call('submit_sm', submitFields('8613800138000'))).message_id as string;
    await a.stop();
    appendFileSync(file, '["+",2,"abc","acme","86138');
    const b = new SmscSimulator({ receiptDelayMs: DELAY, stateFile: file });
    const pb = (await b.start()).port;
    try {
      assert.equal(b.stats().receiptsPending, 1);
      const rx = await bound(pb, 'bind_receiver', 'acme');
      await waitFor(() => rx.delivered.length === 1, 'the receipt');
      assert.equal(receiptOf(rx.delivered[0] as PDU)?.carrierId, id);
    } finally {
      await b.stop();
    }
  });

  test("one journal, one simulator: a live owner is refused, a dead owner's lock is taken over", async () => {
    const file = stateFile();
    const a = new SmscSimulator({ stateFile: file });
    await a.start();
    try {
      await assert.rejects(new SmscSimulator({ stateFile: file }).start(), /already open/);
    } finally {
      await a.stop();
    }
    writeFileSync(`${file}.lock`, String(process.ppid));
    await assert.rejects(
      new SmscSimulator({ stateFile: file }).start(),
      new RegExp(`in use by process ${process.ppid}`),
    );
    // SIGKILL leaves the lock behind with a pid that is gone.
    writeFileSync(`${file}.lock`, '999999999');
    const b = new SmscSimulator({ stateFile: file });
    await b.start();
    await b.stop();
    // A failed listen releases the journal.
    const c = new SmscSimulator({ stateFile: file });
    const { port } = await c.start();
    try {
      await assert.rejects(
        new SmscSimulator({ port, stateFile: stateFile() }).start(),
        /EADDRINUSE/,
      );
    } finally {
      await c.stop();
    }
    const d = new SmscSimulator({ stateFile: file, port });
    await d.start();
    await d.stop();
  });
  test('a short write (file size limit) is written on or refused, never answered torn', async () => {
    // RLIMIT_FSIZE makes write(2) real and short: it writes up to the limit, then fails with EFBIG,
    // as a full disk does. A separate process, so that the limit binds only the simulator.
    const file = stateFile();
    const script =
      'const { SmscSimulator } = await import(process.argv[1]);' +
      'const sim = new SmscSimulator({ receiptDelayMs: 60_000, stateFile: process.argv[2] });' +
      'process.stdout.write(`${(await sim.start()).port}\n`);';
    const child = spawn(
      'bash',
      [
        '-c',
        'ulimit -f 1 && exec "$0" --import tsx --input-type=module -e "$1" "$2" "$3"',
        process.execPath,
        script,
        new URL('./smsc.ts', import.meta.url).href,
        file,
      ],
      { stdio: ['ignore', 'pipe', 'ignore'] },
    );
    try {
      const port = await withTimeout(
        new Promise<number>((resolve, reject) => {
          child.stdout.on('data', (b: Buffer) => resolve(Number(b.toString().trim())));
          child.on('exit', (code) => reject(new Error(`simulator exited: ${code}`)));
        }),
        20_000,
        'the limited simulator',
      );
      const tx = await bound(port, 'bind_transmitter', 'acme');
      // Records in complete lines of the file (1024 bytes hold about nine).
      const journaled = () =>
        new Set(
          readFileSync(file, 'utf8')
            .split('\n')
            .flatMap((line) => {
              try {
                const v = JSON.parse(line) as unknown[];
                return v[0] === '+' && v.length === 14 ? [v[2] as string] : [];
              } catch {
                return [];
              }
            }),
        );
      const statuses: number[] = [];
      for (let i = 0; i < 20; i++) {
        const resp = await tx.call(
          'submit_sm',
          submitFields(`86138001381${String(i).padStart(2, '0')}`),
        );
        statuses.push(resp.command_status);
        if (resp.command_status === 0) {
          const id = resp.message_id as string;
          assert.ok(journaled().has(id), `submit ${i}: ${id} answered but not whole on disk`);
        } else assert.equal(resp.command_status, 0x08, 'refused as a temporary system error');
      }
      assert.ok(statuses.includes(0), 'some fit under the limit');
      assert.ok(statuses.includes(0x08), 'the limit was reached');
    } finally {
      child.kill('SIGKILL');
    }
  });

  test('receipts owed past their age are dropped on start and gone from the file', async () => {
    const file = stateFile();
    const hour = 3600_000;
    const at = (offset: number) => () => Date.now() + offset;
    // r1 now, r2 ten hours later; the simulator starts again 49 hours after r1 (max age 48 h).
    const submitOne = async (clock: () => number, dest: string): Promise<string> => {
      const sim = new SmscSimulator({ receiptDelayMs: DELAY, stateFile: file, clock });
      const tx = await bound((await sim.start()).port, 'bind_transmitter', 'acme');
      const id = (await tx.call('submit_sm', submitFields(dest))).message_id as string;
      await sim.stop();
      return id;
    };
    const r1 = await submitOne(at(0), '8613800138001');
    const r2 = await submitOne(at(10 * hour), '8613800138002');
    assert.ok(readFileSync(file, 'utf8').includes(`"${r1}"`));
    const b = new SmscSimulator({ receiptDelayMs: DELAY, stateFile: file, clock: at(49 * hour) });
    const pb = (await b.start()).port;
    try {
      assert.equal(b.stats().receiptsPending, 1, 'only the younger one is still owed');
      const text = readFileSync(file, 'utf8');
      assert.ok(!text.includes(`"${r1}"`), 'the expired receipt is gone from the journal');
      assert.ok(text.includes(`"${r2}"`));
      const rx = await bound(pb, 'bind_receiver', 'acme');
      await waitFor(() => rx.delivered.length === 1, 'the younger receipt');
      await waitFor(() => b.stats().receiptsPending === 0, 'its ack');
      assert.deepEqual(
        rx.delivered.map((pdu) => receiptOf(pdu)?.carrierId),
        [r2],
      );
    } finally {
      await b.stop();
    }
  });

  test('a receipt owed past its age while running is dropped, not delivered', async () => {
    const file = stateFile();
    let offset = 0;
    const sim = new SmscSimulator({
      receiptDelayMs: DELAY,
      stateFile: file,
      receiptMaxAgeMs: 3600_000,
      clock: () => Date.now() + offset,
    });
    const port = (await sim.start()).port;
    try {
      const tx = await bound(port, 'bind_transmitter', 'acme');
      const old = (await tx.call('submit_sm', submitFields('8613800138001'))).message_id as string;
      offset = 2 * 3600_000;
      const young = (await tx.call('submit_sm', submitFields('8613800138002')))
        .message_id as string;
      const rx = await bound(port, 'bind_receiver', 'acme');
      await waitFor(() => rx.delivered.length === 1, 'the young receipt');
      await waitFor(() => sim.stats().receiptsPending === 0, 'nothing owed');
      assert.deepEqual(
        rx.delivered.map((pdu) => receiptOf(pdu)?.carrierId),
        [young],
      );
      assert.notEqual(old, young);
    } finally {
      await sim.stop();
    }
    assert.ok(!existsSync(file), 'the journal owes nothing');
  });

  test("a lock whose pid now belongs to another live process is taken over; its true owner's is not", async () => {
    const file = stateFile();
    const boot = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
    const parent = processStartTime(process.ppid);
    assert.ok(parent, 'this test needs /proc');
    // The parent process is alive, but it is not the process that wrote this lock (another start).
    writeFileSync(`${file}.lock`, JSON.stringify({ pid: process.ppid, start: '1', boot }));
    const a = new SmscSimulator({ stateFile: file });
    await a.start();
    await a.stop();
    assert.ok(!existsSync(`${file}.lock`), 'released');
    // Written by the parent itself: a live owner.
    writeFileSync(`${file}.lock`, JSON.stringify({ pid: process.ppid, start: parent, boot }));
    await assert.rejects(
      new SmscSimulator({ stateFile: file }).start(),
      new RegExp(`in use by process ${process.ppid}`),
    );
    // The same pid and start time before a reboot: gone.
    writeFileSync(
      `${file}.lock`,
      JSON.stringify({ pid: process.ppid, start: parent, boot: 'another-boot' }),
    );
    const b = new SmscSimulator({ stateFile: file });
    await b.start();
    await b.stop();
  });
  test("processes taking over a dead owner's lock at the same moment: exactly one wins", async () => {
    const file = stateFile();
    writeFileSync(`${file}.lock`, '999999999'); // left by a killed process
    // Loaded first, then released together on a byte from stdin; the winner holds on until the end.
    const script =
      'const { SmscSimulator } = await import(process.argv[1]);' +
      'const sim = new SmscSimulator({ stateFile: process.argv[2] });' +
      "process.stdout.write('ready\\n');" +
      "await new Promise((r) => process.stdin.once('data', r));" +
      "try { await sim.start(); process.stdout.write('won\\n'); }" +
      'catch (e) { process.stdout.write(`lost ${e.message}\\n`); }' +
      "process.stdin.once('end', () => process.exit(0));";
    const children = Array.from({ length: 4 }, () =>
      spawn(
        process.execPath,
        [
          '--import',
          'tsx',
          '--input-type=module',
          '-e',
          script,
          new URL('./smsc.ts', import.meta.url).href,
          file,
        ],
        { stdio: ['pipe', 'pipe', 'ignore'] },
      ),
    );
    try {
      const outputs = children.map((c) => {
        const lines: string[] = [];
        c.stdout.on('data', (b: Buffer) => lines.push(...b.toString().trim().split('\n')));
        return lines;
      });
      await waitFor(() => outputs.every((l) => l.includes('ready')), 'the children', 30_000);
      for (const c of children) c.stdin.write('go');
      await waitFor(() => outputs.every((l) => l.length === 2), 'the outcomes', 30_000);
      const outcomes = outputs.map((l) => l[1] as string);
      assert.equal(outcomes.filter((o) => o === 'won').length, 1, outcomes.join('; '));
      for (const o of outcomes) if (o !== 'won') assert.match(o, /in use by process \d+/);
    } finally {
      for (const c of children) c.stdin.end();
      await Promise.all(children.map((c) => new Promise((r) => c.once('exit', r))));
    }
  });
});
