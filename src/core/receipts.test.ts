import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  carrierIdVariants,
  isReceiptEsmClass,
  messageStateFromStat,
  normaliseCarrierId,
  parseReceiptText,
  readReceipt,
  statFromMessageState,
  statusFromStat,
  type FinalStatus,
  type Receipt,
  type ReceiptInput,
  type ReceiptText,
} from './receipts.ts';

const APPENDIX_B =
  'id:0123456789 sub:001 dlvrd:001 submit date:0809011130 done date:0809011131 stat:DELIVRD err:000 Text:Hello World';

describe('parseReceiptText', () => {
  const cases: Array<[string, string, ReceiptText | null]> = [
    [
      'SMPP 3.4 Appendix B example',
      APPENDIX_B,
      {
        id: '0123456789',
        sub: '001',
        dlvrd: '001',
        submitDate: '0809011130',
        doneDate: '0809011131',
        stat: 'DELIVRD',
        err: '000',
        text: 'Hello World',
      },
    ],
    [
      'lowercase text: and 12-digit dates',
      'id:1a2b3c4d sub:001 dlvrd:001 submit date:240131235959 done date:240201000102 stat:UNDELIV err:001 text:hi there',
      {
        id: '1a2b3c4d',
        sub: '001',
        dlvrd: '001',
        submitDate: '240131235959',
        doneDate: '240201000102',
        stat: 'UNDELIV',
        err: '001',
        text: 'hi there',
      },
    ],
    [
      'uppercase hex id with dashes',
      'id:7F3A-22B1-0C9D sub:001 dlvrd:000 submit date:2401010000 done date:2401010001 stat:EXPIRED err:000 text:',
      {
        id: '7F3A-22B1-0C9D',
        sub: '001',
        dlvrd: '000',
        submitDate: '2401010000',
        doneDate: '2401010001',
        stat: 'EXPIRED',
        err: '000',
        text: '',
      },
    ],
    [
      'UUID id',
      'id:3f2504e0-4f89-11d3-9a0c-0305e82c3301 stat:DELIVRD err:000',
      { id: '3f2504e0-4f89-11d3-9a0c-0305e82c3301', stat: 'DELIVRD', err: '000' },
    ],
    ['only id and stat', 'id:42 stat:REJECTD', { id: '42', stat: 'REJECTD' }],
    ['only id', 'id:42', { id: '42' }],
    [
      'extra spaces everywhere',
      '  id: 998877   sub:001  dlvrd:001   submit  date:2401010000  done date: 2401010005   stat:  DELIVRD  err:000   text:x',
      {
        id: '998877',
        sub: '001',
        dlvrd: '001',
        submitDate: '2401010000',
        doneDate: '2401010005',
        stat: 'DELIVRD',
        err: '000',
        text: 'x',
      },
    ],
    [
      'uppercase keys',
      'ID:55 SUB:001 DLVRD:001 SUBMIT DATE:2401010000 DONE DATE:2401010001 STAT:DELIVRD ERR:000 TEXT:abc',
      {
        id: '55',
        sub: '001',
        dlvrd: '001',
        submitDate: '2401010000',
        doneDate: '2401010001',
        stat: 'DELIVRD',
        err: '000',
        text: 'abc',
      },
    ],
    [
      'fields in another order',
      'stat:UNDELIV err:005 id:AB12 done date:2401010001',
      { id: 'AB12', stat: 'UNDELIV', err: '005', doneDate: '2401010001' },
    ],
    [
      'Chinese carrier stat with a colon',
      'id:1234567890123456 sub:001 dlvrd:000 submit date:2401011200 done date:2401011201 stat:MK:0005 err:005 text:验证码',
      {
        id: '1234567890123456',
        sub: '001',
        dlvrd: '000',
        submitDate: '2401011200',
        doneDate: '2401011201',
        stat: 'MK:0005',
        err: '005',
        text: '验证码',
      },
    ],
    [
      'text that looks like keys is kept whole',
      'id:9 stat:DELIVRD err:000 text:id:1 stat:UNDELIV',
      { id: '9', stat: 'DELIVRD', err: '000', text: 'id:1 stat:UNDELIV' },
    ],
    [
      'empty err is omitted',
      'id:9 stat:DELIVRD err: text:ok',
      { id: '9', stat: 'DELIVRD', text: 'ok' },
    ],
    [
      'submit_date with underscore',
      'id:9 submit_date:2401010000 stat:DELIVRD',
      { id: '9', submitDate: '2401010000', stat: 'DELIVRD' },
    ],
    [
      'trailing NUL/CRLF dropped from text',
      'id:9 stat:DELIVRD text:abc\r\n\0',
      { id: '9', stat: 'DELIVRD', text: 'abc' },
    ],
    ['first occurrence wins', 'id:1 id:2 stat:DELIVRD', { id: '1', stat: 'DELIVRD' }],
    ['id is its first token', 'id:123 456 stat:DELIVRD', { id: '123', stat: 'DELIVRD' }],
    ['empty string', '', null],
    ['plain MO text', 'Hello, see you at 10:30', null],
    ['garbage', '\u0000\u0001\u0002garbage:::', null],
    ['no id', 'sub:001 dlvrd:001 stat:DELIVRD err:000 text:x', null],
    ['empty id', 'id: sub:001 stat:DELIVRD', null],
    ['"id" inside a word is not a key', 'paid:100 stat:DELIVRD', null],
  ];
  for (const [name, input, expected] of cases) {
    test(name, () => {
      assert.deepEqual(parseReceiptText(input), expected);
    });
  }
});

describe('statusFromStat', () => {
  const cases: Array<[string, FinalStatus | null]> = [
    ['DELIVRD', 'delivered'],
    ['UNDELIV', 'undelivered'],
    ['EXPIRED', 'expired'],
    ['DELETED', 'undelivered'],
    ['REJECTD', 'rejected'],
    ['UNKNOWN', 'unknown'],
    ['ACCEPTD', null],
    ['ENROUTE', null],
    ['delivrd', 'delivered'],
    [' DELIVRD ', 'delivered'],
    ['DELIVERED', 'delivered'],
    ['REJECTED', 'rejected'],
    ['UNDELIVERABLE', 'undelivered'],
    ['ACCEPTED', null],
    ['UNDELIV_601', 'undelivered'],
    ['EXPIRED_601', 'expired'],
    ['REJECTD_006', 'rejected'],
    ['MK:0005', 'undelivered'],
    ['DB:0141', 'undelivered'],
    ['BLACK', 'undelivered'],
    ['SGIP:23', 'undelivered'],
    ['', null],
    ['   ', null],
  ];
  for (const [stat, expected] of cases) {
    test(`${JSON.stringify(stat)} → ${expected}`, () =>
      assert.equal(statusFromStat(stat), expected));
  }
});

describe('statFromMessageState / messageStateFromStat', () => {
  const states: Array<[number, string | null]> = [
    [0, null],
    [1, 'ENROUTE'],
    [2, 'DELIVRD'],
    [3, 'EXPIRED'],
    [4, 'DELETED'],
    [5, 'UNDELIV'],
    [6, 'ACCEPTD'],
    [7, 'UNKNOWN'],
    [8, 'REJECTD'],
    [9, null],
    [255, null],
  ];
  for (const [n, stat] of states) {
    test(`message_state ${n} → ${stat}`, () => {
      assert.equal(statFromMessageState(n), stat);
      if (stat !== null) assert.equal(messageStateFromStat(stat), n);
    });
  }
  test('carrier codes map by their final status', () => {
    assert.equal(messageStateFromStat('MK:0005'), 5);
    assert.equal(messageStateFromStat('EXPIRED_601'), 3);
    assert.equal(messageStateFromStat('REJECTD_006'), 8);
    assert.equal(messageStateFromStat('delivered'), 2);
    assert.equal(messageStateFromStat('ACCEPTED'), 6);
  });
});

describe('readReceipt', () => {
  const nec = (type: number, code: number) => new Uint8Array([type, code >> 8, code & 0xff]);
  const cases: Array<[string, ReceiptInput, Receipt | null]> = [
    [
      'Appendix B text only',
      { esmClass: 0x04, text: APPENDIX_B },
      {
        carrierId: '0123456789',
        stat: 'DELIVRD',
        status: 'delivered',
        err: '000',
        doneAt: '0809011131',
      },
    ],
    [
      'TLV-only receipt with empty text',
      { esmClass: 0x04, text: '', receiptedMessageId: 'ABCDEF01', messageState: 2 },
      { carrierId: 'ABCDEF01', stat: 'DELIVRD', status: 'delivered', err: null },
    ],
    [
      'TLV-only receipt with null text and network_error_code',
      {
        esmClass: 0x04,
        text: null,
        receiptedMessageId: '77',
        messageState: 5,
        networkErrorCode: nec(3, 1),
      },
      { carrierId: '77', stat: 'UNDELIV', status: 'undelivered', err: '001' },
    ],
    [
      'network_error_code with a big code',
      {
        esmClass: 0x04,
        text: null,
        receiptedMessageId: '77',
        messageState: 8,
        networkErrorCode: nec(3, 0x0400),
      },
      { carrierId: '77', stat: 'REJECTD', status: 'rejected', err: '1024' },
    ],
    [
      'TLV id wins over the text id',
      {
        esmClass: 0x04,
        text: 'id:111 sub:001 dlvrd:001 submit date:2401010000 done date:2401010001 stat:DELIVRD err:000 text:x',
        receiptedMessageId: '222',
      },
      { carrierId: '222', stat: 'DELIVRD', status: 'delivered', err: '000', doneAt: '2401010001' },
    ],
    [
      'message_state wins for the status; the raw carrier stat is kept',
      {
        esmClass: 0x04,
        text: 'id:5 stat:MK:0005 err:005',
        receiptedMessageId: '5',
        messageState: 5,
      },
      { carrierId: '5', stat: 'MK:0005', status: 'undelivered', err: '005' },
    ],
    [
      'non-final message_state beats a final-looking text',
      { esmClass: 0x04, text: 'id:5 stat:DELIVRD', messageState: 1 },
      { carrierId: '5', stat: 'DELIVRD', status: null, err: null },
    ],
    [
      'invalid message_state falls back to the text',
      { esmClass: 0x04, text: 'id:5 stat:EXPIRED err:000', messageState: 42 },
      { carrierId: '5', stat: 'EXPIRED', status: 'expired', err: '000' },
    ],
    [
      '12-digit done date, Text: capitalised, hex id',
      {
        esmClass: 0x04,
        text: 'id:00ff10a sub:001 dlvrd:000 submit date:240131235959 done date:240201000102 stat:UNDELIV err:001 Text:Hi',
      },
      {
        carrierId: '00ff10a',
        stat: 'UNDELIV',
        status: 'undelivered',
        err: '001',
        doneAt: '240201000102',
      },
    ],
    [
      'a bad done date is not reported',
      { esmClass: 0x04, text: 'id:9 done date:yesterday stat:DELIVRD' },
      { carrierId: '9', stat: 'DELIVRD', status: 'delivered', err: null },
    ],
    [
      'ENROUTE intermediate state',
      { esmClass: 0x04, text: 'id:9 stat:ENROUTE err:000' },
      { carrierId: '9', stat: 'ENROUTE', status: null, err: '000' },
    ],
    [
      'receipt with UDHI bit and a mode bit still counts (0x44 & 0x3C = 0x04)',
      { esmClass: 0x44, text: 'id:9 stat:DELIVRD' },
      { carrierId: '9', stat: 'DELIVRD', status: 'delivered', err: null },
    ],
    [
      'receipted_message_id with a trailing NUL and spaces',
      { esmClass: 0x04, text: '', receiptedMessageId: ' 0A1B \0', messageState: 3 },
      { carrierId: '0A1B', stat: 'EXPIRED', status: 'expired', err: null },
    ],
    ['MO message (esm_class 0) → null', { esmClass: 0x00, text: APPENDIX_B }, null],
    ['SME delivery ack (0x08) → null', { esmClass: 0x08, text: APPENDIX_B }, null],
    ['user ack (0x10) → null', { esmClass: 0x10, text: APPENDIX_B }, null],
    ['intermediate notification (0x20) → null', { esmClass: 0x20, text: APPENDIX_B }, null],
    ['UDHI MO (0x40) → null', { esmClass: 0x40, text: APPENDIX_B }, null],
    ['garbage text, no TLVs → null', { esmClass: 0x04, text: 'lorem ipsum' }, null],
    ['empty receipt → null', { esmClass: 0x04, text: '' }, null],
    ['id but no state anywhere → null', { esmClass: 0x04, text: 'id:123 err:000' }, null],
    [
      'TLV id but no state anywhere → null',
      { esmClass: 0x04, text: null, receiptedMessageId: '12' },
      null,
    ],
    ['state but no id anywhere → null', { esmClass: 0x04, text: null, messageState: 2 }, null],
    [
      'empty receipted_message_id → text id',
      { esmClass: 0x04, text: 'id:3 stat:DELIVRD', receiptedMessageId: '' },
      { carrierId: '3', stat: 'DELIVRD', status: 'delivered', err: null },
    ],
  ];
  for (const [name, input, expected] of cases) {
    test(name, () => assert.deepEqual(readReceipt(input), expected));
  }

  test('isReceiptEsmClass', () => {
    assert.equal(isReceiptEsmClass(0x04), true);
    assert.equal(isReceiptEsmClass(0x07), true);
    assert.equal(isReceiptEsmClass(0x00), false);
    assert.equal(isReceiptEsmClass(0x0c), false);
  });
});

describe('normaliseCarrierId', () => {
  const cases: Array<[string, string]> = [
    ['ABC123', 'abc123'],
    ['  00ff10A ', 'ff10a'],
    ['000', '0'],
    ['0', '0'],
    ['', ''],
    ['   ', ''],
    ['0012-AB-00', '12-ab-00'],
    ['123\0', '123'],
  ];
  for (const [input, expected] of cases) {
    test(`${JSON.stringify(input)} → ${JSON.stringify(expected)}`, () =>
      assert.equal(normaliseCarrierId(input), expected));
  }
});

describe('carrierIdVariants', () => {
  const cases: Array<[string, Parameters<typeof carrierIdVariants>, string[]]> = [
    ['same mode: only the normalised id', ['00AbC', 'same'], ['abc']],
    ['same mode with a number', ['255', 'same'], ['255']],
    [
      'hex resp / dec DLR: the DLR decimal also tried as hex',
      ['255', 'hex-resp-dec-dlr'],
      ['255', 'ff'],
    ],
    ['hex resp / dec DLR: leading zeros', ['000255', 'hex-resp-dec-dlr', 'dlr'], ['255', 'ff']],
    ['hex resp / dec DLR: non-decimal DLR id is not converted', ['ff', 'hex-resp-dec-dlr'], ['ff']],
    ['hex resp / dec DLR, from the resp side', ['FF', 'hex-resp-dec-dlr', 'resp'], ['ff', '255']],
    [
      'dec resp / hex DLR: the DLR hex also tried as decimal',
      ['0A', 'dec-resp-hex-dlr'],
      ['a', '10'],
    ],
    ['dec resp / hex DLR, from the resp side', ['10', 'dec-resp-hex-dlr', 'resp'], ['10', 'a']],
    ['dec resp / hex DLR: dashed id is not converted', ['ab-cd', 'dec-resp-hex-dlr'], ['ab-cd']],
    ['zero converts to itself once', ['0000', 'hex-resp-dec-dlr'], ['0']],
    ['a single digit converts to itself once', ['7', 'hex-resp-dec-dlr'], ['7']],
    [
      '64-bit+ values use BigInt without precision loss',
      ['18446744073709551615', 'hex-resp-dec-dlr'],
      ['18446744073709551615', 'ffffffffffffffff'],
    ],
    [
      'long hex id from the resp side',
      ['1FFFFFFFFFFFFFFFFF', 'hex-resp-dec-dlr', 'resp'],
      ['1fffffffffffffffff', '590295810358705651711'],
    ],
  ];
  for (const [name, args, expected] of cases) {
    test(name, () => assert.deepEqual(carrierIdVariants(...args), expected));
  }
  test('a resp id and its DLR id meet under hex-resp-dec-dlr', () => {
    const resp = '5F3A0000002A';
    const dlr = BigInt('0x' + resp).toString(10);
    const stored = new Set(carrierIdVariants(resp, 'hex-resp-dec-dlr', 'resp'));
    assert.ok(carrierIdVariants(dlr, 'hex-resp-dec-dlr').some((v) => stored.has(v)));
    assert.ok(carrierIdVariants(dlr, 'hex-resp-dec-dlr').includes(normaliseCarrierId(resp)));
  });
});
