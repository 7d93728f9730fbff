import { test } from 'node:test';
import assert from 'node:assert/strict';
import { encodeGsm7 } from './gsm7.ts';
import { transcodeGsmPart } from './transcode.ts';

test('GSM septets become ASCII bytes when every character is ASCII', () => {
  const out = transcodeGsmPart(encodeGsm7('Code 1234 {ok} @home_$'), 'ascii');
  assert.equal(Buffer.from(out!).toString('latin1'), 'Code 1234 {ok} @home_$');
});

test('a character outside ASCII gives null for ASCII but fits Latin-1', () => {
  assert.equal(transcodeGsmPart(encodeGsm7('£5 è'), 'ascii'), null);
  assert.deepEqual([...transcodeGsmPart(encodeGsm7('£5 è'), 'latin1')!], [0xa3, 0x35, 0x20, 0xe8]);
});

test('the euro sign has no Latin-1 byte', () => {
  assert.equal(transcodeGsmPart(encodeGsm7('5€'), 'latin1'), null);
});
