import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import smpp from 'smpp';
import {
  ESME_RINVCMDLEN,
  ESME_RINVDCS,
  ESME_RINVESMCLASS,
  ESME_RINVMSGLEN,
  ESME_RINVOPTPARNOTALLWD,
  HY_INVALID_TEXT,
} from '../../protocols/smpp/command-status.ts';
import {
  decodeText,
  parseSubmitSm,
  readSubmitUserData as readUserData,
  supportedDataCoding,
  type SubmitSm,
} from './submit-sm.ts';
import { recipientOf } from '../session/submission.ts';

/** A submit_sm as node-smpp writes it, as the server reads it: without the command_length. */
function body(fields: Record<string, unknown>): Buffer {
  const pdu = new smpp.PDU('submit_sm', {
    source_addr: 'ACME',
    destination_addr: '447400123456',
    data_coding: 0,
    ...fields,
  });
  return pdu.toBuffer().subarray(4);
}

function sm(fields: Partial<SubmitSm>): SubmitSm {
  return {
    serviceType: '',
    sourceTon: 0,
    sourceNpi: 0,
    sourceAddr: 'ACME',
    destTon: 1,
    destNpi: 1,
    destAddr: '447400123456',
    esmClass: 0,
    registeredDelivery: 1,
    dataCoding: 0,
    shortMessage: Buffer.alloc(0),
    messagePayload: null,
    sar: null,
    ...fields,
  };
}

describe('parseSubmitSm', () => {
  test('reads every mandatory field and the TLVs we use', () => {
    const r = parseSubmitSm(
      body({
        service_type: 'OTP',
        source_addr_ton: 5,
        dest_addr_ton: 1,
        dest_addr_npi: 1,
        esm_class: 0x40,
        registered_delivery: 0x11,
        data_coding: 8,
        short_message: Buffer.from([0x05, 0x00, 0x03, 0x2a, 0x02, 0x01, 0x4f, 0x60]),
        sar_msg_ref_num: 0x1234,
        sar_total_segments: 3,
        sar_segment_seqnum: 2,
      }),
    );
    assert.ok(r.ok);
    const v = r.value;
    assert.deepEqual(
      [v.serviceType, v.sourceTon, v.sourceAddr, v.destTon, v.destNpi, v.destAddr],
      ['OTP', 5, 'ACME', 1, 1, '447400123456'],
    );
    assert.deepEqual([v.esmClass, v.registeredDelivery, v.dataCoding], [0x40, 0x11, 8]);
    assert.equal(v.shortMessage.toString('hex'), '0500032a02014f60');
    assert.deepEqual(v.sar, { ref: 0x1234, total: 3, seq: 2 });
    assert.equal(v.messagePayload, null);
  });

  test('message_payload, with sm_length 0', () => {
    const r = parseSubmitSm(
      body({ short_message: Buffer.alloc(0), message_payload: Buffer.from('x'.repeat(300)) }),
    );
    assert.ok(r.ok);
    assert.equal(r.value.shortMessage.length, 0);
    assert.equal(r.value.messagePayload?.length, 300);
  });

  test('unknown TLVs are skipped', () => {
    const b = Buffer.concat([
      body({ short_message: Buffer.from('hi') }),
      Buffer.from([0x14, 0x00, 0x00, 0x02, 0xaa, 0xbb]),
    ]);
    const r = parseSubmitSm(b);
    assert.ok(r.ok);
    assert.equal(r.value.shortMessage.toString(), 'hi');
  });

  const broken: Array<[string, (b: Buffer) => Buffer, number]> = [
    ['cut inside the mandatory fields', (b) => b.subarray(0, 20), ESME_RINVCMDLEN],
    [
      'no NUL after source_addr',
      (b) => Buffer.concat([b.subarray(0, 15), Buffer.alloc(30, 0x41)]),
      ESME_RINVCMDLEN,
    ],
    ['sm_length past the end', (b) => b.subarray(0, b.length - 1), ESME_RINVMSGLEN],
    [
      'a TLV length past the end',
      (b) => Buffer.concat([b, Buffer.from([0x04, 0x24, 0x00, 0x09, 0x41])]),
      ESME_RINVCMDLEN,
    ],
    ['only the header', (b) => b.subarray(0, 12), ESME_RINVCMDLEN],
  ];
  for (const [what, mangle, status] of broken) {
    test(`broken: ${what}`, () => {
      const r = parseSubmitSm(mangle(body({ short_message: Buffer.from('hello') })));
      assert.equal(r.ok, false);
      if (!r.ok) assert.equal(r.status, status);
    });
  }

  test('a 21-character destination_addr is too long (C-string of 21 octets with its NUL)', () => {
    const r = parseSubmitSm(
      body({ destination_addr: '1'.repeat(21), short_message: Buffer.from('x') }),
    );
    assert.equal(r.ok, false);
  });
});

describe('readUserData', () => {
  const ok: Array<[string, Partial<SubmitSm>, string, object | null]> = [
    ['plain text', { shortMessage: Buffer.from('hello') }, 'hello', null],
    [
      '8-bit reference UDH',
      { esmClass: 0x40, shortMessage: Buffer.from([5, 0, 3, 0x2a, 3, 2, 0x41]) },
      'A',
      { ref: 0x2a, refBits: 8, total: 3, seq: 2 },
    ],
    [
      '16-bit reference UDH',
      { esmClass: 0x43, shortMessage: Buffer.from([6, 8, 4, 0x12, 0x34, 2, 1, 0x42]) },
      'B',
      { ref: 0x1234, refBits: 16, total: 2, seq: 1 },
    ],
    [
      'other elements skipped (port addressing before concatenation)',
      {
        esmClass: 0x40,
        shortMessage: Buffer.from([11, 5, 4, 0x0b, 0x84, 0x23, 0xf0, 0, 3, 7, 2, 2, 0x43]),
      },
      'C',
      { ref: 7, refBits: 8, total: 2, seq: 2 },
    ],
    [
      'a UDH without concatenation',
      { esmClass: 0x40, shortMessage: Buffer.from([3, 0x24, 1, 1, 0x44]) },
      'D',
      null,
    ],
    ['an empty UDH', { esmClass: 0x40, shortMessage: Buffer.from([0, 0x45]) }, 'E', null],
    [
      'a UDH in message_payload',
      { esmClass: 0x40, messagePayload: Buffer.from([5, 0, 3, 1, 2, 1, 0x46]) },
      'F',
      { ref: 1, refBits: 8, total: 2, seq: 1 },
    ],
    [
      'SAR TLVs',
      { shortMessage: Buffer.from('G'), sar: { ref: 500, total: 4, seq: 4 } },
      'G',
      { ref: 500, refBits: 16, total: 4, seq: 4 },
    ],
    [
      'one part of one',
      { esmClass: 0x40, shortMessage: Buffer.from([5, 0, 3, 9, 1, 1, 0x48]) },
      'H',
      { ref: 9, refBits: 8, total: 1, seq: 1 },
    ],
  ];
  for (const [what, fields, text, concat] of ok) {
    test(what, () => {
      const r = readUserData(sm(fields));
      assert.ok(r.ok, JSON.stringify(r));
      assert.equal(r.value.bytes.toString('latin1'), text);
      assert.deepEqual(r.value.concat, concat);
    });
  }

  const bad: Array<[string, Partial<SubmitSm>, number]> = [
    [
      'UDHL longer than the data',
      { esmClass: 0x40, shortMessage: Buffer.from([9, 0, 3, 1, 2, 1, 0x41]) },
      ESME_RINVMSGLEN,
    ],
    [
      'an element running past the UDH',
      { esmClass: 0x40, shortMessage: Buffer.from([5, 0, 7, 1, 2, 1, 0x41]) },
      ESME_RINVMSGLEN,
    ],
    [
      'an element header cut by the UDH end',
      { esmClass: 0x40, shortMessage: Buffer.from([1, 0, 0x41]) },
      ESME_RINVMSGLEN,
    ],
    [
      'a concatenation element of the wrong size',
      { esmClass: 0x40, shortMessage: Buffer.from([4, 0, 2, 1, 2, 0x41]) },
      ESME_RINVMSGLEN,
    ],
    [
      'part 0',
      { esmClass: 0x40, shortMessage: Buffer.from([5, 0, 3, 1, 2, 0, 0x41]) },
      ESME_RINVMSGLEN,
    ],
    [
      'part 3 of 2',
      { esmClass: 0x40, shortMessage: Buffer.from([5, 0, 3, 1, 2, 3, 0x41]) },
      ESME_RINVMSGLEN,
    ],
    [
      'total 0',
      { esmClass: 0x40, shortMessage: Buffer.from([6, 8, 4, 0, 1, 0, 0, 0x41]) },
      ESME_RINVMSGLEN,
    ],
    ['UDHI and nothing', { esmClass: 0x40, shortMessage: Buffer.alloc(0) }, ESME_RINVMSGLEN],
    [
      'bad SAR numbers',
      { shortMessage: Buffer.from('x'), sar: { ref: 1, total: 2, seq: 5 } },
      ESME_RINVMSGLEN,
    ],
    [
      'both short_message and message_payload',
      { shortMessage: Buffer.from('a'), messagePayload: Buffer.from('b') },
      ESME_RINVOPTPARNOTALLWD,
    ],
    [
      'an ESME delivery acknowledgement',
      { esmClass: 0x08, shortMessage: Buffer.from('a') },
      ESME_RINVESMCLASS,
    ],
  ];
  for (const [what, fields, status] of bad) {
    test(`refused: ${what}`, () => {
      const r = readUserData(sm(fields));
      assert.equal(r.ok, false);
      if (!r.ok) assert.equal(r.status, status);
    });
  }
});

describe('decodeText by data_coding', () => {
  const cases: Array<[number, number[], string]> = [
    [0, [0x48, 0x69, 0x00, 0x02, 0x11], 'Hi@$_'],
    [0, [0x1b, 0x65, 0x35], '€5'],
    [0, [0x1b, 0x3c, 0x1b, 0x3e], '[]'],
    [0xf0, [0x48, 0x69], 'Hi'],
    [1, [0x40, 0x24, 0x5f], '@$_'],
    [3, [0xe9, 0x74, 0xe9], 'été'],
    [8, [0x4f, 0x60, 0x59, 0x7d], '你好'],
    [8, [0xd8, 0x3d, 0xde, 0x00], '😀'],
    [8, [], ''],
  ];
  for (const [dc, bytes, text] of cases)
    test(`0x${dc.toString(16)} ${JSON.stringify(text)}`, () =>
      assert.deepEqual(decodeText(dc, Uint8Array.from(bytes)), { ok: true, value: text }));

  const unsendable: Array<[string, number, number[]]> = [
    [
      'UCS-2: a lone high surrogate (an emoji cut after its first unit)',
      8,
      [0x00, 0x68, 0xd8, 0x3d],
    ],
    ['UCS-2: a lone low surrogate', 8, [0xde, 0x00, 0x00, 0x68]],
    ['UCS-2: a reversed pair', 8, [0xde, 0x00, 0xd8, 0x3d]],
    ['UCS-2: U+0000 inside the text', 8, [0x00, 0x68, 0x00, 0x00, 0x00, 0x69]],
    ['IA5: a NUL octet inside the text', 1, [0x68, 0x00, 0x69]],
    ['IA5: a NUL octet before terminators', 1, [0x68, 0x00, 0x69, 0x00, 0x00]],
    ['Latin-1: a NUL octet first', 3, [0x00, 0x41]],
  ];
  for (const [what, dc, bytes] of unsendable)
    test(`${what}: HY_INVALID_TEXT (permanent)`, () => {
      const r = decodeText(dc, Uint8Array.from(bytes));
      assert.equal(r.ok ? 0 : r.status, HY_INVALID_TEXT);
    });

  // C-string clients end the text with NULs (one terminator, or a zero-filled buffer).
  const terminated: Array<[string, number, number[], string]> = [
    ['IA5: one terminator', 1, [0x68, 0x69, 0x00], 'hi'],
    ['IA5: a zero-filled buffer', 1, [0x68, 0x69, 0x00, 0x00, 0x00, 0x00], 'hi'],
    ['Latin-1: one terminator', 3, [0xe9, 0x74, 0xe9, 0x00], 'été'],
    ['Latin-1: nothing but NULs', 3, [0x00, 0x00], ''],
    ['UCS-2: a U+0000 terminator', 8, [0x4f, 0x60, 0x59, 0x7d, 0x00, 0x00], '你好'],
    ['UCS-2: a low octet 0x00 is not a terminator', 8, [0xd8, 0x3d, 0xde, 0x00], '😀'],
    ['GSM: 0x00 at the end is @, kept', 0, [0x48, 0x69, 0x00], 'Hi@'],
    ['GSM (0xF1): 0x00 at the end is @, kept', 0xf1, [0x00, 0x00], '@@'],
  ];
  for (const [what, dc, bytes, text] of terminated)
    test(`${what}: ${JSON.stringify(text)}`, () =>
      assert.deepEqual(decodeText(dc, Uint8Array.from(bytes)), { ok: true, value: text }));

  test('UCS-2: a terminator does not mend an odd length (ESME_RINVMSGLEN)', () => {
    const r = decodeText(8, Uint8Array.from([0x00, 0x68, 0x00]));
    assert.equal(r.ok ? 0 : r.status, ESME_RINVMSGLEN);
  });

  test('UCS-2 with an odd number of octets: ESME_RINVMSGLEN', () => {
    const r = decodeText(8, Uint8Array.from([0x4f, 0x60, 0x59]));
    assert.equal(r.ok ? 0 : r.status, ESME_RINVMSGLEN);
  });

  test('only 0, 1, 3, 8 and 0xF0–0xF3; the rest ESME_RINVDCS', () => {
    const accepted = [];
    for (let dc = 0; dc < 256; dc++) {
      if (supportedDataCoding(dc)) accepted.push(dc);
      else {
        const r = decodeText(dc, Uint8Array.from([0x41]));
        assert.equal(r.ok ? 0 : r.status, ESME_RINVDCS, `0x${dc.toString(16)}`);
      }
    }
    assert.deepEqual(accepted, [0, 1, 3, 8, 0xf0, 0xf1, 0xf2, 0xf3]);
  });
});

describe('recipientOf', () => {
  const cn = (n: string) => /^(\+86)?1[3-9]\d{9}$/.test(n);
  const cases: Array<[number, string, string]> = [
    [1, '8613800138000', '+8613800138000'],
    [1, '447400123456', '+447400123456'],
    [0, '13800138000', '13800138000'],
    [0, '8613800138000', '+8613800138000'],
    [2, '13800138000', '13800138000'],
    [0, '008613800138000', '008613800138000'],
    [1, 'abc', 'abc'],
    [0, ' 13800138000 ', '13800138000'],
  ];
  for (const [ton, addr, want] of cases)
    test(`TON ${ton} ${JSON.stringify(addr)} → ${want}`, () =>
      assert.equal(recipientOf(ton, addr, cn), want));
});
