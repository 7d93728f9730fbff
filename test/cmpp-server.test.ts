// Over 500 lines: one platform per database for every CMPP connect scenario; split, each file would start its own.
// The CMPP server tenants connect to as SPs, end to end over real loopback sockets: our own
// CmppChannel as the SP where it fits (CONNECT, SUBMIT, status reports, MO), raw sockets and the
// codec for exact answers and bad input. Logins and their refusals, UCS-2 / ASCII / long
// submits through the accept service, business refusals as documented Results, flow control,
// status reports that wait for a connection, inbound messages, broken frames, tenant isolation.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { connect as tcpConnect, type Socket } from 'node:net';
import { sql } from 'kysely';
import { databases } from './support/databases.ts';
import { startTestPlatform, waitFinal, waitFor, type TestPlatform } from './support/platform.ts';
import { operatorAdmin, registerCompany, type Browser } from './support/people.ts';
import { newId } from '../src/core/ids.ts';
import { createLogger } from '../src/logger.ts';
import { keyringCipher, loadKeyring, plaintextCipher } from '../src/security/body-cipher.ts';
import { CmppChannel } from '../src/channels/cmpp-channel.ts';
import type { ChannelInbound, ChannelReceipt } from '../src/channels/channel.ts';
import { CMPP_DEFAULTS } from '../src/core/channels/channel-config.ts';
import {
  CmppFrameReader,
  authenticatorIsmg,
  authenticatorSource,
  decode,
  encode,
  msgIdHex,
  parseStatusReport,
  timestampOf,
  type AuthSourceAddrForm,
  type CmppPdu,
  type CmppVersion,
  type DeliverPdu,
  type SubmitPdu,
} from '../src/protocols/cmpp/codec.ts';
import {
  RESULT_FLOW_CONTROL,
  RESULT_INSUFFICIENT_BALANCE,
  RESULT_INVALID_TEXT,
  RESULT_LENGTH,
  RESULT_OK,
  RESULT_RECIPIENT_OPTED_OUT,
} from '../src/protocols/cmpp/results.ts';

const SECRET = 'Se-cret42';
const ucs2 = (text: string) => Buffer.from(text, 'utf16le').swap16();

/** An SP on a raw socket: requests answered by Sequence_Id, DELIVERs collected and acknowledged. */
class RawSp {
  readonly delivered: DeliverPdu[] = [];
  closed = false;
  ackResult = 0;
  #seq = 0;
  readonly #waiting = new Map<number, (pdu: CmppPdu) => void>();
  readonly #reader = new CmppFrameReader();
  private constructor(
    readonly socket: Socket,
    public version: CmppVersion,
  ) {
    socket.on('data', (chunk: Buffer) => {
      for (const frame of this.#reader.push(chunk)) {
        const pdu = decode(frame, this.version);
        const w = this.#waiting.get(pdu.sequenceId);
        if (pdu.command === 'deliver') {
          this.delivered.push(pdu);
          this.send({
            command: 'deliver_resp',
            sequenceId: pdu.sequenceId,
            msgId: pdu.msgId,
            result: this.ackResult,
          });
        } else if (pdu.command === 'active_test') {
          this.send({ command: 'active_test_resp', sequenceId: pdu.sequenceId, reserved: 0 });
        } else if (w && pdu.command.endsWith('_resp')) {
          this.#waiting.delete(pdu.sequenceId);
          w(pdu);
        }
      }
    });
    socket.on('close', () => (this.closed = true));
    socket.on('error', () => {});
  }

  static async open(port: number, version: CmppVersion = 0x30): Promise<RawSp> {
    const socket = tcpConnect({ host: '127.0.0.1', port });
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', () => resolve());
      socket.once('error', reject);
    });
    return new RawSp(socket, version);
  }

  send(pdu: CmppPdu): void {
    this.socket.write(encode(pdu, this.version));
  }

  request<T extends CmppPdu>(pdu: CmppPdu): Promise<T> {
    return new Promise((resolve) => {
      this.#waiting.set(pdu.sequenceId, resolve as (p: CmppPdu) => void);
      this.send(pdu);
    });
  }

  nextSeq(): number {
    return ++this.#seq;
  }

  async login(spId: string, secret: string, version = 0x30, form: AuthSourceAddrForm = 'padded') {
    const ts = timestampOf(new Date());
    const auth = authenticatorSource(spId, secret, ts, form);
    const r = await this.request<Extract<CmppPdu, { command: 'connect_resp' }>>({
      command: 'connect',
      sequenceId: this.nextSeq(),
      sourceAddr: spId,
      authenticatorSource: auth,
      version,
      timestamp: Number(ts),
    });
    return { resp: r, auth };
  }

  submit(fields: Partial<SubmitPdu>): Promise<Extract<CmppPdu, { command: 'submit_resp' }>> {
    return this.request({
      command: 'submit',
      sequenceId: this.nextSeq(),
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
      msgFmt: 8,
      msgSrc: '',
      feeType: '01',
      feeCode: '0',
      validTime: '',
      atTime: '',
      srcId: '1069001',
      destTerminalIds: ['8613800138000'],
      msgContent: ucs2('你好'),
      ...fields,
    });
  }

  reports() {
    return this.delivered
      .filter((d) => d.registeredDelivery === 1)
      .map((d) => parseStatusReport(d.msgContent, this.version));
  }

  close(): void {
    if (!this.closed) this.socket.destroy();
  }
}

for (const database of databases) {
  describe(`cmpp server on ${database.dialect}`, () => {
    const d = database.dialect[0] as string;
    let t: TestPlatform;
    let admin: Browser;
    let port: number;
    let a: Awaited<ReturnType<typeof registerCompany>>;
    let b: Awaited<ReturnType<typeof registerCompany>>;
    const sps: RawSp[] = [];
    const channels: CmppChannel[] = [];
    const open = async (spId: string, version: CmppVersion = 0x30) => {
      const sp = await RawSp.open(port, version);
      sps.push(sp);
      const { resp } = await sp.login(spId, SECRET, version);
      assert.equal(resp.status, 0, `login ${spId}`);
      return sp;
    };
    const company = async (name: string, money: string | null) => {
      const c = await registerCompany(t, `${name}-${database.dialect}`);
      await admin.call(`/v1/admin/tenants/${c.tenantId}/status`, {
        body: { status: 'active', reason: 'ok' },
      });
      if (money)
        await admin.call(`/v1/admin/tenants/${c.tenantId}/recharges`, {
          body: { amount: money, reference: `${name}-opening` },
        });
      return c;
    };
    const account = async (c: { key: string }, systemId: string, more = {}) => {
      const r = await t.api('/v1/smpp-accounts', {
        key: c.key,
        body: { systemId, password: 'Pa55word', cmppSecret: SECRET, ...more },
      });
      assert.equal(r.status, 201, JSON.stringify(r.body));
      assert.equal(r.body.cmpp, true);
      return r.body;
    };
    const db = () => t.platform.store.db;
    const messageOf = async (hex: string) => {
      const rows = await db().selectFrom('cmpp_msg_ids').selectAll().execute();
      const row = rows.find((r) => r.msg_ids.split(',').includes(hex));
      assert.ok(row, `a message for Msg_Id ${hex}`);
      return db()
        .selectFrom('messages')
        .selectAll()
        .where('id', '=', row.message_id)
        .executeTakeFirstOrThrow();
    };
    const cipher = () => {
      const { keyring } = loadKeyring(t.platform.config.security.encryptionKeys, {
        dataDir: t.platform.config.dataDir,
        embedded: database.dialect === 'sqlite',
      });
      return keyring ? keyringCipher(keyring) : plaintextCipher;
    };
    const countMessages = async (tenantId: string) =>
      Number(
        (
          await db()
            .selectFrom('messages')
            .select(sql<number>`count(*)`.as('n'))
            .where('tenant_id', '=', tenantId)
            .executeTakeFirstOrThrow()
        ).n,
      );
    const apiOf = (c: { key: string }) => ({
      ...t,
      api: (p: string, i?: Parameters<TestPlatform['api']>[1]) => t.api(p, { ...i, key: c.key }),
    });

    before(async () => {
      t = await startTestPlatform(database);
      port = t.platform.cmppPort!;
      admin = await operatorAdmin(t, `cmpp-${database.dialect}@operator.test`);
      a = await company('cmppa', '100');
      b = await company('cmppb', '100');
      await account(a, `acme${d}`, { maxBinds: 4, throughput: 1000 });
      await account(b, `bco${d}`, { maxBinds: 2 });
    });
    after(async () => {
      for (const c of channels) await c.stop();
      for (const sp of sps) sp.close();
      await t.stop();
    });

    test('CONNECT: 3.0 and 2.0 ok with AuthenticatorISMG; wrong secret 3, unknown SP 2, bad version 4', async () => {
      for (const version of [0x30, 0x20] as const) {
        const sp = await RawSp.open(port, version);
        sps.push(sp);
        const { resp, auth } = await sp.login(`acme${d}`, SECRET, version);
        assert.equal(resp.status, 0);
        assert.ok(resp.authenticatorIsmg.equals(authenticatorIsmg(0, auth, SECRET, version)));
        const at = await sp.request<Extract<CmppPdu, { command: 'active_test_resp' }>>({
          command: 'active_test',
          sequenceId: sp.nextSeq(),
        });
        assert.equal(at.command, 'active_test_resp');
        const bye = await sp.request({ command: 'terminate', sequenceId: sp.nextSeq() });
        assert.equal(bye.command, 'terminate_resp');
        await waitFor(() => sp.closed, 5000, 'closed after TERMINATE');
      }
      const wrong = await RawSp.open(port);
      sps.push(wrong);
      const w = await wrong.login(`acme${d}`, 'not-the-secret');
      assert.equal(w.resp.status, 3);
      assert.ok(w.resp.authenticatorIsmg.equals(Buffer.alloc(16)));
      await waitFor(() => wrong.closed, 5000, 'closed after a failed CONNECT');
      const unknown = await RawSp.open(port);
      sps.push(unknown);
      // An unknown Source_Addr is answered as a wrong authenticator (names are not revealed).
      assert.equal((await unknown.login('nobody', SECRET)).resp.status, 3);
      const v = await RawSp.open(port);
      sps.push(v);
      assert.equal((await v.login(`acme${d}`, SECRET, 0x40)).resp.status, 4);
      // The demo account has a CMPP secret and the port in demo-smpp.json.
      assert.equal(t.platform.demoSmpp?.cmppPort, port);
      assert.ok(t.platform.demoSmpp?.cmppSecret);
      const demo = await RawSp.open(port);
      sps.push(demo);
      assert.equal(
        (await demo.login('demo', t.platform.demoSmpp.cmppSecret)).resp.status,
        0,
        'demo logs in',
      );
    });

    test('Source_Addr under 6 octets: padded and unpadded AuthenticatorSource both log in (demo, a 4-digit SP_Id, CmppChannel)', async () => {
      // Before: only the unpadded form was accepted, so SPs that hash the NUL-padded 6-octet
      // field (the literal reading of CMPP 3.0 §7.4.2.1) could not log in as `demo`.
      await account(a, '9012');
      const demoSecret = t.platform.demoSmpp!.cmppSecret!;
      for (const [spId, secret] of [
        ['demo', demoSecret],
        ['9012', SECRET],
      ] as const) {
        for (const form of ['padded', 'unpadded'] as const) {
          const sp = await RawSp.open(port);
          sps.push(sp);
          const { resp, auth } = await sp.login(spId, secret, 0x30, form);
          assert.equal(resp.status, 0, `${spId} ${form}`);
          assert.ok(resp.authenticatorIsmg.equals(authenticatorIsmg(0, auth, secret, 0x30)));
          sp.close();
        }
        const wrong = await RawSp.open(port);
        sps.push(wrong);
        assert.equal((await wrong.login(spId, 'Wrong-secret1')).resp.status, 3, spId);
        wrong.close();
      }
      for (const authSourceAddr of ['padded', 'unpadded'] as const) {
        const ch = new CmppChannel(
          {
            ...CMPP_DEFAULTS,
            id: `sp-${authSourceAddr}`,
            host: '127.0.0.1',
            port,
            spId: '9012',
            password: SECRET,
            sourceAddr: '1069001',
            authSourceAddr,
          },
          { onReceipt: (_r, ack) => ack(), onInbound: (_m, ack) => ack(), onState: () => {} },
          createLogger('silent'),
        );
        channels.push(ch);
        await ch.start();
        await waitFor(() => ch.state() === 'bound', 5000, `CmppChannel (${authSourceAddr}) bound`);
        await ch.stop();
      }
    });

    test('text that cannot be sent (a lone surrogate, NUL): Result 110, permanent; nothing written or charged', async () => {
      // Before: the accept service took the text and the body cipher threw: Result 9 (other).
      const c = await company('cmpptext', '100');
      await account(c, `txt${d}`);
      const sp = await open(`txt${d}`);
      const balance = async () => (await t.api('/v1/balance', { key: c.key })).body;
      const was = await balance();
      const cases: Array<[string, Partial<SubmitPdu>]> = [
        [
          'UCS-2: a lone high surrogate (an emoji cut after 2 octets)',
          { msgContent: Buffer.concat([ucs2('验证码 1234 '), Buffer.from([0xd8, 0x3d])]) },
        ],
        ['UCS-2: a lone low surrogate', { msgContent: Buffer.from([0xde, 0x00, 0x00, 0x41]) }],
        ['UCS-2: U+0000', { msgContent: Buffer.from([0x00, 0x41, 0x00, 0x00]) }],
        ['ASCII with a NUL', { msgFmt: 0, msgContent: Buffer.from('hello\0', 'latin1') }],
        ['GBK with a NUL', { msgFmt: 15, msgContent: Buffer.from([0xc4, 0xe3, 0x00]) }],
        [
          'two recipients',
          {
            destTerminalIds: ['13800138006', '13800138007'],
            msgContent: Buffer.from([0xd8, 0x00]),
          },
        ],
      ];
      for (const [what, fields] of cases) {
        const r = await sp.submit({ destTerminalIds: ['13800138006'], ...fields });
        assert.equal(r.result, RESULT_INVALID_TEXT, what);
      }
      // Odd UCS-2 stays a length error (4), as documented.
      assert.equal(
        (await sp.submit({ msgContent: Buffer.from([0x4f, 0x60, 0x59]) })).result,
        RESULT_LENGTH,
      );
      // A long message whose parts join into a lone surrogate: the part completing it gets 110,
      // the part already answered 0 a REJECTD report.
      const udh = (seq: number) => Buffer.from([0x05, 0x00, 0x03, 0x51, 0x02, seq]);
      const first = await sp.submit({
        destTerminalIds: ['13800138008'],
        tpUdhi: 1,
        pkTotal: 2,
        pkNumber: 1,
        msgContent: Buffer.concat([udh(1), ucs2('第一部分'), Buffer.from([0xd8, 0x3d])]),
      });
      assert.equal(first.result, RESULT_OK);
      const second = await sp.submit({
        destTerminalIds: ['13800138008'],
        tpUdhi: 1,
        pkTotal: 2,
        pkNumber: 2,
        msgContent: Buffer.concat([udh(2), ucs2('第二部分')]),
      });
      assert.equal(second.result, RESULT_INVALID_TEXT);
      const firstId = msgIdHex(first.msgId);
      await waitFor(
        () => sp.reports().some((r) => msgIdHex(r.msgId) === firstId),
        10_000,
        'the REJECTD report of the part answered 0',
      );
      assert.equal(sp.reports().find((r) => msgIdHex(r.msgId) === firstId)!.stat, 'REJECTD');
      assert.equal(await countMessages(c.tenantId), 0, 'nothing written');
      assert.deepEqual(await balance(), was, 'nothing held or charged');
      // A surrogate pair split over the two parts is one character once joined: accepted.
      const udh2 = (seq: number) => Buffer.from([0x05, 0x00, 0x03, 0x52, 0x02, seq]);
      const p1 = await sp.submit({
        tpUdhi: 1,
        pkTotal: 2,
        pkNumber: 1,
        msgContent: Buffer.concat([udh2(1), ucs2('好'), Buffer.from([0xd8, 0x3d])]),
      });
      const p2 = await sp.submit({
        tpUdhi: 1,
        pkTotal: 2,
        pkNumber: 2,
        msgContent: Buffer.concat([udh2(2), Buffer.from([0xde, 0x00]), ucs2('好')]),
      });
      assert.deepEqual([p1.result, p2.result], [RESULT_OK, RESULT_OK]);
      const row = await messageOf(msgIdHex(p1.msgId));
      assert.match(cipher().open(row.text, row.text_key_id, row.id), /好😀好$/);
      sp.close();
    });

    test('a UCS-2 submit over CmppChannel is delivered and its status report carries the Msg_Id it got', async () => {
      const receipts: ChannelReceipt[] = [];
      const inbound: ChannelInbound[] = [];
      const other = await open(`bco${d}`);
      const ch = new CmppChannel(
        {
          ...CMPP_DEFAULTS,
          id: 'sp',
          host: '127.0.0.1',
          port,
          version: 3,
          spId: `acme${d}`,
          password: SECRET,
          serviceId: 'TEST',
          sourceAddr: '1069001',
        },
        {
          onReceipt: (r, ack) => {
            receipts.push(r);
            ack();
          },
          onInbound: (m, ack) => {
            inbound.push(m);
            ack();
          },
          onState: () => {},
        },
        createLogger('silent'),
      );
      channels.push(ch);
      await ch.start();
      await waitFor(() => ch.state() === 'bound', 5000, 'CmppChannel connected');
      const out = await ch.submit({
        messageId: 'x',
        seq: 1,
        to: '+8613800138001',
        from: null,
        dataCoding: 8,
        udh: null,
        userData: ucs2('您的验证码是 123456'),
        wantReceipt: true,
      });
      assert.ok(out.ok, JSON.stringify(out));
      const row = await messageOf(out.carrierId);
      assert.equal(row.tenant_id, a.tenantId);
      assert.equal(row.source, 'cmpp');
      // The tenant's signature is added by the accept service, as for HTTP.
      assert.match(cipher().open(row.text, row.text_key_id, row.id), /您的验证码是 123456$/);
      assert.equal((await waitFinal(apiOf(a), row.id)).status, 'delivered');
      await waitFor(
        () => receipts.some((r) => r.carrierId === out.carrierId),
        10_000,
        'the status report',
      );
      const report = receipts.find((r) => r.carrierId === out.carrierId)!;
      assert.equal(report.stat, 'DELIVRD');
      assert.equal(report.status, 'delivered');

      // An inbound message for the tenant reaches the SP as an MO DELIVER (Registered_Delivery 0).
      const id = newId('inb');
      const now = Date.now();
      const sealed = cipher().seal('收到，谢谢', id);
      await db()
        .insertInto('inbound_messages')
        .values({
          id,
          channel_id: 'sim',
          from: '+8613800138099',
          to: '1069000188',
          text: sealed.data,
          text_key_id: sealed.keyId,
          tenant_id: a.tenantId,
          received_at: now,
        })
        .execute();
      await db()
        .insertInto('message_events')
        .values({
          message_id: id,
          tenant_id: a.tenantId,
          status: 'inbound',
          detail: null,
          created_at: now,
        })
        .execute();
      await waitFor(() => inbound.length > 0, 10_000, 'the MO message');
      assert.equal(inbound[0]!.text, '收到，谢谢');
      assert.equal(inbound[0]!.to, '1069000188');
      assert.equal(inbound[0]!.from, '8613800138099');

      // The other tenant got neither our report nor our MO.
      await new Promise((r) => setTimeout(r, 300));
      assert.ok(
        !other.reports().some((r) => msgIdHex(r.msgId) === out.carrierId),
        'no report for another tenant',
      );
      assert.equal(other.delivered.filter((x) => x.registeredDelivery === 0).length, 0);
      await ch.stop();
      other.close();
    });

    test('a 2-part long message (TP_udhi) becomes one message of 2 parts; ASCII Msg_Fmt 0; both parts reported', async () => {
      const sp = await open(`acme${d}`, 0x20);
      const text = '长'.repeat(67) + '短信的第二部分在这里结束了';
      const bytes = ucs2(text);
      const parts = [bytes.subarray(0, 134), bytes.subarray(134)];
      const answers = [];
      for (const [i, p] of parts.entries())
        answers.push(
          await sp.submit({
            pkTotal: 2,
            pkNumber: i + 1,
            tpUdhi: 1,
            destTerminalIds: ['13800138002'],
            msgContent: Buffer.concat([Buffer.from([5, 0, 3, 0x42, 2, i + 1]), p]),
          }),
        );
      assert.deepEqual(
        answers.map((r) => r.result),
        [RESULT_OK, RESULT_OK],
      );
      const ids = answers.map((r) => msgIdHex(r.msgId));
      assert.notEqual(ids[0], ids[1]);
      const row = await messageOf(ids[1]!);
      assert.ok(cipher().open(row.text, row.text_key_id, row.id).endsWith(text));
      assert.equal(row.parts_count, 2);
      assert.equal(row.source_parts, 2);
      assert.equal((await messageOf(ids[0]!)).id, row.id, 'one message');
      await waitFinal(apiOf(a), row.id);
      await waitFor(
        () => ids.every((id) => sp.reports().some((r) => msgIdHex(r.msgId) === id)),
        10_000,
        'a report per part',
      );
      const rep = sp.reports().find((r) => msgIdHex(r.msgId) === ids[0])!;
      assert.equal(rep.stat, 'DELIVRD');
      assert.equal(rep.destTerminalId, '8613800138002');
      assert.match(rep.submitTime, /^\d{10}$/);

      const ascii = await sp.submit({
        msgFmt: 0,
        destTerminalIds: ['13800138003'],
        msgContent: Buffer.from('Hello from CMPP', 'latin1'),
        registeredDelivery: 0,
      });
      assert.equal(ascii.result, RESULT_OK);
      const arow = await messageOf(msgIdHex(ascii.msgId));
      assert.ok(cipher().open(arow.text, arow.text_key_id, arow.id).endsWith('Hello from CMPP'));
      sp.close();
    });

    test('business refusals: insufficient balance 100, opted out 102; nothing written', async () => {
      const poor = await company('cmpppoor', null);
      await account(poor, `poor${d}`);
      const p = await open(`poor${d}`);
      const r = await p.submit({ destTerminalIds: ['13800138004'] });
      assert.equal(r.result, RESULT_INSUFFICIENT_BALANCE);
      assert.equal(await countMessages(poor.tenantId), 0);

      assert.equal(
        (await t.api('/v1/opt-outs', { key: a.key, body: { numbers: ['13900139002'] } })).status,
        201,
      );
      const sp = await open(`acme${d}`);
      const before = await countMessages(a.tenantId);
      const o = await sp.submit({
        destTerminalIds: ['8613900139002'],
        msgContent: ucs2('周末大促'),
      });
      assert.equal(o.result, RESULT_RECIPIENT_OPTED_OUT);
      assert.equal(await countMessages(a.tenantId), before);
      p.close();
      sp.close();
    });

    test('flow control: over the account throughput Result 8, the connection carries on', async () => {
      await account(a, `slow${d}`, { throughput: 5, maxBinds: 1 });
      const sp = await open(`slow${d}`);
      const rs = await Promise.all(
        Array.from({ length: 30 }, (_, i) =>
          sp.submit({
            destTerminalIds: [`138001381${String(i).padStart(2, '0')}`],
            registeredDelivery: 0,
          }),
        ),
      );
      const results = rs.map((r) => r.result);
      assert.ok(results.includes(RESULT_OK));
      assert.ok(results.filter((x) => x === RESULT_FLOW_CONTROL).length >= 20, String(results));
      assert.ok(results.every((x) => x === RESULT_OK || x === RESULT_FLOW_CONTROL));
      sp.close();
    });

    test('status reports wait while no SP is connected and arrive after reconnecting', async () => {
      const sp = await open(`acme${d}`);
      const r = await sp.submit({ destTerminalIds: ['13800138005'], msgContent: ucs2('等我') });
      assert.equal(r.result, RESULT_OK);
      const hex = msgIdHex(r.msgId);
      sp.close();
      await waitFor(() => sp.closed, 5000, 'closed');
      const row = await messageOf(hex);
      await waitFinal(apiOf(a), row.id);
      await new Promise((res) => setTimeout(res, 300));
      const again = await open(`acme${d}`);
      await waitFor(
        () => again.reports().some((x) => msgIdHex(x.msgId) === hex),
        10_000,
        'the waiting report',
      );
      again.close();
    });

    test('the CMPP secret is changed through the API; suspending the tenant drops its connection', async () => {
      const c = await company('cmppc', '10');
      const acct = await account(c, `sec${d}`);
      const changed = await t.api(`/v1/smpp-accounts/${acct.id}/cmpp-secret`, {
        key: c.key,
        method: 'PUT',
        body: { cmppSecret: 'New-secret7' },
      });
      assert.equal(changed.status, 200, JSON.stringify(changed.body));
      const old = await RawSp.open(port);
      sps.push(old);
      assert.equal(
        (await old.login(`sec${d}`, SECRET)).resp.status,
        3,
        'the old secret is refused',
      );
      const sp = await RawSp.open(port);
      sps.push(sp);
      assert.equal((await sp.login(`sec${d}`, 'New-secret7')).resp.status, 0);
      const suspended = await admin.call(`/v1/admin/tenants/${c.tenantId}/status`, {
        body: { status: 'suspended', reason: 'unpaid' },
      });
      assert.equal(suspended.status, 204);
      await waitFor(() => sp.closed, 5000, 'the suspended tenant to lose its connection');
      const again = await RawSp.open(port);
      sps.push(again);
      assert.notEqual((await again.login(`sec${d}`, 'New-secret7')).resp.status, 0);
    });

    test('a broken frame, a SUBMIT before CONNECT and an unknown command close only that connection', async () => {
      const good = await open(`acme${d}`);
      const broken = await open(`acme${d}`);
      const header = Buffer.alloc(12);
      header.writeUInt32BE(5, 0); // Total_Length below the header
      broken.socket.write(header);
      await waitFor(() => broken.closed, 5000, 'the broken connection closed');

      const early = await RawSp.open(port);
      sps.push(early);
      void early.submit({});
      await waitFor(() => early.closed, 5000, 'SUBMIT before CONNECT closed');

      const odd = await open(`acme${d}`);
      const unknown = Buffer.alloc(12);
      unknown.writeUInt32BE(12, 0);
      unknown.writeUInt32BE(0x00000099, 4);
      unknown.writeUInt32BE(1, 8);
      odd.socket.write(unknown);
      await waitFor(() => odd.closed, 5000, 'unknown command closed');

      assert.ok(!good.closed);
      const ok = await good.submit({ destTerminalIds: ['13800138006'], registeredDelivery: 0 });
      assert.equal(ok.result, RESULT_OK);
      good.close();
    });
  });
}
