import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { errorCatalog } from '../../core/errors.ts';
import {
  ESME_RINVDSTADR,
  ESME_RINVMSGLEN,
  ESME_RSUBMITFAIL,
  ESME_RSYSERR,
  ESME_RTHROTTLED,
  HY_CONTENT_BLOCKED,
  HY_INSUFFICIENT_BALANCE,
  HY_INVALID_TEXT,
  HY_RECIPIENT_OPTED_OUT,
  classifySubmitStatus,
  commandStatusFor,
  commandStatusName,
  mappedCodes,
  smppStatusName,
  type SubmitFailure,
} from './command-status.ts';

describe('domain error → command_status', () => {
  const cases: Array<[string, number]> = [
    ['invalid_number', ESME_RINVDSTADR],
    ['text_too_long', ESME_RINVMSGLEN],
    ['empty_text', ESME_RINVMSGLEN],
    ['invalid_text', HY_INVALID_TEXT],
    ['insufficient_balance', HY_INSUFFICIENT_BALANCE],
    ['content_blocked', HY_CONTENT_BLOCKED],
    ['recipient_opted_out', HY_RECIPIENT_OPTED_OUT],
    ['rate_limited', ESME_RTHROTTLED],
    ['internal_error', ESME_RSYSERR],
    ['something_new', ESME_RSUBMITFAIL],
  ];
  for (const [code, status] of cases)
    test(`${code} → ${commandStatusName(status)}`, () =>
      assert.equal(commandStatusFor(code), status));

  test('every mapped code is in the error catalog', () => {
    for (const code of mappedCodes()) assert.ok(code in errorCatalog, code);
  });

  test('vendor codes sit in 0x0400–0x04FF (SMPP 3.4 §5.1.3), and every value has a name', () => {
    for (const code of Object.keys(errorCatalog)) {
      const status = commandStatusFor(code);
      if (status >= 0x100)
        assert.ok(status === 0x104 || (status >= 0x400 && status <= 0x4ff), code);
      assert.doesNotMatch(commandStatusName(status), /^0x/, code);
    }
    assert.equal(commandStatusName(0x123), '0x00000123');
  });

  test('docs/smpp.md lists every mapping', () => {
    const doc = readFileSync(new URL('../../../docs/smpp.md', import.meta.url), 'utf8');
    for (const code of mappedCodes()) {
      const status = commandStatusFor(code);
      const hex = `0x${status
        .toString(16)
        .toUpperCase()
        .padStart(status > 0xff ? 4 : 2, '0')}`;
      const row = doc.split('\n').find((l) => l.includes(`\`${code}\``) && l.includes(hex));
      assert.ok(row, `a docs/smpp.md table row with \`${code}\` and ${hex}`);
    }
  });
});

describe('classifySubmitStatus', () => {
  const cases: Array<[number, SubmitFailure]> = [
    [0x58, 'throttled'],
    [0x14, 'throttled'],
    [0x08, 'temporary'],
    [0x04, 'temporary'],
    [0x05, 'temporary'],
    [0x0d, 'temporary'],
    [0xff, 'temporary'],
    [0x0400, 'temporary'],
    [0x04a1, 'temporary'],
    [0x0300, 'temporary'],
    [0x0b, 'rejected'],
    [0x0a, 'rejected'],
    [0x45, 'rejected'],
    [0x01, 'rejected'],
    [0x43, 'rejected'],
    [0x48, 'rejected'],
    [0x49, 'rejected'],
    [0x50, 'rejected'],
    [0x51, 'rejected'],
    [0x61, 'rejected'],
    [0x62, 'rejected'],
    [0xc0, 'rejected'],
    [0xc2, 'rejected'],
    [0xc4, 'rejected'],
    [0x104, 'rejected'],
  ];
  for (const [code, expected] of cases) {
    test(`${smppStatusName(code)} → ${expected}`, () =>
      assert.equal(classifySubmitStatus(code), expected));
  }
  test('ESME_ROK is not a failure', () => assert.throws(() => classifySubmitStatus(0), RangeError));
});

describe('smppStatusName', () => {
  const cases: Array<[number, string]> = [
    [0x00, 'ESME_ROK'],
    [0x45, 'ESME_RSUBMITFAIL'],
    [0x58, 'ESME_RTHROTTLED'],
    [0x0e, 'ESME_RINVPASWD'],
    [0x0b, 'ESME_RINVDSTADR'],
    [0x14, 'ESME_RMSGQFUL'],
    [0xff, 'ESME_RUNKNOWNERR'],
    [0x4a1, '0x000004A1'],
    [0x09, '0x00000009'],
  ];
  for (const [code, name] of cases) {
    test(`${code} → ${name}`, () => assert.equal(smppStatusName(code), name));
  }
});
