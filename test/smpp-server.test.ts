// Over 500 lines: one platform per database for every SMPP bind scenario; split, each file would start its own.
// The SMPP server tenants bind to, end to end over real loopback sockets with real smpp client
// sessions: binds and their refusals, submits through the accept service (GSM, UCS-2,
// concatenated parts, message_payload), the bad inputs of issue 7, receipts and inbound messages
// as deliver_sm (also when no receiver was bound), suspension and tenant isolation.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { connect as tcpConnect, type Socket } from 'node:net';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import smpp, { type PDU, type Session } from 'smpp';
import { sql } from 'kysely';
import { databases } from './support/databases.ts';
import { startTestPlatform, waitFinal, waitFor, type TestPlatform } from './support/platform.ts';
import { operatorAdmin, registerCompany, type Browser } from './support/people.ts';
import { newId } from '../src/core/ids.ts';
import { keyringCipher, loadKeyring, plaintextCipher } from '../src/security/body-cipher.ts';
import {
  ESME_RALYBND,
  ESME_RBINDFAIL,
  ESME_RINVBNDSTS,
  ESME_RINVCMDID,
  ESME_RINVDCS,
  ESME_RINVMSGLEN,
  ESME_RINVPASWD,
  ESME_RMSGQFUL,
  ESME_ROK,
  ESME_RTHROTTLED,
  HY_INSUFFICIENT_BALANCE,
  HY_INVALID_TEXT,
  HY_RECIPIENT_OPTED_OUT,
  ESME_RINVDSTADR,
} from '../src/protocols/smpp/command-status.ts';

type Mode = 'transmitter' | 'receiver' | 'transceiver';

/** A tenant's SMPP client: one session, deliver_sm collected (and acknowledged unless told not to). */
class Client {
  readonly delivered: PDU[] = [];
  readonly unbinds: PDU[] = [];
  closed = false;
  /** Answer deliver_sm with this status (ESME_ROK by default). */
  ackStatus = ESME_ROK;
  private constructor(readonly session: Session) {
    session.on('deliver_sm', (pdu: PDU) => {
      this.delivered.push(pdu);
      session.send(pdu.response({ command_status: this.ackStatus }));
    });
    session.on('unbind', (pdu: PDU) => {
      this.unbinds.push(pdu);
      session.send(pdu.response());
    });
    session.on('close', () => (this.closed = true));
    session.on('error', () => {});
  }

  static async open(port: number): Promise<Client> {
    const session = smpp.connect({ host: '127.0.0.1', port });
    await new Promise<void>((resolve, reject) => {
      session.once('connect', () => resolve());
      session.once('error', reject);
    });
    return new Client(session);
  }

  static async bound(port: number, mode: Mode, systemId: string, password: string) {
    const c = await Client.open(port);
    const r = await c.bind(mode, systemId, password);
    assert.equal(r.command_status, ESME_ROK, `bind ${mode} ${systemId}: ${r.command_status}`);
    return c;
  }

  bind(mode: Mode, systemId: string, password: string): Promise<PDU> {
    return new Promise((resolve) =>
      this.session[`bind_${mode}`]({ system_id: systemId, password }, resolve),
    );
  }

  submit(fields: Record<string, unknown>): Promise<PDU> {
    return new Promise((resolve) =>
      this.session.submit_sm(
        { source_addr: 'ACME', registered_delivery: 1, data_coding: 0, ...fields },
        resolve,
      ),
    );
  }

  receipts(): PDU[] {
    return this.delivered.filter((p) => ((p.esm_class as number) & 0x3c) === 0x04);
  }

  close(): void {
    if (!this.closed) this.session.destroy();
  }
}

/** GSM 03.38 unpacked: ASCII letters, digits and spaces have the same codes. */
const gsm = (text: string) => Buffer.from(text, 'latin1');
const ucs2 = (text: string) => Buffer.from(text, 'utf16le').swap16();

function udh8(ref: number, total: number, seq: number): Buffer {
  return Buffer.from([0x05, 0x00, 0x03, ref, total, seq]);
}
function udh16(ref: number, total: number, seq: number): Buffer {
  return Buffer.from([0x06, 0x08, 0x04, ref >> 8, ref & 0xff, total, seq]);
}

const receiptText = (p: PDU) => {
  const sm = p.short_message as { message?: unknown } | Buffer;
  const m = Buffer.isBuffer(sm) ? sm.toString('latin1') : sm.message;
  return typeof m === 'string' ? m : Buffer.isBuffer(m) ? m.toString('latin1') : '';
};

const RECEIPT_TEXT =
  /^id:(\S+) sub:001 dlvrd:(\d{3}) submit date:\d{10} done date:\d{10} stat:(\w{7}) err:(\w{3}) text:.*$/;

for (const database of databases) {
  describe(`smpp server on ${database.dialect}`, () => {
    let t: TestPlatform;
    let admin: Browser;
    let port: number;
    let a: Awaited<ReturnType<typeof registerCompany>>;
    let b: Awaited<ReturnType<typeof registerCompany>>;
    const clients: Client[] = [];
    const open = async (mode: Mode, systemId: string, password: string) => {
      const c = await Client.bound(port, mode, systemId, password);
      clients.push(c);
      return c;
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
    const account = async (
      c: { key: string },
      systemId: string,
      more: Record<string, unknown> = {},
    ) => {
      const r = await t.api('/v1/smpp-accounts', {
        key: c.key,
        body: { systemId, password: 'Pa55word', ...more },
      });
      assert.equal(r.status, 201, JSON.stringify(r.body));
      return r.body;
    };
    const messageRow = (id: string) =>
      t.platform.store.db
        .selectFrom('messages')
        .selectAll()
        .where('id', '=', id)
        .executeTakeFirst();
    /** The platform's body cipher (bodies are encrypted at rest; on SQLite with a generated key). */
    const cipher = () => {
      const { keyring } = loadKeyring(t.platform.config.security.encryptionKeys, {
        dataDir: t.platform.config.dataDir,
        embedded: database.dialect === 'sqlite',
      });
      return keyring ? keyringCipher(keyring) : plaintextCipher;
    };
    const textOf = async (id: string) => {
      const row = await messageRow(id);
      assert.ok(row, `message ${id}`);
      return cipher().open(row.text, row.text_key_id, row.id);
    };
    const countMessages = async (tenantId: string) =>
      Number(
        (
          await t.platform.store.db
            .selectFrom('messages')
            .select(sql<number>`count(*)`.as('n'))
            .where('tenant_id', '=', tenantId)
            .executeTakeFirstOrThrow()
        ).n,
      );

    before(async () => {
      t = await startTestPlatform(database);
      port = t.platform.smppPort!;
      admin = await operatorAdmin(t, `smpp-${database.dialect}@operator.test`);
      a = await company('smppa', '100');
      b = await company('smppb', '100');
      await account(a, `acme-${database.dialect}`, {
        bindTypes: ['transmitter', 'receiver', 'transceiver'],
        maxBinds: 3,
        throughput: 1000,
      });
      await account(b, `bco-${database.dialect}`, { bindTypes: ['transceiver'], maxBinds: 2 });
    });
    after(async () => {
      for (const c of clients) c.close();
      await t.stop();
    });

    test('the demo tenant has SMPP credentials in demo-smpp.json (mode 0600) and can bind', async () => {
      const file = join(t.platform.config.dataDir, 'demo-smpp.json');
      assert.ok(existsSync(file));
      assert.equal(statSync(file).mode & 0o777, 0o600);
      const creds = JSON.parse(readFileSync(file, 'utf8'));
      // cmppPort / cmppSecret: the same account's CMPP login (docs/cmpp.md).
      assert.deepEqual(Object.keys(creds).sort(), [
        'cmppPort',
        'cmppSecret',
        'host',
        'password',
        'port',
        'systemId',
      ]);
      assert.equal(creds.port, port);
      const c = await open('transceiver', creds.systemId, creds.password);
      assert.ok(!c.closed);
      c.close();
    });

    test('binds: ok, wrong password, unknown system_id, bind type not allowed, over the limit, twice', async () => {
      const sys = `acme-${database.dialect}`;
      const x = await Client.open(port);
      clients.push(x);
      assert.equal((await x.bind('transceiver', sys, 'wrong')).command_status, ESME_RINVPASWD);
      // An unknown system_id is answered as a wrong password (names are not revealed).
      assert.equal(
        (await x.bind('transceiver', 'nobody-here', 'Pa55word')).command_status,
        ESME_RINVPASWD,
      );
      // The same connection may bind after failures.
      assert.equal((await x.bind('transceiver', sys, 'Pa55word')).command_status, ESME_ROK);
      assert.equal((await x.bind('transceiver', sys, 'Pa55word')).command_status, ESME_RALYBND);

      const bsys = `bco-${database.dialect}`;
      const onlyTrx = await Client.open(port);
      clients.push(onlyTrx);
      assert.equal(
        (await onlyTrx.bind('receiver', bsys, 'Pa55word')).command_status,
        ESME_RINVCMDID,
        'a bind type the account may not use: clients fall back to another',
      );
      const b1 = await open('transceiver', bsys, 'Pa55word');
      const b2 = await open('transceiver', bsys, 'Pa55word');
      const b3 = await Client.open(port);
      clients.push(b3);
      assert.equal(
        (await b3.bind('transceiver', bsys, 'Pa55word')).command_status,
        ESME_RBINDFAIL,
        'maxBinds 2',
      );
      b2.close();
      await waitFor(() => t.platform.smpp!.stats().binds <= 2, 5000, 'b2 gone');
      assert.equal((await b3.bind('transceiver', bsys, 'Pa55word')).command_status, ESME_ROK);
      x.close();
      b1.close();
      b3.close();
    });

    test('submit before bind and on a receiver bind: ESME_RINVBNDSTS; nothing written', async () => {
      const before = await countMessages(a.tenantId);
      const x = await Client.open(port);
      clients.push(x);
      const early = await x.submit({ destination_addr: '447400123456', short_message: gsm('hi') });
      assert.equal(early.command_status, ESME_RINVBNDSTS);
      const rx = await open('receiver', `acme-${database.dialect}`, 'Pa55word');
      const onRx = await rx.submit({ destination_addr: '447400123456', short_message: gsm('hi') });
      assert.equal(onRx.command_status, ESME_RINVBNDSTS);
      assert.equal(await countMessages(a.tenantId), before);
      x.close();
      rx.close();
    });

    test('GSM and UCS-2 submits are accepted, delivered, and receipted with the ids given', async () => {
      const trx = await open('transceiver', `acme-${database.dialect}`, 'Pa55word');
      // Another tenant bound all along must never hear of our messages.
      const other = await open('transceiver', `bco-${database.dialect}`, 'Pa55word');
      const g = await trx.submit({
        destination_addr: '447400123456',
        dest_addr_ton: 1,
        dest_addr_npi: 1,
        data_coding: 0,
        short_message: gsm('Hello from SMPP 42'),
      });
      assert.equal(g.command_status, ESME_ROK);
      const u = await trx.submit({
        destination_addr: '8613800138001',
        dest_addr_ton: 1,
        dest_addr_npi: 1,
        data_coding: 8,
        short_message: ucs2('您的验证码是 123456'),
      });
      assert.equal(u.command_status, ESME_ROK);
      // The SMPP id is the Hongyan id without its msg_ prefix (same bytes in ASCII and GSM 03.38).
      const [gsid, usid] = [g.message_id as string, u.message_id as string];
      assert.match(gsid, /^[0-9A-Z]{26}$/);
      const [gid, uid] = [`msg_${gsid}`, `msg_${usid}`];
      const gm = await waitFinal({ ...t, api: (p, i) => t.api(p, { ...i, key: a.key }) }, gid);
      const um = await waitFinal({ ...t, api: (p, i) => t.api(p, { ...i, key: a.key }) }, uid);
      assert.deepEqual([gm.status, gm.encoding, gm.to], ['delivered', 'gsm7', '+447400123456']);
      assert.deepEqual([um.status, um.encoding, um.to], ['delivered', 'ucs2', '+8613800138001']);
      const row = await messageRow(gid);
      assert.deepEqual(
        [row?.source, row?.source_account, row?.source_addr, Number(row?.receipt_wanted)],
        ['smpp', `acme-${database.dialect}`, 'ACME', 1],
      );
      assert.equal(await textOf(gid), 'Hello from SMPP 42');
      assert.ok((await textOf(uid)).endsWith('您的验证码是 123456'));
      await waitFor(() => trx.receipts().length >= 2, 10_000, 'two receipts');
      for (const id of [gsid, usid]) {
        const r = trx.receipts().find((p) => p.receipted_message_id === id);
        assert.ok(r, `a receipt for ${id}`);
        assert.equal(r.message_state, 2);
        const m = RECEIPT_TEXT.exec(receiptText(r));
        assert.ok(m, receiptText(r));
        assert.deepEqual([m[1], m[2], m[3], m[4]], [id, '001', 'DELIVRD', '000']);
      }
      const gr = trx.receipts().find((p) => p.receipted_message_id === gsid)!;
      assert.match(receiptText(gr), /text:Hello from SMPP 42$/);
      assert.equal(gr.source_addr, '447400123456');
      assert.equal(gr.destination_addr, 'ACME');
      // Acknowledged receipts move the account's cursor; they are not sent again.
      await new Promise((r) => setTimeout(r, 500));
      assert.equal(trx.receipts().length, 2);
      assert.equal(other.delivered.length, 0, 'another tenant never gets our receipts');
      trx.close();
      other.close();
    });

    test('concatenated parts (8- and 16-bit references, any order) become one message; message_payload too', async () => {
      const sys = `acme-${database.dialect}`;
      const trx = await open('transceiver', sys, 'Pa55word');
      const texts = ['A'.repeat(153), 'B'.repeat(153), 'C'.repeat(50)];
      const answers: PDU[] = [];
      for (const seq of [1, 3, 2]) {
        answers[seq] = await trx.submit({
          destination_addr: '447400123457',
          dest_addr_ton: 1,
          esm_class: 0x40,
          short_message: Buffer.concat([udh8(77, 3, seq), gsm(texts[seq - 1]!)]),
        });
      }
      const ids = [1, 2, 3].map((seq) => answers[seq]!.message_id as string);
      for (const p of [1, 2, 3]) assert.equal(answers[p]!.command_status, ESME_ROK);
      const base = ids[0]!.replace(/-1$/, '');
      assert.deepEqual(ids, [`${base}-1`, `${base}-2`, `${base}-3`], 'one id per part');
      const view = await waitFinal(
        { ...t, api: (p, i) => t.api(p, { ...i, key: a.key }) },
        `msg_${base}`,
      );
      assert.deepEqual([view.status, view.parts, view.encoding], ['delivered', 3, 'gsm7']);
      assert.equal(
        Number(view.price.amount),
        3 * Number(view.pricePerPart.amount),
        'one message, priced once for its 3 parts',
      );
      const row = await messageRow(`msg_${base}`);
      assert.equal(Number(row?.source_parts), 3);
      await waitFor(
        () => ids.every((id) => trx.receipts().some((r) => r.receipted_message_id === id)),
        10_000,
        'a receipt for every part id',
      );

      // 16-bit reference, UCS-2: a surrogate pair (emoji) straddles the two parts.
      const ucsText = '您好'.repeat(33) + '😀' + '再见';
      const units = ucs2(ucsText);
      const cut = 67 * 2; // the emoji's high surrogate ends part 1
      const u1 = await trx.submit({
        destination_addr: '8613800138002',
        dest_addr_ton: 1,
        data_coding: 8,
        esm_class: 0x40,
        short_message: Buffer.concat([udh16(0x1234, 2, 1), units.subarray(0, cut)]),
      });
      const u2 = await trx.submit({
        destination_addr: '8613800138002',
        dest_addr_ton: 1,
        data_coding: 8,
        esm_class: 0x40,
        short_message: Buffer.concat([udh16(0x1234, 2, 2), units.subarray(cut)]),
      });
      assert.deepEqual([u1.command_status, u2.command_status], [ESME_ROK, ESME_ROK]);
      const ubase = (u1.message_id as string).replace(/-1$/, '');
      assert.equal(u2.message_id, `${ubase}-2`);
      const uview = await waitFinal(
        { ...t, api: (q, i) => t.api(q, { ...i, key: a.key }) },
        `msg_${ubase}`,
      );
      assert.deepEqual([uview.status, uview.encoding], ['delivered', 'ucs2']);
      assert.ok((await textOf(`msg_${ubase}`)).endsWith(ucsText), 'reassembled, emoji intact');

      // message_payload: one submit_sm, split by Hongyan; the client holds one id.
      const long = 'Payload '.repeat(40).trim();
      const p = await trx.submit({
        destination_addr: '447400123458',
        dest_addr_ton: 1,
        short_message: Buffer.alloc(0),
        message_payload: gsm(long),
      });
      assert.equal(p.command_status, ESME_ROK);
      const pv = await waitFinal(
        { ...t, api: (q, i) => t.api(q, { ...i, key: a.key }) },
        `msg_${p.message_id}`,
      );
      assert.deepEqual([pv.status, pv.parts], ['delivered', 3]);
      await waitFor(
        () => trx.receipts().some((r) => r.receipted_message_id === p.message_id),
        10_000,
        'the payload message receipt',
      );
      trx.close();
    });

    test('bad input: a UDH that lies about its length, invalid data_coding, bad numbers; nothing written, the bind carries on', async () => {
      const trx = await open('transceiver', `acme-${database.dialect}`, 'Pa55word');
      const before = await countMessages(a.tenantId);
      const lies = [
        // UDHL 9, but only 8 octets follow.
        Buffer.from([0x09, 0x00, 0x03, 0x01, 0x02, 0x01, 0x41, 0x42, 0x43]),
        // The concatenation element says 7 octets inside a UDH of 5.
        Buffer.from([0x05, 0x00, 0x07, 0x01, 0x02, 0x01, 0x41, 0x42]),
        // Part 3 of 2.
        Buffer.concat([udh8(9, 2, 3), gsm('x')]),
        // UDHI with no user data at all.
        Buffer.alloc(0),
      ];
      for (const sm of lies) {
        const r = await trx.submit({
          destination_addr: '447400123459',
          dest_addr_ton: 1,
          esm_class: 0x40,
          short_message: sm,
        });
        assert.equal(r.command_status, ESME_RINVMSGLEN, sm.toString('hex'));
      }
      for (const dc of [0x02, 0x04, 0x05, 0x09, 0xf4]) {
        const r = await trx.submit({
          destination_addr: '447400123459',
          dest_addr_ton: 1,
          data_coding: dc,
          short_message: gsm('hello'),
        });
        assert.equal(r.command_status, ESME_RINVDCS, `data_coding ${dc}`);
      }
      const odd = await trx.submit({
        destination_addr: '447400123459',
        data_coding: 8,
        short_message: Buffer.from([0x4f, 0x60, 0x59]),
      });
      assert.equal(odd.command_status, ESME_RINVMSGLEN, 'UCS-2 with an odd number of octets');
      const bad = await trx.submit({ destination_addr: 'abc', short_message: gsm('hello') });
      assert.equal(bad.command_status, ESME_RINVDSTADR);
      const empty = await trx.submit({ destination_addr: '447400123459', short_message: gsm('') });
      assert.notEqual(empty.command_status, ESME_ROK);
      assert.equal(await countMessages(a.tenantId), before, 'nothing written');
      const ok = await trx.submit({
        destination_addr: '447400123459',
        dest_addr_ton: 1,
        short_message: gsm('still fine'),
      });
      assert.equal(ok.command_status, ESME_ROK);
      trx.close();
    });

    test('text that cannot be sent (a lone surrogate, NUL): HY_INVALID_TEXT, permanent; nothing written or charged', async () => {
      // Before: the accept service took the text and the body cipher threw, ESME_RSYSERR ("try again").
      const c = await company('smpptext', '100');
      await account(c, `text-${database.dialect}`);
      const trx = await open('transceiver', `text-${database.dialect}`, 'Pa55word');
      const balance = async () => (await t.api('/v1/balance', { key: c.key })).body;
      const was = await balance();
      const to = { destination_addr: '8613800138000', dest_addr_ton: 1 };
      const cases: Array<[string, Record<string, unknown>]> = [
        [
          'UCS-2: a lone high surrogate (an emoji cut after 2 octets)',
          {
            data_coding: 8,
            short_message: Buffer.concat([ucs2('验证码 1234 '), Buffer.from([0xd8, 0x3d])]),
          },
        ],
        [
          'UCS-2: a lone low surrogate',
          { data_coding: 8, short_message: Buffer.from([0xde, 0x00, 0x00, 0x41]) },
        ],
        [
          'UCS-2 in message_payload',
          {
            data_coding: 8,
            message_payload: Buffer.concat([ucs2('x'.repeat(100)), Buffer.from([0xdb, 0xff])]),
          },
        ],
        [
          'IA5 with a NUL octet inside (a terminator at the end is dropped: docs/smpp.md)',
          { data_coding: 1, short_message: Buffer.from('hel\0lo\0', 'latin1') },
        ],
        [
          'Latin-1 with a NUL octet',
          { data_coding: 3, short_message: Buffer.from([0x68, 0x00, 0x69]) },
        ],
      ];
      for (const [what, fields] of cases) {
        const r = await trx.submit({ ...to, ...fields });
        assert.equal(r.command_status, HY_INVALID_TEXT, what);
      }
      // A long message whose parts join into a lone surrogate: the part that completes it is
      // refused, the part already answered gets a REJECTD receipt.
      const first = await trx.submit({
        ...to,
        esm_class: 0x40,
        data_coding: 8,
        short_message: Buffer.concat([udh8(31, 2, 1), ucs2('第一部分'), Buffer.from([0xd8, 0x3d])]),
      });
      assert.equal(first.command_status, ESME_ROK);
      const second = await trx.submit({
        ...to,
        esm_class: 0x40,
        data_coding: 8,
        short_message: Buffer.concat([udh8(31, 2, 2), ucs2('第二部分')]),
      });
      assert.equal(second.command_status, HY_INVALID_TEXT);
      await waitFor(
        () => trx.receipts().some((p) => p.receipted_message_id === first.message_id),
        10_000,
        'the REJECTD receipt of the part answered ESME_ROK',
      );
      const receipt = trx.receipts().find((p) => p.receipted_message_id === first.message_id)!;
      assert.equal(RECEIPT_TEXT.exec(receiptText(receipt))?.[3], 'REJECTD');
      assert.equal(await countMessages(c.tenantId), 0, 'nothing written');
      assert.deepEqual(await balance(), was, 'nothing held or charged');

      // A surrogate pair split over two parts is one character once joined: accepted.
      const p1 = await trx.submit({
        ...to,
        esm_class: 0x40,
        data_coding: 8,
        short_message: Buffer.concat([udh8(32, 2, 1), ucs2('好'), Buffer.from([0xd8, 0x3d])]),
      });
      const p2 = await trx.submit({
        ...to,
        esm_class: 0x40,
        data_coding: 8,
        short_message: Buffer.concat([udh8(32, 2, 2), Buffer.from([0xde, 0x00]), ucs2('好')]),
      });
      assert.deepEqual([p1.command_status, p2.command_status], [ESME_ROK, ESME_ROK]);
      const id = `msg_${(p1.message_id as string).replace(/-1$/, '')}`;
      assert.match(await textOf(id), /好😀好$/);
      trx.close();
    });

    test('throughput and window: over the account rate ESME_RTHROTTLED, a window flood ESME_RMSGQFUL, no crash', async () => {
      await account(a, `slow-${database.dialect}`, { throughput: 5, maxBinds: 1 });
      const slow = await open('transceiver', `slow-${database.dialect}`, 'Pa55word');
      const rs = await Promise.all(
        Array.from({ length: 30 }, (_, i) =>
          slow.submit({
            destination_addr: `4474001235${String(i).padStart(2, '0')}`,
            dest_addr_ton: 1,
            registered_delivery: 0,
            short_message: gsm(`rate ${i}`),
          }),
        ),
      );
      const statuses = rs.map((r) => r.command_status);
      assert.ok(statuses.includes(ESME_ROK));
      assert.ok(statuses.filter((s) => s === ESME_RTHROTTLED).length >= 20, String(statuses));
      assert.ok(statuses.every((s) => s === ESME_ROK || s === ESME_RTHROTTLED));

      await account(a, `flood-${database.dialect}`, { throughput: 10000, maxBinds: 1 });
      const flood = await open('transceiver', `flood-${database.dialect}`, 'Pa55word');
      const before = await countMessages(a.tenantId);
      const fr = await Promise.all(
        Array.from({ length: 1000 }, (_, i) =>
          flood.submit({
            destination_addr: `44740013${String(i).padStart(4, '0')}`,
            dest_addr_ton: 1,
            registered_delivery: 0,
            short_message: gsm('flood'),
          }),
        ),
      );
      const ok = fr.filter((r) => r.command_status === ESME_ROK).length;
      const full = fr.filter((r) => r.command_status === ESME_RMSGQFUL).length;
      assert.equal(ok + full, 1000);
      assert.ok(full > 0 && ok >= 100, `${ok} accepted, ${full} queue full`);
      assert.equal(await countMessages(a.tenantId), before + ok, 'one message per ESME_ROK');
      const after = await flood.submit({
        destination_addr: '447400123999',
        short_message: gsm('ok'),
      });
      assert.equal(after.command_status, ESME_ROK, 'the bind still works');
      slow.close();
      flood.close();
    });

    test('business refusals map to the documented statuses: insufficient balance, opted-out recipient', async () => {
      const poor = await company('smpppoor', null);
      await account(poor, `poor-${database.dialect}`);
      const p = await open('transceiver', `poor-${database.dialect}`, 'Pa55word');
      const r = await p.submit({ destination_addr: '447400123460', short_message: gsm('hello') });
      assert.equal(r.command_status, HY_INSUFFICIENT_BALANCE);
      assert.equal(await countMessages(poor.tenantId), 0);
      const ledger = await t.api('/v1/balance', { key: poor.key });
      assert.equal(ledger.body.held?.amount ?? '0.0000', '0.0000', 'nothing held');

      assert.equal(
        (await t.api('/v1/opt-outs', { key: a.key, body: { numbers: ['13900139001'] } })).status,
        201,
      );
      const trx = await open('transceiver', `acme-${database.dialect}`, 'Pa55word');
      const before = await countMessages(a.tenantId);
      const o = await trx.submit({
        destination_addr: '8613900139001',
        dest_addr_ton: 1,
        data_coding: 8,
        short_message: ucs2('周末大促'),
      });
      assert.equal(o.command_status, HY_RECIPIENT_OPTED_OUT);
      assert.equal(await countMessages(a.tenantId), before);
      p.close();
      trx.close();
    });

    test('receipts wait while no receiver is bound and go out when one binds', async () => {
      const sys = `acme-${database.dialect}`;
      const tx = await open('transmitter', sys, 'Pa55word');
      const r = await tx.submit({
        destination_addr: '447400123461',
        dest_addr_ton: 1,
        short_message: gsm('wait for me'),
      });
      assert.equal(r.command_status, ESME_ROK);
      const none = await tx.submit({
        destination_addr: '447400123462',
        dest_addr_ton: 1,
        registered_delivery: 0,
        short_message: gsm('no receipt wanted'),
      });
      const api = { ...t, api: (p: string, i?: any) => t.api(p, { ...i, key: a.key }) };
      await waitFinal(api, `msg_${r.message_id}`);
      await waitFinal(api, `msg_${none.message_id}`);
      assert.equal(tx.delivered.length, 0, 'a transmitter gets no deliver_sm');
      await new Promise((res) => setTimeout(res, 300));
      const rx = await open('receiver', sys, 'Pa55word');
      await waitFor(
        () => rx.receipts().some((p) => p.receipted_message_id === r.message_id),
        10_000,
        'the waiting receipt',
      );
      await new Promise((res) => setTimeout(res, 300));
      assert.ok(!rx.receipts().some((p) => p.receipted_message_id === none.message_id));
      tx.close();
      rx.close();
    });

    test('an unacknowledged receipt is sent again; an inbound message reaches a receiver as UCS-2', async () => {
      const sys = `acme-${database.dialect}`;
      const rx = await open('receiver', sys, 'Pa55word');
      rx.ackStatus = 0x64; // ESME_RX_T_APPN: try again later
      const tx = await open('transmitter', sys, 'Pa55word');
      const r = await tx.submit({
        destination_addr: '447400123463',
        dest_addr_ton: 1,
        short_message: gsm('retry me'),
      });
      await waitFor(
        () => rx.receipts().some((p) => p.receipted_message_id === r.message_id),
        10_000,
        'the first try',
      );
      rx.ackStatus = ESME_ROK;
      await waitFor(
        () => rx.receipts().filter((p) => p.receipted_message_id === r.message_id).length >= 2,
        10_000,
        'the second try',
      );

      const db = t.platform.store.db;
      const id = newId('inb');
      const now = Date.now();
      const sealed = cipher().seal('收到，谢谢', id);
      await db
        .insertInto('inbound_messages')
        .values({
          id,
          channel_id: 'sim',
          from: '+8613800138099',
          to: '1069000188',
          // Sealed as inbound routing stores it (bound to the row id).
          text: sealed.data,
          text_key_id: sealed.keyId,
          tenant_id: a.tenantId,
          received_at: now,
        })
        .execute();
      await db
        .insertInto('message_events')
        .values({
          message_id: id,
          tenant_id: a.tenantId,
          status: 'inbound',
          detail: null,
          created_at: now,
        })
        .execute();
      await waitFor(
        () => rx.delivered.some((p) => ((p.esm_class as number) & 0x3c) === 0),
        10_000,
        'the inbound message',
      );
      const mo = rx.delivered.find((p) => ((p.esm_class as number) & 0x3c) === 0)!;
      assert.equal(mo.data_coding, 8);
      assert.equal(mo.source_addr, '8613800138099');
      assert.equal(mo.destination_addr, '1069000188');
      assert.equal((mo.short_message as { message: string }).message, '收到，谢谢');
      rx.close();
      tx.close();
    });

    test('enquire_link, unknown commands and broken PDUs: answered or closed; others carry on', async () => {
      const other = await open('transceiver', `acme-${database.dialect}`, 'Pa55word');
      const raw = await rawSocket(port);
      raw.write(header(16, 0x00000015, 0, 7)); // enquire_link
      raw.write(header(16, 0x00000099, 0, 8)); // no such command
      const answers = await raw.read(2);
      assert.deepEqual(answers[0], { id: 0x80000015, status: 0, seq: 7 });
      assert.deepEqual(answers[1], { id: 0x80000000, status: ESME_RINVCMDID, seq: 8 });
      raw.write(header(8, 0x00000004, 0, 9)); // command_length shorter than the header
      await raw.closed;
      const bigger = await rawSocket(port);
      bigger.write(header(0x7fffffff, 0x00000004, 0, 1)); // command_length far too large
      await bigger.closed;
      const ok = await other.submit({
        destination_addr: '447400123464',
        short_message: gsm('alive'),
      });
      assert.equal(ok.command_status, ESME_ROK);
      const ping = await new Promise<PDU>((resolve) => other.session.enquire_link(resolve));
      assert.equal(ping.command_status, ESME_ROK);
      other.close();
    });

    test('a suspended tenant’s binds are dropped and it cannot bind again', async () => {
      const s = await company('smppsusp', '10');
      await account(s, `susp-${database.dialect}`);
      const c = await open('transceiver', `susp-${database.dialect}`, 'Pa55word');
      assert.equal(
        (
          await admin.call(`/v1/admin/tenants/${s.tenantId}/status`, {
            body: { status: 'suspended', reason: 'unpaid' },
          })
        ).status,
        204,
      );
      await waitFor(() => c.closed, 10_000, 'the bind to be dropped');
      const again = await Client.open(port);
      clients.push(again);
      assert.equal(
        (await again.bind('transceiver', `susp-${database.dialect}`, 'Pa55word')).command_status,
        ESME_RBINDFAIL,
      );
    });
  });
}

function header(length: number, id: number, status: number, seq: number): Buffer {
  const b = Buffer.alloc(16);
  b.writeUInt32BE(length, 0);
  b.writeUInt32BE(id, 4);
  b.writeUInt32BE(status, 8);
  b.writeUInt32BE(seq, 12);
  return b;
}

/** A bare TCP client that reads PDU headers. */
async function rawSocket(port: number) {
  const socket: Socket = tcpConnect({ host: '127.0.0.1', port });
  await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
  let buf = Buffer.alloc(0);
  socket.on('data', (d) => (buf = Buffer.concat([buf, d])));
  socket.on('error', () => {});
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  return {
    write: (b: Buffer) => socket.write(b),
    closed,
    async read(n: number) {
      const out: Array<{ id: number; status: number; seq: number }> = [];
      await waitFor(
        () => {
          while (buf.length >= 16 && buf.length >= buf.readUInt32BE(0)) {
            const len = buf.readUInt32BE(0);
            out.push({
              id: buf.readUInt32BE(4),
              status: buf.readUInt32BE(8),
              seq: buf.readUInt32BE(12),
            });
            buf = buf.subarray(len);
          }
          return out.length >= n;
        },
        5000,
        `${n} PDUs`,
      );
      return out;
    },
  };
}
