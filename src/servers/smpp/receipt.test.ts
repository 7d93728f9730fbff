import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parseReceiptText, readReceipt, statusFromStat } from '../../core/receipts.ts';
import {
  clientIds,
  hongyanMessageId,
  partId,
  receiptRequest,
  receiptSnippet,
  receiptText,
  smppDate,
  smppMessageId,
} from './receipt.ts';
import { receiptOutcome, wantsReceipt } from '../session/receipt-outcome.ts';
import {
  inboundDeliverSm,
  receiptDeliverSms,
  refusedPartReceipt,
  addressType,
} from './deliver-sm.ts';
import { decodeGsm7 } from '../../core/message/gsm7.ts';
import { decodeUcs2 } from '../../core/message/encoding.ts';

const ID = 'msg_01M88FTV328EB0GN98PNGCTZ0Z';
const SID = '01M88FTV328EB0GN98PNGCTZ0Z';

describe('receipt requests (registered_delivery & 3)', () => {
  const cases: Array<[number, 0 | 1 | 2]> = [
    [0x00, 0],
    [0x01, 1],
    [0x02, 2],
    [0x03, 1], // reserved: treated as "always"
    [0x10, 0], // intermediate notification only
    [0x11, 1],
    [0x1e, 2],
  ];
  for (const [rd, want] of cases)
    test(`0x${rd.toString(16)} → ${want}`, () => assert.equal(receiptRequest(rd), want));

  const finals = ['delivered', 'undelivered', 'expired', 'rejected', 'failed', 'unknown'];
  test('1 always, 2 on failure only, 0 never', () => {
    for (const s of finals) {
      assert.equal(wantsReceipt(1, s), true, s);
      assert.equal(wantsReceipt(2, s), s !== 'delivered', s);
      assert.equal(wantsReceipt(0, s), false, s);
    }
  });
});

describe('ids the client holds', () => {
  test('the Hongyan id without msg_; digits and capitals only (same in ASCII and GSM 03.38)', () => {
    assert.equal(smppMessageId(ID), SID);
    assert.match(smppMessageId(ID), /^[0-9A-Z]+$/);
    assert.equal(hongyanMessageId(SID), ID);
    assert.equal(hongyanMessageId(`${SID}-3`), ID);
  });
  test('one id for one submit_sm; <id>-1 … <id>-n for n concatenated parts', () => {
    assert.deepEqual(clientIds(ID, null), [SID]);
    assert.deepEqual(clientIds(ID, 1), [SID]);
    assert.deepEqual(clientIds(ID, 3), [`${SID}-1`, `${SID}-2`, `${SID}-3`]);
    assert.equal(partId(ID, 2), `${SID}-2`);
    for (const id of clientIds(ID, 10))
      assert.ok(id.length <= 64, 'message_id is at most 65 octets');
  });
});

describe('receiptOutcome: Hongyan status → stat, message_state, err', () => {
  const cases: Array<[string, string | null, string | null, string, number, string]> = [
    ['delivered', null, null, 'DELIVRD', 2, '000'],
    ['undelivered', 'UNDELIV', 'err:001', 'UNDELIV', 5, '001'],
    ['undelivered', 'MK:0005', 'err:5', 'UNDELIV', 5, '005'],
    ['expired', 'EXPIRED', 'err:000', 'EXPIRED', 3, '000'],
    ['expired', 'expired', 'not submitted within its validity', 'EXPIRED', 3, '000'],
    ['rejected', 'REJECTD', 'err:0a1', 'REJECTD', 8, '0a1'],
    ['failed', 'ESME_RSUBMITFAIL', 'carrier answered ESME_RSUBMITFAIL', 'UNDELIV', 5, '000'],
    ['failed', 'content_rejected', 'rejected by review', 'REJECTD', 8, '000'],
    ['unknown', null, null, 'UNKNOWN', 7, '000'],
  ];
  for (const [status, code, detail, stat, state, err] of cases) {
    test(`${status} ${code ?? ''} ${detail ?? ''}`, () => {
      assert.deepEqual(receiptOutcome(status, code, detail), { stat, messageState: state, err });
      // Our own channel reads it back as the same final status (failed is a carrier-side UNDELIV).
      const back = statusFromStat(stat);
      assert.equal(
        back,
        status === 'failed' ? (stat === 'REJECTD' ? 'rejected' : 'undelivered') : status,
      );
    });
  }
});

describe('receipt text', () => {
  test('dates are YYMMDDhhmm in UTC', () => {
    assert.equal(smppDate(Date.UTC(2026, 10, 25, 9, 7, 59)), '2611250907');
    assert.equal(smppDate(Date.UTC(2030, 0, 1, 0, 0)), '3001010000');
  });

  const snippets: Array<[string, string]> = [
    ['Hello World', 'Hello World'],
    ['exactly twenty chars!!', 'exactly twenty chars'],
    ['【鸿雁】您的验证码是 123456', '.......... 123456'],
    ['mail me @ x_y $5 ~', 'mail me . x.y .5 .'],
    ['😀😀 emoji', '.. emoji'],
    ['', ''],
  ];
  for (const [text, want] of snippets)
    test(`snippet of ${JSON.stringify(text)}`, () => assert.equal(receiptSnippet(text), want));

  test('the SMPP 3.4 Appendix B form, readable by our own receipt parser', () => {
    const text = receiptText({
      id: SID,
      submittedAt: Date.UTC(2026, 10, 25, 9, 7),
      doneAt: Date.UTC(2026, 10, 25, 9, 8),
      stat: 'DELIVRD',
      err: '000',
      snippet: 'Hello World',
    });
    assert.equal(
      text,
      `id:${SID} sub:001 dlvrd:001 submit date:2611250907 done date:2611250908 stat:DELIVRD err:000 text:Hello World`,
    );
    assert.deepEqual(parseReceiptText(text), {
      id: SID,
      sub: '001',
      dlvrd: '001',
      submitDate: '2611250907',
      doneDate: '2611250908',
      stat: 'DELIVRD',
      err: '000',
      text: 'Hello World',
    });
    assert.match(
      receiptText({ id: 'x', submittedAt: 0, doneAt: 0, stat: 'UNDELIV', err: '001', snippet: '' }),
      /dlvrd:000/,
    );
  });
});

describe('deliver_sm fields', () => {
  const base = {
    messageId: ID,
    status: 'undelivered',
    to: '+447400123456',
    sourceAddr: 'ACME',
    parts: 3,
    errorCode: 'UNDELIV',
    errorDetail: 'err:034',
    createdAt: Date.UTC(2026, 10, 25, 9, 7),
    doneAt: Date.UTC(2026, 10, 25, 9, 9),
    text: 'Your parcel is on its way',
  };

  test('a receipt per part id: esm_class 0x04, TLVs, addresses swapped, readable by our channel', () => {
    const pdus = receiptDeliverSms(base);
    assert.equal(pdus.length, 3);
    pdus.forEach((f, i) => {
      assert.equal(f.esm_class, 0x04);
      assert.equal(f.data_coding, 0);
      assert.equal(f.receipted_message_id, `${SID}-${i + 1}`);
      assert.equal(f.message_state, 5);
      assert.equal(f.source_addr, '447400123456');
      assert.deepEqual([f.source_addr_ton, f.source_addr_npi], [1, 1]);
      assert.deepEqual([f.destination_addr, f.dest_addr_ton], ['ACME', 5]);
      assert.deepEqual(f.network_error_code, Buffer.from([3, 0, 34]));
      const text = decodeGsm7(f.short_message as Buffer);
      const r = readReceipt({
        esmClass: 0x04,
        text,
        receiptedMessageId: f.receipted_message_id as string,
        messageState: f.message_state as number,
        networkErrorCode: f.network_error_code as Buffer,
      });
      assert.deepEqual(
        [r?.carrierId, r?.stat, r?.status],
        [`${SID}-${i + 1}`, 'UNDELIV', 'undelivered'],
      );
      assert.match(text, /text:Your parcel is on it$/);
    });
  });

  test('delivered: one receipt, no network_error_code', () => {
    const [f, ...rest] = receiptDeliverSms({
      ...base,
      status: 'delivered',
      parts: null,
      errorDetail: null,
    });
    assert.equal(rest.length, 0);
    assert.equal(f?.receipted_message_id, SID);
    assert.equal(f?.message_state, 2);
    assert.equal(f?.network_error_code, undefined);
  });

  test('inbound: GSM as data_coding 0, other text as UCS-2, long text in message_payload', () => {
    const g = inboundDeliverSm({ from: '+8613800138000', to: '1069000188', text: 'STOP €' });
    assert.deepEqual([g.esm_class, g.data_coding, g.source_addr], [0, 0, '8613800138000']);
    assert.equal(decodeGsm7(g.short_message as Buffer), 'STOP €');
    const u = inboundDeliverSm({ from: '+8613800138000', to: '1069000188', text: '退订😀' });
    assert.equal(u.data_coding, 8);
    assert.equal(decodeUcs2(u.short_message as Buffer), '退订😀');
    const long = inboundDeliverSm({ from: '+8613800138000', to: '10690', text: '长'.repeat(71) });
    assert.equal((long.short_message as Buffer).length, 0);
    assert.equal(decodeUcs2(long.message_payload as Buffer), '长'.repeat(71));
    assert.deepEqual([long.dest_addr_ton, long.dest_addr_npi], [3, 0], 'a short service number');
  });

  test('a refused part: REJECTD for the id the client holds', () => {
    const f = refusedPartReceipt({ id: `${SID}-2`, to: '+447400123456', sourceAddr: '', at: 0 });
    assert.deepEqual([f.receipted_message_id, f.message_state, f.esm_class], [`${SID}-2`, 8, 4]);
    assert.match(decodeGsm7(f.short_message as Buffer), /stat:REJECTD/);
  });

  const types: Array<[string, { ton: number; npi: number }]> = [
    ['+8613800138000', { ton: 1, npi: 1 }],
    ['8613800138000', { ton: 1, npi: 1 }],
    ['13800138000', { ton: 0, npi: 1 }],
    ['10690001', { ton: 3, npi: 0 }],
    ['ACME', { ton: 5, npi: 0 }],
    ['', { ton: 5, npi: 0 }],
  ];
  for (const [addr, want] of types)
    test(`address type of ${JSON.stringify(addr)}`, () =>
      assert.deepEqual(addressType(addr), want));
});
