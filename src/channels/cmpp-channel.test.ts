// The CMPP channel driver against the CMPP ISMG simulator over real loopback sockets.
import { describe, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import pino from 'pino';
import { CmppChannel } from './cmpp-channel.ts';
import type {
  ChannelInbound,
  ChannelReceipt,
  ChannelState,
  OutboundPart,
  SubmitOutcome,
} from './channel.ts';
import { validateChannelConfig, type CmppChannelConfig } from '../core/channels/channel-config.ts';
import { splitMessage } from '../core/message/parts.ts';
import { encodeGsm7 } from '../core/message/gsm7.ts';
import { decodeUcs2 } from '../core/message/encoding.ts';
import {
  CmppSimulator,
  type CmppConnectEvent,
  type CmppSimulatorOptions,
  type CmppSubmitEvent,
} from '../simulator/cmpp-ismg.ts';
import { CMPP_VERSION_2, CMPP_VERSION_3, MSG_FMT_GBK, encode } from '../protocols/cmpp/codec.ts';

const log = pino({ level: 'silent' });
const SP = '901234';
const SECRET = 's3cret';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitFor(cond: () => boolean, what: string, ms = 5000): Promise<void> {
  const start = Date.now();
  while (!cond()) {
    if (Date.now() - start > ms) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await sleep(5);
  }
}

interface Rig {
  sim: CmppSimulator;
  channel: CmppChannel;
  states: ChannelState[];
  /** The detail of each state change. */
  details: Array<string | undefined>;
  receipts: ChannelReceipt[];
  inbound: ChannelInbound[];
  /** Receipt acks not called yet (when autoAck is off). */
  heldAcks: Array<() => void>;
  submits: CmppSubmitEvent[];
  connects: CmppConnectEvent[];
}

async function rig(
  t: TestContext,
  simOpts: CmppSimulatorOptions = {},
  cfg: Record<string, unknown> = {},
  opts: { autoAck?: boolean; waitBound?: boolean } = {},
): Promise<Rig> {
  const sim = new CmppSimulator({ receiptDelayMs: 20, credentials: { [SP]: SECRET }, ...simOpts });
  const { port } = await sim.start();
  const r: Rig = {
    sim,
    channel: null as unknown as CmppChannel,
    states: [],
    details: [],
    receipts: [],
    inbound: [],
    heldAcks: [],
    submits: [],
    connects: [],
  };
  sim.on('submit', (e) => r.submits.push(e));
  sim.on('connect', (e) => r.connects.push(e));
  const config = validateChannelConfig({
    kind: 'cmpp',
    id: 'cm-test',
    port,
    spId: SP,
    password: SECRET,
    sourceAddr: '1069001',
    reconnectMinMs: 30,
    reconnectMaxMs: 200,
    ...cfg,
  }) as CmppChannelConfig;
  r.channel = new CmppChannel(
    config,
    {
      onReceipt(receipt, ack) {
        r.receipts.push(receipt);
        if (opts.autoAck === false) r.heldAcks.push(ack);
        else ack();
      },
      onInbound(m, ack) {
        r.inbound.push(m);
        ack();
      },
      onState(state, detail) {
        r.states.push(state);
        r.details.push(detail);
      },
    },
    log,
  );
  t.after(async () => {
    await r.channel.stop();
    await sim.stop();
  });
  await r.channel.start();
  if (opts.waitBound !== false)
    await waitFor(() => r.channel.state() === 'bound', 'the channel to bind');
  return r;
}

function partsOf(text: string, to: string, extra: Partial<OutboundPart> = {}): OutboundPart[] {
  const split = splitMessage(text, { concatRef: 42 });
  return split.parts.map((p) => ({
    messageId: 'msg_test',
    seq: p.seq,
    to,
    from: null,
    dataCoding: split.dataCoding,
    udh: p.udh,
    userData: p.userData,
    wantReceipt: true,
    ...extra,
  }));
}

function okId(o: SubmitOutcome): string {
  assert.ok(o.ok, `submit failed: ${JSON.stringify(o)}`);
  return o.carrierId;
}

const CHINESE = '【鸿雁】您的验证码是 123456，5 分钟内有效。';

describe('CMPP channel', () => {
  for (const version of [2, 3] as const) {
    test(`CMPP ${version}.0: CONNECT, a UCS-2 submit and its DELIVRD receipt`, async (t) => {
      const r = await rig(t, {}, { version });
      assert.deepEqual(
        r.connects.map((c) => [c.version, c.status]),
        [[version === 3 ? 0x30 : 0x20, 0]],
      );
      const [part] = partsOf(CHINESE, '+8613800138000');
      const carrierId = okId(await r.channel.submit(part!));
      assert.match(carrierId, /^[0-9a-f]{16}$/);
      const s = r.submits[0]!;
      assert.equal(s.submit.msgFmt, 8);
      assert.equal(s.submit.tpUdhi, 0);
      assert.equal(s.submit.pkTotal, 1);
      assert.equal(s.submit.registeredDelivery, 1);
      assert.deepEqual(s.submit.destTerminalIds, ['13800138000']);
      assert.equal(s.submit.srcId, '1069001');
      assert.equal(s.submit.msgSrc, SP);
      assert.equal(s.submit.serviceId, 'HONGYAN');
      assert.equal(s.submit.feeType, '01');
      assert.equal(decodeUcs2(s.submit.msgContent), CHINESE);
      await waitFor(() => r.receipts.length === 1, 'the receipt');
      assert.deepEqual(r.receipts[0], {
        carrierId,
        stat: 'DELIVRD',
        err: null,
        status: 'delivered',
      });
      assert.deepEqual(r.states, ['connecting', 'bound']);
    });
  }

  // A 4-digit SP_Id: the authenticator hashes Source_Addr padded with NUL to its 6 octets by
  // default (as most ISMGs check it), or only the 4 characters when the channel says `unpadded`.
  for (const [form, cfg] of [
    ['padded', {}],
    ['padded', { authSourceAddr: 'padded' }],
    ['unpadded', { authSourceAddr: 'unpadded' }],
  ] as const) {
    test(`a 4-digit spId logs in with the ${form} Source_Addr (${JSON.stringify(cfg)})`, async (t) => {
      const r = await rig(t, { credentials: { '9012': SECRET } }, { spId: '9012', ...cfg });
      assert.deepEqual(
        r.connects.map((c) => [c.spId, c.status, c.authSourceAddr]),
        [['9012', 0, form]],
      );
      okId(await r.channel.submit(partsOf(CHINESE, '+8613800138011')[0]!));
    });
  }

  test('authSourceAddr must be padded or unpadded', () => {
    assert.throws(
      () => validateChannelConfig({ kind: 'cmpp', id: 'x', port: 7890, authSourceAddr: 'nul' }),
      /authSourceAddr must be padded or unpadded/,
    );
    assert.throws(
      () => validateChannelConfig({ kind: 'smpp', id: 'x', port: 2775, authSourceAddr: 'padded' }),
      /unknown channel option "authSourceAddr"/,
    );
  });

  test('a wrong shared secret: refused with Status 3, never bound, retried', async (t) => {
    const r = await rig(t, {}, { password: 'wrong' }, { waitBound: false });
    await waitFor(() => r.connects.length >= 2, 'a second CONNECT (retry with backoff)');
    assert.ok(r.connects.every((c) => c.status === 3));
    await waitFor(() => r.states.includes('down'), 'state down');
    assert.ok(!r.states.includes('bound'));
    assert.equal(
      r.details[r.states.indexOf('down')],
      'CONNECT refused: Status 3 (authentication failed)',
    );
    assert.notEqual(r.channel.state(), 'bound');
    assert.equal(r.channel.capacity(), 0);
    const refused = await r.channel.submit(partsOf('hi', '+8613800138000')[0]!);
    assert.equal(refused.ok, false);
    assert.equal(!refused.ok && refused.code, 'channel_down');
    assert.equal(r.sim.stats().sessions, 0);
  });

  test('an ISMG that does not know our secret (bad AuthenticatorISMG) is not trusted', async (t) => {
    // Accept-any simulator signing with another secret than ours.
    const r = await rig(t, { credentials: undefined, secret: 'other' }, {}, { waitBound: false });
    await waitFor(() => r.connects.length >= 2, 'two CONNECT attempts');
    assert.ok(r.connects.every((c) => c.status === 0)); // the simulator let us in…
    assert.ok(!r.states.includes('bound')); // …but we hung up
  });

  test('a 3-part UCS-2 message: Pk_total/Pk_number, UDH, distinct ids, matching receipts', async (t) => {
    const r = await rig(t);
    const text = '鸿'.repeat(150);
    const parts = partsOf(text, '+8613800138001');
    assert.equal(parts.length, 3);
    const ids = (await Promise.all(parts.map((p) => r.channel.submit(p)))).map(okId);
    assert.equal(new Set(ids).size, 3);
    const seen = r.submits.map((s) => s.submit).sort((a, b) => a.pkNumber - b.pkNumber);
    assert.deepEqual(
      seen.map((s) => [s.pkTotal, s.pkNumber, s.tpUdhi, s.msgFmt]),
      [
        [3, 1, 1, 8],
        [3, 2, 1, 8],
        [3, 3, 1, 8],
      ],
    );
    assert.deepEqual([...seen[0]!.msgContent.subarray(0, 6)], [5, 0, 3, 42, 3, 1]);
    assert.equal(seen.map((s) => decodeUcs2(s.msgContent.subarray(6))).join(''), text);
    await waitFor(() => r.receipts.length === 3, 'three receipts');
    assert.deepEqual(r.receipts.map((x) => x.carrierId).sort(), [...ids].sort());
  });

  test('GSM text: ASCII goes as Msg_Fmt 0, other GSM characters as UCS-2 or refused', async (t) => {
    const r = await rig(t);
    const [ascii] = partsOf('Your code is {123456} @home', '+8613800138002');
    assert.equal(ascii!.dataCoding, 0);
    okId(await r.channel.submit(ascii!));
    const s = r.submits[0]!.submit;
    assert.equal(s.msgFmt, 0);
    assert.equal(s.msgContent.toString('latin1'), 'Your code is {123456} @home');

    const [accented] = partsOf('Café: £5', '+8613800138003');
    assert.equal(accented!.dataCoding, 0);
    okId(await r.channel.submit(accented!));
    const s2 = r.submits[1]!.submit;
    assert.equal(s2.msgFmt, 8);
    assert.equal(decodeUcs2(s2.msgContent), 'Café: £5');

    // 100 GSM septets with an è: 200 bytes of UCS-2, more than one CMPP message holds.
    const long: OutboundPart = {
      ...partsOf('x', '+8613800138004')[0]!,
      userData: encodeGsm7('è'.repeat(100)),
    };
    const refused = await r.channel.submit(long);
    assert.equal(refused.ok, false);
    assert.equal(!refused.ok && refused.reason, 'rejected');
    assert.equal(!refused.ok && refused.code, 'cmpp_unencodable');
    assert.equal(r.submits.length, 2); // nothing sent
  });

  test('outcomes: UNDELIV / EXPIRED / REJECTD receipts, throttled and rejected submits', async (t) => {
    const r = await rig(t);
    const submit = (to: string) => r.channel.submit(partsOf(CHINESE, to)[0]!);
    const undeliv = okId(await submit('+8613800130000'));
    const expired = okId(await submit('+8613800130002'));
    const rejectd = okId(await submit('+8613800130003'));
    const throttled = await submit('+8613800130004');
    assert.deepEqual(throttled, {
      ok: false,
      reason: 'throttled',
      code: 'CMPP_RESULT_8',
      commandStatus: 8,
      detail: 'ISMG answered Result 8 (flow control)',
    });
    const rejected = await submit('+8613800130001');
    assert.equal(!rejected.ok && rejected.reason, 'rejected');
    assert.equal(!rejected.ok && rejected.code, 'CMPP_RESULT_9');
    await waitFor(() => r.receipts.length === 3, 'three receipts');
    const byId = new Map(r.receipts.map((x) => [x.carrierId, x]));
    assert.deepEqual(
      [undeliv, expired, rejectd].map((id) => [byId.get(id)?.stat, byId.get(id)?.status]),
      [
        ['UNDELIV', 'undelivered'],
        ['EXPIRED', 'expired'],
        ['REJECTD', 'rejected'],
      ],
    );
  });

  test('binds: 3 opens three connections and spreads submits over them', async (t) => {
    const r = await rig(t, {}, { binds: 3, window: 8 });
    // The simulator counts a session when it answers CONNECT; the channel when it has read that
    // answer. Wait for the channel's view, not the simulator's.
    await waitFor(
      () => r.sim.stats().sessions === 3 && r.channel.capacity() === 3 * 8 * 3,
      'three logged-in connections, all open on the channel side',
    );
    const parts = Array.from({ length: 60 }, (_, i) =>
      partsOf(CHINESE, `+86138001${String(1000 + i).padStart(5, '0')}`),
    ).flat();
    const outcomes = await Promise.all(parts.map((p) => r.channel.submit(p)));
    assert.ok(outcomes.every((o) => o.ok));
    const perSession = new Map<number, number>();
    for (const s of r.submits) perSession.set(s.sessionId, (perSession.get(s.sessionId) ?? 0) + 1);
    assert.equal(perSession.size, 3);
    for (const n of perSession.values()) assert.ok(n >= 10, `uneven spread ${[...perSession]}`);
  });

  test('the window: never more than `window` SUBMITs unanswered on a connection', async (t) => {
    const r = await rig(t, { responseDelayMs: 30 }, { window: 4 });
    const parts = Array.from({ length: 24 }, (_, i) =>
      partsOf(CHINESE, `+86138002${String(1000 + i).padStart(5, '0')}`),
    ).flat();
    const outcomes = await Promise.all(parts.map((p) => r.channel.submit(p)));
    assert.ok(outcomes.every((o) => o.ok));
    const max = r.sim.stats().maxOutstanding;
    assert.ok(max <= 4, `simulator saw ${max} outstanding`);
    assert.ok(max >= 2);
  });

  test('a silent ISMG is detected by ACTIVE_TEST and the bind reconnects', async (t) => {
    const r = await rig(t, {}, { enquireLinkSeconds: 1 });
    r.sim.setSilent(true);
    await waitFor(() => r.connects.length >= 2, 'a reconnect after ACTIVE_TEST went unanswered');
    r.sim.setSilent(false);
    await waitFor(() => r.channel.state() === 'bound', 'bound again');
    assert.ok(r.states.includes('down'));
    okId(await r.channel.submit(partsOf(CHINESE, '+8613800138005')[0]!));
    // With the peer answering, ACTIVE_TEST keeps the bind up: two more rounds of keep-alive
    // (each sent after a second of silence, the second only after the first was answered), and
    // still the same connection.
    const tests = r.sim.stats().activeTests;
    const connects = r.connects.length;
    await waitFor(() => r.sim.stats().activeTests >= tests + 2, 'two answered ACTIVE_TESTs');
    assert.equal(r.channel.state(), 'bound');
    assert.equal(r.connects.length, connects, 'no reconnect');
  });

  const garbage: Array<[string, Buffer]> = [
    ['a length field that lies', Buffer.from([0xff, 0xff, 0xff, 0xff, 0, 0, 0, 4, 0, 0, 0, 1])],
    ['an unknown command id', Buffer.from([0, 0, 0, 12, 0, 0, 0, 0x99, 0, 0, 0, 1])],
    [
      'a truncated SUBMIT_RESP body',
      Buffer.from([0, 0, 0, 16, 0x80, 0, 0, 4, 0, 0, 0, 1, 1, 2, 3, 4]),
    ],
  ];
  for (const [what, bytes] of garbage) {
    test(`a peer sending ${what}: the connection is dropped and reconnected`, async (t) => {
      const r = await rig(t);
      r.sim.setSilent(true); // the submit stays outstanding
      const pending = r.channel.submit(partsOf(CHINESE, '+8613800138006')[0]!);
      assert.equal(r.channel.capacity(), 16 * 3 - 1); // in flight
      // On the wire (the simulator has read it) before the garbage comes back.
      await waitFor(() => r.sim.stats().ignored === 1, 'the SUBMIT at the (silent) simulator');
      assert.equal(r.sim.sendRaw(bytes), 1);
      const outcome = await pending;
      assert.equal(!outcome.ok && outcome.reason, 'unanswered');
      assert.equal(!outcome.ok && outcome.code, 'connection_lost');
      r.sim.setSilent(false);
      await waitFor(() => r.connects.length === 2 && r.channel.state() === 'bound', 'rebound');
      okId(await r.channel.submit(partsOf(CHINESE, '+8613800138007')[0]!));
    });
  }

  test('MO messages reach onInbound, single and concatenated', async (t) => {
    const r = await rig(t);
    assert.equal(r.sim.injectInbound({ from: '+8613900139000', to: '1069001', text: 'TD' }), 1);
    await waitFor(() => r.inbound.length === 1, 'the MO');
    assert.deepEqual(r.inbound[0], { from: '8613900139000', to: '1069001', text: 'TD' });

    const long = '退订'.repeat(50) + '谢谢';
    r.sim.injectInbound({ from: '+8613900139000', to: '10690011', text: long });
    await waitFor(() => r.inbound.length === 3, 'two segments');
    const segs = r.inbound.slice(1);
    assert.deepEqual(
      segs.map((m) => [m.concat?.total, m.concat?.seq]),
      [
        [2, 1],
        [2, 2],
      ],
    );
    assert.equal(segs[0]!.concat!.ref, segs[1]!.concat!.ref);
    assert.equal(segs.map((m) => m.text).join(''), long);
    assert.equal(segs[0]!.to, '10690011');
  });

  test('MO as GBK with a 16-bit concatenation reference (a raw DELIVER)', async (t) => {
    const r = await rig(t, {}, { version: 2 });
    const content = Buffer.concat([
      Buffer.from([6, 0x08, 4, 0x12, 0x34, 2, 1]),
      Buffer.from([0xc4, 0xe3, 0xba, 0xc3]), // 你好 in GBK
    ]);
    const deliver = encode(
      {
        command: 'deliver',
        sequenceId: 77,
        msgId: Buffer.from('0102030405060708', 'hex'),
        destId: '1069001',
        serviceId: '',
        tpPid: 0,
        tpUdhi: 1,
        msgFmt: MSG_FMT_GBK,
        srcTerminalId: '13900139000',
        registeredDelivery: 0,
        msgContent: content,
      },
      CMPP_VERSION_2,
    );
    assert.equal(r.sim.sendRaw(deliver), 1);
    await waitFor(() => r.inbound.length === 1, 'the MO');
    assert.deepEqual(r.inbound[0], {
      from: '13900139000',
      to: '1069001',
      text: '你好',
      concat: { ref: 0x1234, total: 2, seq: 1 },
    });
  });

  test('a TERMINATE from the ISMG is answered; the bind comes back', async (t) => {
    const r = await rig(t);
    r.sim.sendRaw(encode({ command: 'terminate', sequenceId: 9 }, CMPP_VERSION_3));
    await waitFor(() => r.connects.length === 2 && r.channel.state() === 'bound', 'rebound');
    assert.equal(r.details[r.states.indexOf('down')], 'ISMG sent TERMINATE');
    okId(await r.channel.submit(partsOf(CHINESE, '+8613800138010')[0]!));
  });

  test('a receipt is acknowledged to the ISMG only when ack() is called', async (t) => {
    const r = await rig(t, { receiptRetryMs: 60_000 }, {}, { autoAck: false });
    okId(await r.channel.submit(partsOf(CHINESE, '+8613800138008')[0]!));
    await waitFor(() => r.receipts.length === 1, 'the receipt');
    await sleep(50);
    assert.equal(r.sim.stats().receiptsAcked, 0);
    assert.equal(r.sim.stats().receiptsPending, 1);
    r.heldAcks[0]!();
    await waitFor(() => r.sim.stats().receiptsAcked === 1, 'the DELIVER_RESP');
  });

  test('stop({drain}) waits for outstanding answers, then TERMINATEs', async (t) => {
    const r = await rig(t, { responseDelayMs: 100 }, { window: 16 });
    const pending = Array.from({ length: 10 }, (_, i) =>
      r.channel.submit(partsOf(CHINESE, `+86138003${String(1000 + i).padStart(5, '0')}`)[0]!),
    );
    await r.channel.stop({ drain: true });
    const outcomes = await Promise.all(pending);
    assert.ok(outcomes.every((o) => o.ok));
    assert.equal(r.channel.state(), 'stopped');
    assert.equal(r.states.at(-1), 'stopped');
    await waitFor(() => r.sim.stats().connections === 0, 'the connection closed');
    const after = await r.channel.submit(partsOf(CHINESE, '+8613800138009')[0]!);
    assert.equal(!after.ok && after.code, 'channel_down');
    assert.equal(r.sim.stats().terminates, 1);
  });
});
