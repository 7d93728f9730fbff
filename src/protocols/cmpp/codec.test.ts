// Over 500 lines: the spec of one file (codec.ts): byte-exact PDUs of CMPP 2.0 and 3.0, one test per layout or rule.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';

import {
  authenticatorIsmg,
  authenticatorSource,
  authenticatorSourceForm,
  CMPP_VERSION_2,
  CMPP_VERSION_3,
  CmppFrameReader,
  CmppProtocolError,
  decode,
  decodeMsgId,
  encode,
  encodeMsgId,
  encodeStatusReport,
  msgIdHex,
  parseStatusReport,
  statusReportLength,
  timestampOf,
  type CmppErrorCode,
  type CmppPdu,
  type CmppVersion,
  type DeliverPdu,
  type MsgIdParts,
  type SubmitPdu,
} from './codec.ts';

// ---- helpers for hand-built fixtures (independent of the encoder) ----

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');
const u32 = (n: number): Buffer => {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n);
  return b;
};
const u8 = (n: number): Buffer => Buffer.from([n]);
/** ASCII right-padded with NULs to n bytes. */
const pad = (s: string, n: number): Buffer => {
  const b = Buffer.alloc(n);
  b.write(s, 'ascii');
  return b;
};
const ucs2be = (s: string): Buffer => Buffer.from(s, 'utf16le').swap16();
const fromUcs2be = (b: Buffer): string => Buffer.from(b).swap16().toString('utf16le');

function frame(commandId: number, seq: number, ...body: Buffer[]): Buffer {
  const b = Buffer.concat(body);
  return Buffer.concat([u32(12 + b.length), u32(commandId), u32(seq), b]);
}

function assertCmppError(fn: () => unknown, code: CmppErrorCode): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof CmppProtocolError, `expected CmppProtocolError, got ${String(e)}`);
    assert.equal(e.code, code, e.message);
    return true;
  });
}

const MSG_ID = hex('cca5e00000010001');

// ---- sample PDUs per version (shared with the fuzz test through a copy there) ----

function submit(version: CmppVersion, over: Partial<SubmitPdu> = {}): SubmitPdu {
  const base: SubmitPdu = {
    command: 'submit',
    sequenceId: 7,
    msgId: Buffer.alloc(8),
    pkTotal: 1,
    pkNumber: 1,
    registeredDelivery: 1,
    msgLevel: 0,
    serviceId: 'HYSMS',
    feeUserType: 2,
    feeTerminalId: '',
    tpPid: 0,
    tpUdhi: 0,
    msgFmt: 8,
    msgSrc: '901234',
    feeType: '02',
    feeCode: '000010',
    validTime: '',
    atTime: '',
    srcId: '1069012345',
    destTerminalIds: ['13800138000'],
    msgContent: ucs2be('【鸿雁】您的验证码是123456'),
  };
  if (version === CMPP_VERSION_3) {
    base.feeTerminalType = 0;
    base.destTerminalType = 0;
    base.linkId = '';
  } else {
    base.reserve = '';
  }
  return { ...base, ...over };
}

function deliver(version: CmppVersion, over: Partial<DeliverPdu> = {}): DeliverPdu {
  const base: DeliverPdu = {
    command: 'deliver',
    sequenceId: 99,
    msgId: MSG_ID,
    destId: '106901234501',
    serviceId: 'HYSMS',
    tpPid: 0,
    tpUdhi: 0,
    msgFmt: 15,
    srcTerminalId: '13800138000',
    registeredDelivery: 0,
    msgContent: Buffer.from('TD', 'ascii'),
  };
  if (version === CMPP_VERSION_3) {
    base.srcTerminalType = 0;
    base.linkId = 'LINK-0001';
  } else {
    base.reserve = '';
  }
  return { ...base, ...over };
}

function samples(version: CmppVersion): CmppPdu[] {
  const status = version === CMPP_VERSION_3 ? 0xfffffffe : 0xfe;
  return [
    {
      command: 'connect',
      sequenceId: 1,
      sourceAddr: '901234',
      authenticatorSource: authenticatorSource('901234', 'pw', '1225093000'),
      version,
      timestamp: 1225093000,
    },
    {
      command: 'connect_resp',
      sequenceId: 1,
      status: 3,
      authenticatorIsmg: Buffer.alloc(16),
      version,
    },
    {
      command: 'connect_resp',
      sequenceId: 2,
      status,
      authenticatorIsmg: hex('ab'.repeat(16)),
      version,
    },
    { command: 'terminate', sequenceId: 0xffffffff },
    { command: 'terminate_resp', sequenceId: 0xffffffff },
    { command: 'active_test', sequenceId: 42 },
    { command: 'active_test_resp', sequenceId: 42, reserved: 0 },
    submit(version),
    submit(version, {
      destTerminalIds: Array.from({ length: 99 }, (_, i) => `86138${String(i).padStart(8, '0')}`),
      msgFmt: 0,
      msgContent: Buffer.alloc(159, 0x41),
      validTime: '241225093000032+',
      atTime: '241225100000032+',
      feeUserType: 3,
      feeTerminalId: '13900139000',
      ...(version === CMPP_VERSION_3
        ? { feeTerminalType: 1, destTerminalType: 1, linkId: '12345678901234567890' }
        : { reserve: 'RSV12345' }),
    }),
    submit(version, { msgContent: Buffer.alloc(0) }),
    { command: 'submit_resp', sequenceId: 7, msgId: MSG_ID, result: 0 },
    { command: 'submit_resp', sequenceId: 7, msgId: MSG_ID, result: status },
    deliver(version),
    deliver(version, {
      registeredDelivery: 1,
      msgFmt: 0,
      msgContent: encodeStatusReport(
        {
          msgId: MSG_ID,
          stat: 'DELIVRD',
          submitTime: '2412250930',
          doneTime: '2412250931',
          destTerminalId: '13800138000',
          smscSequence: 0xdeadbeef,
        },
        version,
      ),
    }),
    { command: 'deliver_resp', sequenceId: 99, msgId: MSG_ID, result: 0 },
    { command: 'deliver_resp', sequenceId: 99, msgId: MSG_ID, result: status },
    { command: 'cancel', sequenceId: 5, msgId: MSG_ID },
    { command: 'cancel_resp', sequenceId: 5, successId: 1 },
  ];
}

// ---- round trips ----

for (const version of [CMPP_VERSION_2, CMPP_VERSION_3] as const) {
  const v = version === CMPP_VERSION_3 ? '3.0' : '2.0';
  for (const [i, pdu] of samples(version).entries()) {
    test(`round trip ${v}: #${i} ${pdu.command}`, () => {
      const buf = encode(pdu, version);
      assert.equal(buf.readUInt32BE(0), buf.length, 'Total_Length');
      assert.equal(buf.readUInt32BE(8), pdu.sequenceId, 'Sequence_Id');
      assert.deepEqual(decode(buf, version), pdu);
    });
  }
}

test('body lengths follow the spec formulas', () => {
  for (const n of [1, 3]) {
    for (const L of [0, 10]) {
      const s2 = submit(CMPP_VERSION_2, {
        destTerminalIds: Array(n).fill('13800138000'),
        msgContent: Buffer.alloc(L),
      });
      const s3 = submit(CMPP_VERSION_3, {
        destTerminalIds: Array(n).fill('13800138000'),
        msgContent: Buffer.alloc(L),
      });
      assert.equal(encode(s2, CMPP_VERSION_2).length, 12 + 126 + 21 * n + L);
      assert.equal(encode(s3, CMPP_VERSION_3).length, 12 + 151 + 32 * n + L);
    }
  }
  const L = 5;
  const d = (ver: CmppVersion) => deliver(ver, { msgContent: Buffer.alloc(L) });
  assert.equal(encode(d(CMPP_VERSION_2), CMPP_VERSION_2).length, 12 + 73 + L);
  assert.equal(encode(d(CMPP_VERSION_3), CMPP_VERSION_3).length, 12 + 97 + L);
  const resp = { command: 'connect_resp', sequenceId: 1, status: 0, version: 0x20 } as const;
  const cr = { ...resp, authenticatorIsmg: Buffer.alloc(16) };
  assert.equal(encode(cr, CMPP_VERSION_2).length, 12 + 18);
  assert.equal(encode({ ...cr, version: 0x30 }, CMPP_VERSION_3).length, 12 + 21);
  const sr = { command: 'submit_resp', sequenceId: 1, msgId: MSG_ID, result: 0 } as const;
  assert.equal(encode(sr, CMPP_VERSION_2).length, 12 + 9);
  assert.equal(encode(sr, CMPP_VERSION_3).length, 12 + 12);
  assert.equal(statusReportLength(CMPP_VERSION_2), 60);
  assert.equal(statusReportLength(CMPP_VERSION_3), 71);
});

// ---- hand-computed byte fixtures ----

test('timestampOf uses Asia/Shanghai (UTC+8)', () => {
  assert.equal(timestampOf(new Date('2024-12-25T01:30:00Z')), '1225093000');
  assert.equal(timestampOf(new Date('2024-12-31T16:00:00Z')), '0101000000'); // new year in Beijing
  assert.equal(timestampOf(new Date('2024-03-05T15:59:59Z')), '0305235959');
});

test('CONNECT 2.0: exact bytes with a spec-formula AuthenticatorSource', () => {
  const ts = timestampOf(new Date('2024-12-25T01:30:00Z'));
  // MD5(Source_Addr || 9 x 0x00 || secret || "MMDDHHMMSS"), built independently here.
  const expectedAuth = createHash('md5')
    .update(
      Buffer.concat([
        Buffer.from('901234'),
        Buffer.alloc(9),
        Buffer.from('s3cret'),
        Buffer.from('1225093000'),
      ]),
    )
    .digest();
  const auth = authenticatorSource('901234', 's3cret', ts);
  assert.deepEqual(auth, expectedAuth);
  assert.equal(auth.length, 16);

  const buf = encode(
    {
      command: 'connect',
      sequenceId: 1,
      sourceAddr: '901234',
      authenticatorSource: auth,
      version: 0x20,
      timestamp: Number(ts),
    },
    CMPP_VERSION_2,
  );
  const expected = Buffer.concat([
    hex('00000027 00000001 00000001'), // Total_Length 39 = 12 + 27, CMPP_CONNECT, seq 1
    hex('393031323334'), // Source_Addr "901234"
    expectedAuth,
    hex('20'), // Version 2.0
    hex('49056f88'), // Timestamp 1225093000
  ]);
  assert.equal(buf.length, 39);
  assert.deepEqual(buf, expected);
  const pdu = decode(expected, CMPP_VERSION_2);
  assert.equal(pdu.command, 'connect');
  if (pdu.command === 'connect') {
    assert.equal(pdu.timestamp, 1225093000);
    assert.equal(pdu.sourceAddr, '901234');
  }
});

test('AuthenticatorSource of a Source_Addr under 6 octets: padded (default) or unpadded', () => {
  const ts = '1225093000';
  const md5 = (...parts: Buffer[]) => createHash('md5').update(Buffer.concat(parts)).digest();
  // MD5("9012" 00 00 | 9 x 00 | "s3cret" | "1225093000"): the whole 6-octet field.
  const padded = hex('85802a4f964a358522ccf7f4b09c381f');
  // MD5("9012" | 9 x 00 | "s3cret" | "1225093000"): the id's characters only.
  const unpadded = hex('72d376a45b1b14dc43b706d71aebc1ac');
  assert.deepEqual(
    padded,
    md5(
      Buffer.from('9012'),
      Buffer.alloc(2),
      Buffer.alloc(9),
      Buffer.from('s3cret'),
      Buffer.from(ts),
    ),
  );
  assert.deepEqual(authenticatorSource('9012', 's3cret', ts), padded);
  assert.deepEqual(authenticatorSource('9012', 's3cret', ts, 'padded'), padded);
  assert.deepEqual(authenticatorSource('9012', 's3cret', ts, 'unpadded'), unpadded);
  // Six characters: one form.
  assert.deepEqual(
    authenticatorSource('901234', 's3cret', ts, 'padded'),
    authenticatorSource('901234', 's3cret', ts, 'unpadded'),
  );

  assert.equal(authenticatorSourceForm(padded, '9012', 's3cret', ts), 'padded');
  assert.equal(authenticatorSourceForm(unpadded, '9012', 's3cret', ts), 'unpadded');
  assert.equal(authenticatorSourceForm(padded, '9012', 'other', ts), null);
  assert.equal(authenticatorSourceForm(padded, '9012', 's3cret', '1225093001'), null);
  assert.equal(authenticatorSourceForm(Buffer.alloc(16), '9012', 's3cret', ts), null);
  assert.equal(authenticatorSourceForm(Buffer.alloc(3), '9012', 's3cret', ts), null);
  const six = authenticatorSource('901234', 's3cret', ts);
  assert.equal(authenticatorSourceForm(six, '901234', 's3cret', ts), 'padded');
});

test('CONNECT_RESP: status width and AuthenticatorISMG per version', () => {
  const auth = authenticatorSource('901234', 's3cret', '1225093000');
  const ismg2 = authenticatorIsmg(0, auth, 's3cret', CMPP_VERSION_2);
  assert.deepEqual(
    ismg2,
    createHash('md5')
      .update(Buffer.concat([hex('00'), auth, Buffer.from('s3cret')]))
      .digest(),
  );
  const ismg3 = authenticatorIsmg(0, auth, 's3cret', CMPP_VERSION_3);
  assert.deepEqual(
    ismg3,
    createHash('md5')
      .update(Buffer.concat([hex('00000000'), auth, Buffer.from('s3cret')]))
      .digest(),
  );
  const r2 = encode(
    { command: 'connect_resp', sequenceId: 1, status: 0, authenticatorIsmg: ismg2, version: 0x20 },
    CMPP_VERSION_2,
  );
  assert.deepEqual(r2, Buffer.concat([hex('0000001e 80000001 00000001 00'), ismg2, hex('20')]));
  const r3 = encode(
    { command: 'connect_resp', sequenceId: 1, status: 4, authenticatorIsmg: ismg3, version: 0x30 },
    CMPP_VERSION_3,
  );
  assert.deepEqual(
    r3,
    Buffer.concat([hex('00000021 80000001 00000001 00000004'), ismg3, hex('30')]),
  );
});

/** A 2.0 SUBMIT body laid out field by field from the spec table. */
function submitBody2(o: {
  pkTotal: number;
  pkNumber: number;
  tpUdhi: number;
  msgFmt: number;
  dests: string[];
  content: Buffer;
}): Buffer {
  return Buffer.concat([
    Buffer.alloc(8), // Msg_Id
    u8(o.pkTotal),
    u8(o.pkNumber),
    u8(1), // Registered_Delivery
    u8(0), // Msg_level
    pad('HYSMS', 10), // Service_Id
    u8(2), // Fee_UserType
    pad('', 21), // Fee_terminal_Id
    u8(0), // TP_pId
    u8(o.tpUdhi),
    u8(o.msgFmt),
    pad('901234', 6), // Msg_src
    pad('02', 2), // FeeType
    pad('000010', 6), // FeeCode
    pad('', 17), // ValId_Time
    pad('', 17), // At_Time
    pad('1069012345', 21), // Src_Id
    u8(o.dests.length),
    ...o.dests.map((d) => pad(d, 21)),
    u8(o.content.length),
    o.content,
    pad('', 8), // Reserve
  ]);
}

test('SUBMIT 2.0 single part, ASCII Msg_Fmt 0: exact bytes', () => {
  const content = Buffer.from('Your code is 123456', 'ascii');
  const pdu = submit(CMPP_VERSION_2, { msgFmt: 0, msgContent: content, sequenceId: 0x0102 });
  const expected = frame(
    0x00000004,
    0x0102,
    submitBody2({ pkTotal: 1, pkNumber: 1, tpUdhi: 0, msgFmt: 0, dests: ['13800138000'], content }),
  );
  const buf = encode(pdu, CMPP_VERSION_2);
  assert.equal(buf.length, 12 + 126 + 21 + content.length);
  assert.deepEqual(buf, expected);
  const back = decode(expected, CMPP_VERSION_2) as SubmitPdu;
  assert.equal(back.msgContent.toString('ascii'), 'Your code is 123456');
  assert.equal(back.serviceId, 'HYSMS');
  assert.deepEqual(back.destTerminalIds, ['13800138000']);
});

test('SUBMIT 2.0 two-part long message, UCS-2 with UDH 05 00 03: exact bytes', () => {
  const text = '鸿'.repeat(67) + '雁信'; // 69 chars: 67 + 2
  const parts = [text.slice(0, 67), text.slice(67)];
  const ref = 0x5a;
  parts.forEach((p, i) => {
    const udh = hex(`050003 ${ref.toString(16)} 02 0${i + 1}`);
    const content = Buffer.concat([udh, ucs2be(p)]);
    assert.ok(content.length <= 140);
    const pdu = submit(CMPP_VERSION_2, {
      pkTotal: 2,
      pkNumber: i + 1,
      tpUdhi: 1,
      msgFmt: 8,
      msgContent: content,
      sequenceId: 10 + i,
    });
    const buf = encode(pdu, CMPP_VERSION_2);
    const expected = frame(
      0x00000004,
      10 + i,
      submitBody2({
        pkTotal: 2,
        pkNumber: i + 1,
        tpUdhi: 1,
        msgFmt: 8,
        dests: ['13800138000'],
        content,
      }),
    );
    assert.deepEqual(buf, expected);
    // Spot-check offsets in the frame against the spec layout (header is 12 bytes).
    assert.equal(buf[12 + 8], 2, 'Pk_total');
    assert.equal(buf[12 + 9], i + 1, 'Pk_number');
    assert.equal(buf[12 + 45], 1, 'TP_udhi');
    assert.equal(buf[12 + 46], 8, 'Msg_Fmt');
    assert.equal(buf[12 + 116], 1, 'DestUsr_tl');
    assert.equal(buf[12 + 138], content.length, 'Msg_Length');
    assert.deepEqual(buf.subarray(12 + 139, 12 + 145), udh);
    const back = decode(buf, CMPP_VERSION_2) as SubmitPdu;
    assert.equal(fromUcs2be(back.msgContent.subarray(6)), p);
  });
  assert.equal(ucs2be(parts[0] as string).length, 134);
});

test('Chinese content with Msg_Fmt 8 is UCS-2 big-endian', () => {
  const pdu = submit(CMPP_VERSION_3, { msgContent: ucs2be('鸿雁短信') });
  assert.deepEqual(pdu.msgContent, hex('9e3f 96c1 77ed 4fe1'));
  const back = decode(encode(pdu, CMPP_VERSION_3), CMPP_VERSION_3) as SubmitPdu;
  assert.equal(back.msgFmt, 8);
  assert.equal(fromUcs2be(back.msgContent), '鸿雁短信');
});

test('SUBMIT_RESP: Result 1 byte in 2.0, 4 bytes in 3.0', () => {
  const p = { command: 'submit_resp', sequenceId: 3, msgId: MSG_ID, result: 8 } as const;
  assert.deepEqual(
    encode(p, CMPP_VERSION_2),
    hex('00000015 80000004 00000003 cca5e00000010001 08'),
  );
  assert.deepEqual(
    encode(p, CMPP_VERSION_3),
    hex('00000018 80000004 00000003 cca5e00000010001 00000008'),
  );
});

test('DELIVER 2.0 with a status report: exact bytes and parseStatusReport', () => {
  const report = Buffer.concat([
    MSG_ID, // Msg_Id of the MT
    pad('DELIVRD', 7),
    pad('2412250930', 10),
    pad('2412250931', 10),
    pad('13800138000', 21),
    u32(0x01020304), // SMSC_sequence
  ]);
  assert.equal(report.length, 60);
  const deliverId = hex('0102030405060708');
  const expected = frame(
    0x00000005,
    0x77,
    Buffer.concat([
      deliverId,
      pad('1069012345', 21), // Dest_Id
      pad('HYSMS', 10), // Service_Id
      u8(0), // TP_pid
      u8(0), // TP_udhi
      u8(0), // Msg_Fmt
      pad('13800138000', 21), // Src_terminal_Id
      u8(1), // Registered_Delivery: status report
      u8(60), // Msg_Length
      report,
      pad('', 8), // Reserved
    ]),
  );
  assert.equal(expected.length, 12 + 73 + 60);
  const pdu = decode(expected, CMPP_VERSION_2);
  assert.equal(pdu.command, 'deliver');
  const d = pdu as DeliverPdu;
  assert.equal(d.registeredDelivery, 1);
  assert.deepEqual(d.msgId, deliverId);
  assert.equal(d.destId, '1069012345');
  assert.deepEqual(encode(d, CMPP_VERSION_2), expected);
  const r = parseStatusReport(d.msgContent, CMPP_VERSION_2);
  assert.deepEqual(r, {
    msgId: MSG_ID,
    stat: 'DELIVRD',
    submitTime: '2412250930',
    doneTime: '2412250931',
    destTerminalId: '13800138000',
    smscSequence: 0x01020304,
  });
  assert.equal(msgIdHex(r.msgId), 'cca5e00000010001');
  assert.deepEqual(encodeStatusReport(r, CMPP_VERSION_2), report);
});

test('status report 3.0 is 71 bytes with a 32-byte Dest_terminal_Id', () => {
  const r = {
    msgId: MSG_ID,
    stat: 'MK:0001',
    submitTime: '2412250930',
    doneTime: '2412250931',
    destTerminalId: '8613800138000',
    smscSequence: 5,
  };
  const b = encodeStatusReport(r, CMPP_VERSION_3);
  assert.equal(b.length, 71);
  assert.deepEqual(b.subarray(35, 67), pad('8613800138000', 32));
  assert.deepEqual(b.subarray(67), u32(5));
  assert.deepEqual(parseStatusReport(b, CMPP_VERSION_3), r);
  // Trailing bytes beyond the struct are tolerated.
  assert.deepEqual(parseStatusReport(Buffer.concat([b, Buffer.alloc(3)]), CMPP_VERSION_3), r);
  assertCmppError(() => parseStatusReport(b.subarray(0, 70), CMPP_VERSION_3), 'truncated');
  assertCmppError(() => parseStatusReport(Buffer.alloc(59), CMPP_VERSION_2), 'truncated');
});

test('ACTIVE_TEST / ACTIVE_TEST_RESP / TERMINATE bytes', () => {
  assert.deepEqual(
    encode({ command: 'active_test_resp', sequenceId: 0x10, reserved: 0 }, CMPP_VERSION_2),
    hex('0000000d 80000008 00000010 00'),
  );
  assert.deepEqual(
    encode({ command: 'active_test', sequenceId: 0x10 }, CMPP_VERSION_3),
    hex('0000000c 00000008 00000010'),
  );
  assert.deepEqual(
    encode({ command: 'terminate', sequenceId: 2 }, CMPP_VERSION_2),
    hex('0000000c 00000002 00000002'),
  );
  assert.deepEqual(decode(hex('0000000d 80000008 00000010 00'), CMPP_VERSION_2), {
    command: 'active_test_resp',
    sequenceId: 0x10,
    reserved: 0,
  });
  // Lenient: an ACTIVE_TEST_RESP without its Reserved byte.
  assert.deepEqual(decode(hex('0000000c 80000008 00000011'), CMPP_VERSION_3), {
    command: 'active_test_resp',
    sequenceId: 0x11,
    reserved: 0,
  });
});

// ---- Msg_Id ----

const MSG_ID_TABLE: Array<[MsgIdParts, string]> = [
  [
    { month: 0, day: 0, hour: 0, minute: 0, second: 0, gateway: 0, sequence: 0 },
    '0000000000000000',
  ],
  [
    { month: 1, day: 0, hour: 0, minute: 0, second: 0, gateway: 0, sequence: 0 },
    '1000000000000000',
  ],
  [
    { month: 0, day: 1, hour: 0, minute: 0, second: 0, gateway: 0, sequence: 0 },
    '0080000000000000',
  ],
  [
    { month: 0, day: 0, hour: 1, minute: 0, second: 0, gateway: 0, sequence: 0 },
    '0004000000000000',
  ],
  [
    { month: 0, day: 0, hour: 0, minute: 1, second: 0, gateway: 0, sequence: 0 },
    '0000100000000000',
  ],
  [
    { month: 0, day: 0, hour: 0, minute: 0, second: 1, gateway: 0, sequence: 0 },
    '0000004000000000',
  ],
  [
    { month: 0, day: 0, hour: 0, minute: 0, second: 0, gateway: 1, sequence: 0 },
    '0000000000010000',
  ],
  [
    { month: 0, day: 0, hour: 0, minute: 0, second: 0, gateway: 0, sequence: 1 },
    '0000000000000001',
  ],
  [
    { month: 12, day: 25, hour: 9, minute: 30, second: 0, gateway: 1, sequence: 1 },
    'cca5e00000010001',
  ],
  [
    { month: 0, day: 0, hour: 0, minute: 0, second: 0, gateway: 0x3fffff, sequence: 0xffff },
    '0000003fffffffff',
  ],
  [
    // 12=1100 31=11111 23=10111 59=111011 59=111011 | gateway 0 | sequence 0
    { month: 12, day: 31, hour: 23, minute: 59, second: 59, gateway: 0, sequence: 0 },
    'cfdfbec000000000',
  ],
];

for (const [parts, hx] of MSG_ID_TABLE) {
  test(`Msg_Id ${hx}`, () => {
    const b = encodeMsgId(parts);
    assert.equal(msgIdHex(b), hx);
    assert.equal(msgIdHex(b).length, 16);
    assert.deepEqual(decodeMsgId(hex(hx)), parts);
  });
}

test('Msg_Id: out-of-range parts are refused, short buffers are truncated', () => {
  const ok: MsgIdParts = {
    month: 1,
    day: 1,
    hour: 0,
    minute: 0,
    second: 0,
    gateway: 0,
    sequence: 0,
  };
  assert.throws(() => encodeMsgId({ ...ok, month: 13 }), RangeError);
  assert.throws(() => encodeMsgId({ ...ok, gateway: 0x400000 }), RangeError);
  assert.throws(() => encodeMsgId({ ...ok, sequence: 0x10000 }), RangeError);
  assert.throws(() => encodeMsgId({ ...ok, minute: 1.5 }), RangeError);
  assertCmppError(() => decodeMsgId(Buffer.alloc(7)), 'truncated');
  assertCmppError(() => msgIdHex(Buffer.alloc(7)), 'truncated');
});

// ---- frame reader ----

function streamOfFrames(): Buffer[] {
  return [
    encode({ command: 'active_test', sequenceId: 1 }, CMPP_VERSION_2),
    encode(submit(CMPP_VERSION_2), CMPP_VERSION_2),
    encode({ command: 'active_test_resp', sequenceId: 2, reserved: 0 }, CMPP_VERSION_2),
    encode(deliver(CMPP_VERSION_2), CMPP_VERSION_2),
  ];
}

test('frame reader: split at every byte boundary', () => {
  const frames = streamOfFrames();
  const stream = Buffer.concat(frames);
  for (let i = 0; i <= stream.length; i++) {
    const reader = new CmppFrameReader();
    const got = [...reader.push(stream.subarray(0, i)), ...reader.push(stream.subarray(i))];
    assert.deepEqual(got, frames, `split at ${i}`);
    assert.equal(reader.buffered, 0);
  }
});

test('frame reader: one byte at a time, and three-way splits', () => {
  const frames = streamOfFrames();
  const stream = Buffer.concat(frames);
  const reader = new CmppFrameReader();
  const got: Buffer[] = [];
  for (let i = 0; i < stream.length; i++) got.push(...reader.push(stream.subarray(i, i + 1)));
  assert.deepEqual(got, frames);
  for (let i = 0; i < stream.length; i += 7) {
    for (let j = i; j <= stream.length; j += 11) {
      const r = new CmppFrameReader();
      const out = [
        ...r.push(stream.subarray(0, i)),
        ...r.push(stream.subarray(i, j)),
        ...r.push(stream.subarray(j)),
      ];
      assert.deepEqual(out, frames);
    }
  }
  assert.deepEqual(
    got.map((f) => decode(f, CMPP_VERSION_2).command),
    ['active_test', 'submit', 'active_test_resp', 'deliver'],
  );
});

test('frame reader: bad Total_Length throws bad_length and stays failed', () => {
  for (const total of [0, 11, 4097, 0xffffffff]) {
    const r = new CmppFrameReader();
    assertCmppError(
      () => r.push(Buffer.concat([u32(total), hex('00000008 00000001')])),
      'bad_length',
    );
    assertCmppError(() => r.push(hex('0000000c 00000008 00000001')), 'bad_length');
  }
  // Detected as soon as the 4 length bytes arrive, even split.
  const r = new CmppFrameReader();
  assert.deepEqual(r.push(hex('0000')), []);
  assertCmppError(() => r.push(hex('0005')), 'bad_length');
  // A valid frame before the bad one is still refused as a whole push (stream is broken).
  const small = new CmppFrameReader(100);
  assertCmppError(
    () => small.push(Buffer.concat([hex('0000000c 00000008 00000001'), u32(101)])),
    'bad_length',
  );
  // Custom max accepted.
  assert.equal(
    new CmppFrameReader(100).push(Buffer.concat([u32(100), Buffer.alloc(96)])).length,
    1,
  );
});

// ---- decode errors ----

test('decode: unknown command ids', () => {
  for (const id of [0x00000003, 0x00000006, 0x80000006, 0x00000009, 0x00000010, 0x12345678]) {
    assertCmppError(() => decode(frame(id, 1), CMPP_VERSION_2), 'unknown_command');
  }
});

test('decode: truncated bodies and bad lengths', () => {
  const sub = encode(submit(CMPP_VERSION_2), CMPP_VERSION_2);
  // Buffer shorter than its Total_Length.
  assertCmppError(() => decode(sub.subarray(0, sub.length - 1), CMPP_VERSION_2), 'truncated');
  // Shorter than the header.
  assertCmppError(() => decode(hex('0000000c 000000'), CMPP_VERSION_2), 'truncated');
  assertCmppError(() => decode(Buffer.alloc(0), CMPP_VERSION_3), 'truncated');
  // Consistent Total_Length but a body cut short: every prefix of the body.
  for (let cut = 0; cut < sub.length - 12; cut++) {
    const f = frame(0x00000004, 1, sub.subarray(12, 12 + cut));
    assertCmppError(() => decode(f, CMPP_VERSION_2), 'truncated');
  }
  // Msg_Length claiming more content than present.
  const d = Buffer.from(encode(deliver(CMPP_VERSION_2), CMPP_VERSION_2));
  d[12 + 64] = 200; // Msg_Length (body offset 8+21+10+3+21+1 = 64)
  assertCmppError(() => decode(d, CMPP_VERSION_2), 'truncated');
  // 3.0 CONNECT_RESP decoded as 2.0 leaves trailing bytes.
  const cr3 = encode(
    {
      command: 'connect_resp',
      sequenceId: 1,
      status: 0,
      authenticatorIsmg: Buffer.alloc(16),
      version: 0x30,
    },
    CMPP_VERSION_3,
  );
  assertCmppError(() => decode(cr3, CMPP_VERSION_2), 'bad_length');
  // 2.0 CONNECT_RESP decoded as 3.0 is truncated.
  const cr2 = encode(
    {
      command: 'connect_resp',
      sequenceId: 1,
      status: 0,
      authenticatorIsmg: Buffer.alloc(16),
      version: 0x20,
    },
    CMPP_VERSION_2,
  );
  assertCmppError(() => decode(cr2, CMPP_VERSION_3), 'truncated');
  // Total_Length below 12 / trailing bytes after the frame.
  assertCmppError(() => decode(hex('0000000b 00000008 00000001'), CMPP_VERSION_2), 'bad_length');
  assertCmppError(() => decode(hex('0000000c 00000008 00000001 00'), CMPP_VERSION_2), 'bad_length');
  assertCmppError(() => decode(hex('0000000d 00000008 00000001 00'), CMPP_VERSION_2), 'bad_length');
});

test('encode refuses values that do not fit their field (RangeError)', () => {
  assert.throws(
    () => encode(submit(CMPP_VERSION_2, { serviceId: 'X'.repeat(11) }), 0x20),
    RangeError,
  );
  assert.throws(() => encode(submit(CMPP_VERSION_2, { destTerminalIds: [] }), 0x20), RangeError);
  assert.throws(
    () => encode(submit(CMPP_VERSION_2, { destTerminalIds: Array(100).fill('1') }), 0x20),
    RangeError,
  );
  assert.throws(
    () => encode(submit(CMPP_VERSION_2, { msgContent: Buffer.alloc(256) }), 0x20),
    RangeError,
  );
  assert.throws(() => encode(submit(CMPP_VERSION_2, { srcId: '鸿雁' }), 0x20), RangeError);
  assert.throws(() => encode(submit(CMPP_VERSION_2, { pkTotal: 256 }), 0x20), RangeError);
  assert.throws(() => encode(submit(CMPP_VERSION_2, { msgId: Buffer.alloc(7) }), 0x20), RangeError);
  assert.throws(() => encode({ command: 'active_test', sequenceId: -1 }, 0x20), RangeError);
  // 32-byte terminal ids fit 3.0 but not 2.0.
  const long = submit(CMPP_VERSION_3, { destTerminalIds: ['1'.repeat(32)] });
  assert.equal(encode(long, CMPP_VERSION_3).length, 12 + 151 + 32 + long.msgContent.length);
  assert.throws(() => encode(long, CMPP_VERSION_2), RangeError);
});
