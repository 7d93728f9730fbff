// Fuzz: random buffers and mutated valid frames through CmppFrameReader + decode (+ the helpers
// applied to decoded fields). The only exception type allowed out is CmppProtocolError.
// Deterministic (seeded PRNG) so failures reproduce; set CMPP_FUZZ_SEED to explore other seeds.
import { test } from 'node:test';
import assert from 'node:assert/strict';

import {
  CMPP_VERSION_2,
  CMPP_VERSION_3,
  COMMAND_IDS,
  CmppFrameReader,
  CmppProtocolError,
  decode,
  decodeMsgId,
  encode,
  encodeStatusReport,
  msgIdHex,
  parseStatusReport,
  type CmppPdu,
  type CmppVersion,
} from './codec.ts';

const SEED = Number(process.env.CMPP_FUZZ_SEED ?? 0x5eed);
const RANDOM_CASES = 30_000;
const MUTATED_CASES = 90_000;

/** mulberry32 */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const rand = prng(SEED);
const int = (n: number): number => Math.floor(rand() * n);
const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)] as T;
const randomBytes = (n: number): Buffer => {
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i++) b[i] = int(256);
  return b;
};

const MSG_ID = Buffer.from('cca5e00000010001', 'hex');

function samplePdus(version: CmppVersion): CmppPdu[] {
  const v3 = version === CMPP_VERSION_3;
  const tail = v3 ? { feeTerminalType: 0, destTerminalType: 0, linkId: 'L1' } : { reserve: '' };
  const report = encodeStatusReport(
    {
      msgId: MSG_ID,
      stat: 'DELIVRD',
      submitTime: '2412250930',
      doneTime: '2412250931',
      destTerminalId: '13800138000',
      smscSequence: 7,
    },
    version,
  );
  const deliverTail = v3 ? { srcTerminalType: 0, linkId: '' } : { reserve: '' };
  return [
    {
      command: 'connect',
      sequenceId: 1,
      sourceAddr: '901234',
      authenticatorSource: randomBytes(16),
      version,
      timestamp: 1225093000,
    },
    {
      command: 'connect_resp',
      sequenceId: 1,
      status: 0,
      authenticatorIsmg: randomBytes(16),
      version,
    },
    { command: 'terminate', sequenceId: 2 },
    { command: 'terminate_resp', sequenceId: 2 },
    { command: 'active_test', sequenceId: 3 },
    { command: 'active_test_resp', sequenceId: 3, reserved: 0 },
    {
      command: 'submit',
      sequenceId: 4,
      msgId: Buffer.alloc(8),
      pkTotal: 2,
      pkNumber: 1,
      registeredDelivery: 1,
      msgLevel: 0,
      serviceId: 'HYSMS',
      feeUserType: 2,
      feeTerminalId: '',
      tpPid: 0,
      tpUdhi: 1,
      msgFmt: 8,
      msgSrc: '901234',
      feeType: '02',
      feeCode: '000010',
      validTime: '',
      atTime: '',
      srcId: '1069012345',
      destTerminalIds: ['13800138000', '13900139000'],
      msgContent: Buffer.concat([Buffer.from('0500035a0201', 'hex'), randomBytes(40)]),
      ...tail,
    },
    { command: 'submit_resp', sequenceId: 4, msgId: MSG_ID, result: 0 },
    {
      command: 'deliver',
      sequenceId: 5,
      msgId: MSG_ID,
      destId: '106901234501',
      serviceId: 'HYSMS',
      tpPid: 0,
      tpUdhi: 0,
      msgFmt: 0,
      srcTerminalId: '13800138000',
      registeredDelivery: 1,
      msgContent: report,
      ...deliverTail,
    },
    {
      command: 'deliver',
      sequenceId: 6,
      msgId: MSG_ID,
      destId: '106901234501',
      serviceId: 'HYSMS',
      tpPid: 0,
      tpUdhi: 0,
      msgFmt: 8,
      srcTerminalId: '13800138000',
      registeredDelivery: 0,
      msgContent: Buffer.from('9e3f96c1', 'hex'),
      ...deliverTail,
    },
    { command: 'deliver_resp', sequenceId: 5, msgId: MSG_ID, result: 0 },
    { command: 'cancel', sequenceId: 7, msgId: MSG_ID },
    { command: 'cancel_resp', sequenceId: 7, successId: 0 },
  ];
}

const VERSIONS = [CMPP_VERSION_2, CMPP_VERSION_3] as const;
const FRAMES = VERSIONS.flatMap((v) => samplePdus(v).map((p) => encode(p, v)));
const IDS = [...Object.values(COMMAND_IDS), 0x00000003, 0x00000006, 0x80000006, 0x00000009];

function mutate(src: Buffer): Buffer {
  let b = Buffer.from(src);
  const ops = 1 + int(3);
  for (let k = 0; k < ops; k++) {
    switch (int(8)) {
      case 0: // flip random bits in a few bytes
        for (let i = 0, n = 1 + int(4); i < n && b.length > 0; i++) {
          const at = int(b.length);
          b[at] = (b[at] as number) ^ (1 << int(8));
        }
        break;
      case 1: // random byte values
        for (let i = 0, n = 1 + int(4); i < n && b.length > 0; i++) b[int(b.length)] = int(256);
        break;
      case 2: // truncate
        b = b.subarray(0, int(b.length + 1));
        break;
      case 3: // append junk
        b = Buffer.concat([b, randomBytes(int(40))]);
        break;
      case 4: // Total_Length: nearby, tiny, huge or consistent-with-truncation
        if (b.length >= 4) {
          const choice = int(4);
          const v =
            choice === 0
              ? b.readUInt32BE(0) + int(21) - 10
              : choice === 1
                ? int(13)
                : choice === 2
                  ? int(0x100000000)
                  : b.length;
          b.writeUInt32BE(Math.min(Math.max(v, 0), 0xffffffff), 0);
        }
        break;
      case 5: // Command_Id swap
        if (b.length >= 8) b.writeUInt32BE(pick(IDS), 4);
        break;
      case 6: // byte-count fields (DestUsr_tl, Msg_Length, ...) live at many offsets: hit a body byte
        if (b.length > 12) b[12 + int(b.length - 12)] = pick([0, 1, 2, 60, 71, 99, 100, 200, 255]);
        break;
      case 7: // shrink the body, then make Total_Length consistent
        if (b.length > 12) {
          b = b.subarray(0, 12 + int(b.length - 12));
          b.writeUInt32BE(b.length, 0);
        }
        break;
    }
  }
  return b;
}

/** Exercise everything a session would do with one frame. */
function consume(frame: Buffer, version: CmppVersion): void {
  const pdu = decode(frame, version);
  if ('msgId' in pdu) {
    msgIdHex(pdu.msgId);
    decodeMsgId(pdu.msgId);
  }
  if (pdu.command === 'deliver' && pdu.registeredDelivery === 1) {
    const r = parseStatusReport(pdu.msgContent, version);
    msgIdHex(r.msgId);
    decodeMsgId(r.msgId);
  }
}

interface Tally {
  cases: number;
  decoded: number;
  errors: Record<string, number>;
}

function run(input: Buffer, tally: Tally): void {
  tally.cases++;
  const version = pick(VERSIONS);
  const guard = (fn: () => void): void => {
    try {
      fn();
      tally.decoded++;
    } catch (e) {
      if (!(e instanceof CmppProtocolError)) {
        assert.fail(
          `non-CmppProtocolError ${String(e)} for input ${input.toString('hex')} (v 0x${version.toString(16)}, seed ${SEED})\n${(e as Error).stack}`,
        );
      }
      tally.errors[e.code] = (tally.errors[e.code] ?? 0) + 1;
    }
  };
  // Directly, as a whole frame.
  guard(() => consume(input, version));
  // Through the frame reader, in 1-3 random chunks.
  guard(() => {
    const reader = new CmppFrameReader();
    const cut1 = int(input.length + 1);
    const cut2 = cut1 + int(input.length - cut1 + 1);
    for (const chunk of [
      input.subarray(0, cut1),
      input.subarray(cut1, cut2),
      input.subarray(cut2),
    ]) {
      for (const f of reader.push(chunk)) consume(f, version);
    }
  });
}

test(`fuzz: ${RANDOM_CASES + MUTATED_CASES} cases, only CmppProtocolError escapes`, (t) => {
  const started = performance.now();
  const tally: Tally = { cases: 0, decoded: 0, errors: {} };
  for (let i = 0; i < RANDOM_CASES; i++) {
    const n = int(4) === 0 ? int(12) : int(300);
    const b = randomBytes(n);
    // Half the random buffers get a plausible header so decode gets past the first checks.
    if (n >= 12 && int(2) === 0) {
      b.writeUInt32BE(n, 0);
      b.writeUInt32BE(pick(IDS), 4);
    }
    run(b, tally);
  }
  for (let i = 0; i < MUTATED_CASES; i++) run(mutate(pick(FRAMES)), tally);
  // Unmutated frames concatenated still decode cleanly via the reader.
  const reader = new CmppFrameReader();
  let n = 0;
  for (const f of reader.push(Buffer.concat(FRAMES))) {
    const v = n < FRAMES.length / 2 ? CMPP_VERSION_2 : CMPP_VERSION_3;
    consume(f, v);
    n++;
  }
  assert.equal(n, FRAMES.length);

  const ms = performance.now() - started;
  t.diagnostic(
    `seed=${SEED} cases=${tally.cases} ok=${tally.decoded} errors=${JSON.stringify(tally.errors)} time=${ms.toFixed(0)}ms`,
  );
  assert.equal(tally.cases, RANDOM_CASES + MUTATED_CASES);
  // Each error code is actually reached, so the fuzz is not stuck in one rejection path.
  for (const code of ['bad_length', 'unknown_command', 'truncated']) {
    assert.ok((tally.errors[code] ?? 0) > 100, `too few ${code}: ${JSON.stringify(tally.errors)}`);
  }
  assert.ok(tally.decoded > 1000, `too few successful decodes: ${tally.decoded}`);
});
