// The CMPP ISMG simulator, driven by a bare client written with the codec over loopback sockets.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import {
  CMPP_VERSION_2,
  CMPP_VERSION_3,
  CmppFrameReader,
  authenticatorIsmg,
  authenticatorSource,
  decode,
  decodeMsgId,
  encode,
  msgIdHex,
  parseStatusReport,
  timestampOf,
  type CmppPdu,
  type CmppVersion,
  type ConnectRespPdu,
  type DeliverPdu,
  type SubmitPdu,
  type SubmitRespPdu,
} from '../protocols/cmpp/codec.ts';
import { decodeUcs2 } from '../core/message/encoding.ts';
import { startControlServer } from './control.ts';
import { CmppSimulator, type CmppConnectEvent } from './cmpp-ismg.ts';

const SP = '901234';
const SECRET = 's3cret';
/** An SP_Id shorter than the 6-octet Source_Addr. */
const SHORT_SP = '9012';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitFor(cond: () => boolean, what: string, ms = 5000): Promise<void> {
  const start = Date.now();
  while (!cond()) {
    if (Date.now() - start > ms) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await sleep(5);
  }
}

/** A bare SP connection: frames in, PDUs out, nothing answered unless the test does it. */
class RawSp {
  readonly received: CmppPdu[] = [];
  readonly closed: Promise<void>;
  private seq = 0;
  private readonly reader = new CmppFrameReader();

  private constructor(
    readonly socket: net.Socket,
    public version: CmppVersion,
  ) {
    socket.on('data', (chunk: Buffer) => {
      for (const f of this.reader.push(chunk)) this.received.push(decode(f, this.version));
    });
    socket.on('error', () => {});
    this.closed = new Promise((r) => socket.on('close', () => r()));
  }

  static open(port: number, version: CmppVersion = CMPP_VERSION_3): Promise<RawSp> {
    return new Promise((resolve, reject) => {
      const socket = net.connect({ host: '127.0.0.1', port }, () =>
        resolve(new RawSp(socket, version)),
      );
      socket.once('error', reject);
    });
  }

  nextSeq(): number {
    return ++this.seq;
  }

  send(pdu: CmppPdu): void {
    this.socket.write(encode(pdu, this.version));
  }

  async next<C extends CmppPdu['command']>(
    command: C,
    ms = 3000,
  ): Promise<Extract<CmppPdu, { command: C }>> {
    const start = Date.now();
    for (;;) {
      const i = this.received.findIndex((p) => p.command === command);
      if (i >= 0) return this.received.splice(i, 1)[0] as Extract<CmppPdu, { command: C }>;
      if (Date.now() - start > ms) throw new Error(`no ${command} within ${ms} ms`);
      await sleep(5);
    }
  }

  async connect(spId = SP, secret = SECRET): Promise<ConnectRespPdu> {
    const ts = timestampOf(new Date());
    this.send({
      command: 'connect',
      sequenceId: this.nextSeq(),
      sourceAddr: spId,
      authenticatorSource: authenticatorSource(spId, secret, ts),
      version: this.version,
      timestamp: Number(ts),
    });
    return this.next('connect_resp');
  }

  submit(dest: string, content = Buffer.from('hello', 'latin1')): number {
    const sequenceId = this.nextSeq();
    const pdu: SubmitPdu = {
      command: 'submit',
      sequenceId,
      msgId: Buffer.alloc(8),
      pkTotal: 1,
      pkNumber: 1,
      registeredDelivery: 1,
      msgLevel: 0,
      serviceId: 'TEST',
      feeUserType: 0,
      feeTerminalId: '',
      tpPid: 0,
      tpUdhi: 0,
      msgFmt: 0,
      msgSrc: SP,
      feeType: '01',
      feeCode: '000000',
      validTime: '',
      atTime: '',
      srcId: '1069001',
      destTerminalIds: [dest],
      msgContent: content,
    };
    this.send(pdu);
    return sequenceId;
  }

  ackDeliver(d: DeliverPdu, result = 0): void {
    this.send({ command: 'deliver_resp', sequenceId: d.sequenceId, msgId: d.msgId, result });
  }
}

describe('CMPP ISMG simulator', () => {
  let sim: CmppSimulator;
  let port: number;
  const clients: RawSp[] = [];
  const open = async (version: CmppVersion = CMPP_VERSION_3) => {
    const c = await RawSp.open(port, version);
    clients.push(c);
    return c;
  };

  before(async () => {
    sim = new CmppSimulator({
      credentials: { [SP]: SECRET, [SHORT_SP]: SECRET },
      receiptDelayMs: 10,
      receiptRetryMs: 200,
      gatewayId: 0x12345,
    });
    ({ port } = await sim.start());
  });
  after(async () => {
    for (const c of clients) c.socket.destroy();
    await sim.stop();
  });

  test('CONNECT with the right secret: Status 0 and an AuthenticatorISMG we can check (3.0 and 2.0)', async () => {
    for (const version of [CMPP_VERSION_3, CMPP_VERSION_2]) {
      const c = await open(version);
      const ts = timestampOf(new Date());
      const auth = authenticatorSource(SP, SECRET, ts);
      c.send({
        command: 'connect',
        sequenceId: 7,
        sourceAddr: SP,
        authenticatorSource: auth,
        version,
        timestamp: Number(ts),
      });
      const resp = await c.next('connect_resp');
      assert.equal(resp.status, 0);
      assert.equal(resp.sequenceId, 7);
      assert.equal(resp.version, version);
      assert.deepEqual(resp.authenticatorIsmg, authenticatorIsmg(0, auth, SECRET, version));
      c.socket.destroy();
    }
  });

  test('a 4-digit SP_Id logs in with Source_Addr hashed padded to 6 octets or not', async () => {
    const seen: CmppConnectEvent[] = [];
    const onConnect = (e: CmppConnectEvent) => seen.push(e);
    sim.on('connect', onConnect);
    try {
      for (const form of ['padded', 'unpadded'] as const) {
        const c = await open();
        const ts = timestampOf(new Date());
        const auth = authenticatorSource(SHORT_SP, SECRET, ts, form);
        c.send({
          command: 'connect',
          sequenceId: 1,
          sourceAddr: SHORT_SP,
          authenticatorSource: auth,
          version: CMPP_VERSION_3,
          timestamp: Number(ts),
        });
        const resp = await c.next('connect_resp');
        assert.equal(resp.status, 0, form);
        assert.deepEqual(
          resp.authenticatorIsmg,
          authenticatorIsmg(0, auth, SECRET, CMPP_VERSION_3),
        );
        c.socket.destroy();
      }
      const wrong = await open();
      assert.equal((await wrong.connect(SHORT_SP, 'not-it')).status, 3);
      await wrong.closed;
      assert.deepEqual(
        seen.map((e) => [e.spId, e.status, e.authSourceAddr]),
        [
          [SHORT_SP, 0, 'padded'],
          [SHORT_SP, 0, 'unpadded'],
          [SHORT_SP, 3, null],
        ],
      );
    } finally {
      sim.off('connect', onConnect);
    }
  });

  test('a wrong authenticator gets Status 3, a zero AuthenticatorISMG, and the connection closes', async () => {
    const failures = sim.stats().bindFailures;
    const c = await open();
    const resp = await c.connect(SP, 'not-the-secret');
    assert.equal(resp.status, 3);
    assert.deepEqual(resp.authenticatorIsmg, Buffer.alloc(16));
    await c.closed;
    assert.equal(sim.stats().bindFailures, failures + 1);
  });

  test('an unknown SP_Id gets Status 2', async () => {
    const c = await open();
    const resp = await c.connect('777777', SECRET);
    assert.equal(resp.status, 2);
    await c.closed;
  });

  test('SUBMIT: a Msg_Id of the spec layout, then a status report carrying it, retried until answered', async () => {
    const c = await open();
    assert.equal((await c.connect()).status, 0);
    const seq = c.submit('13800138000');
    const resp: SubmitRespPdu = await c.next('submit_resp');
    assert.equal(resp.sequenceId, seq);
    assert.equal(resp.result, 0);
    const parts = decodeMsgId(resp.msgId);
    assert.equal(parts.gateway, 0x12345);
    assert.ok(parts.month >= 1 && parts.month <= 12);

    const first = await c.next('deliver');
    assert.equal(first.registeredDelivery, 1);
    const report = parseStatusReport(first.msgContent, CMPP_VERSION_3);
    assert.equal(msgIdHex(report.msgId), msgIdHex(resp.msgId));
    assert.equal(report.stat, 'DELIVRD');
    assert.equal(report.destTerminalId, '13800138000');
    assert.equal(first.srcTerminalId, '13800138000');
    assert.equal(first.destId, '1069001');
    // Not answered: the report comes again (receiptRetryMs 200, checked once a second).
    const again = await c.next('deliver', 4000);
    assert.equal(
      msgIdHex(parseStatusReport(again.msgContent, CMPP_VERSION_3).msgId),
      msgIdHex(resp.msgId),
    );
    const acked = sim.stats().receiptsAcked;
    c.ackDeliver(again);
    await waitFor(() => sim.stats().receiptsAcked === acked + 1, 'the DELIVER_RESP counted');
  });

  test('outcome rules: UNDELIV report, Result 8 for a throttle rule, Result 9 for a submit failure', async () => {
    const c = await open();
    await c.connect();
    c.submit('13800130000');
    const ok = await c.next('submit_resp');
    assert.equal(ok.result, 0);
    const d = await c.next('deliver');
    assert.equal(parseStatusReport(d.msgContent, CMPP_VERSION_3).stat, 'UNDELIV');
    c.ackDeliver(d);
    c.submit('13800130004');
    const throttled = await c.next('submit_resp');
    assert.equal(throttled.result, 8);
    assert.deepEqual(throttled.msgId, Buffer.alloc(8));
    c.submit('13800130001');
    assert.equal((await c.next('submit_resp')).result, 9);
  });

  test('ACTIVE_TEST is answered; TERMINATE gets TERMINATE_RESP and a close', async () => {
    const c = await open();
    await c.connect();
    c.send({ command: 'active_test', sequenceId: 99 });
    const resp = await c.next('active_test_resp');
    assert.equal(resp.sequenceId, 99);
    c.send({ command: 'terminate', sequenceId: 100 });
    assert.equal((await c.next('terminate_resp')).sequenceId, 100);
    await c.closed;
  });

  test('silent mode: nothing is answered after CONNECT', async () => {
    const c = await open();
    await c.connect();
    sim.setSilent(true);
    try {
      c.send({ command: 'active_test', sequenceId: 5 });
      await assert.rejects(c.next('active_test_resp', 200));
    } finally {
      sim.setSilent(false);
    }
  });

  const garbage: Array<[string, Buffer]> = [
    ['a length that lies', Buffer.from([0x7f, 0, 0, 0, 0, 0, 0, 4, 0, 0, 0, 1])],
    ['a length below the header', Buffer.from([0, 0, 0, 4, 0, 0, 0, 4, 0, 0, 0, 1])],
    ['an unknown command', Buffer.from([0, 0, 0, 12, 0, 0, 0x12, 0x34, 0, 0, 0, 1])],
    [
      'a truncated SUBMIT',
      Buffer.from([0, 0, 0, 20, 0, 0, 0, 4, 0, 0, 0, 1, 1, 2, 3, 4, 5, 6, 7, 8]),
    ],
  ];
  for (const [what, bytes] of garbage) {
    test(`${what}: that connection is closed, the others are still served`, async () => {
      const good = await open();
      await good.connect();
      const bad = await open();
      await bad.connect();
      bad.socket.write(bytes);
      await bad.closed;
      good.submit('13800138001');
      assert.equal((await good.next('submit_resp')).result, 0);
      good.ackDeliver(await good.next('deliver'));
    });
  }

  test('a frame before CONNECT closes the connection', async () => {
    const c = await open();
    c.submit('13800138000');
    await c.closed;
  });

  test('injectInbound: ASCII as Msg_Fmt 0, long Chinese text as UDH-concatenated UCS-2 segments', async () => {
    for (const c of clients) c.socket.destroy();
    await waitFor(() => sim.stats().connections === 0, 'the earlier connections closed');
    const c = await open(CMPP_VERSION_2);
    await c.connect();
    assert.equal(sim.injectInbound({ from: '+8613900139000', to: '1069001', text: 'TD' }), 1);
    const single = await c.next('deliver');
    assert.equal(single.registeredDelivery, 0);
    assert.equal(single.msgFmt, 0);
    assert.equal(single.msgContent.toString('latin1'), 'TD');
    assert.equal(single.srcTerminalId, '8613900139000');
    c.ackDeliver(single);

    const text = '您好'.repeat(40); // 80 characters: two segments of at most 67
    sim.injectInbound({ from: '+8613900139000', to: '1069001', text });
    const a = await c.next('deliver');
    const b = await c.next('deliver');
    for (const d of [a, b]) {
      assert.equal(d.msgFmt, 8);
      assert.equal(d.tpUdhi, 1);
      assert.ok(d.msgContent.length <= 140);
    }
    assert.deepEqual([...a.msgContent.subarray(0, 3)], [5, 0, 3]);
    assert.equal(a.msgContent[4], 2);
    assert.deepEqual([a.msgContent[5], b.msgContent[5]], [1, 2]);
    assert.equal(decodeUcs2(a.msgContent.subarray(6)) + decodeUcs2(b.msgContent.subarray(6)), text);
  });

  test('the HTTP control API works with the CMPP simulator', async () => {
    const control = await startControlServer(sim);
    try {
      const res = await fetch(`http://127.0.0.1:${control.port}/stats`);
      const stats = (await res.json()) as Record<string, number>;
      assert.ok(stats.submits! >= 1);
      assert.equal(typeof stats.activeTests, 'number');
    } finally {
      await control.close();
    }
  });
});
