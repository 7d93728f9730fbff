import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import {
  newWebhookSecret,
  signatureHeader,
  signatureOf,
  verifySignature,
} from './webhook-signature.ts';

test('the signature is HMAC-SHA256(secret, t + "." + body), hex', () => {
  const secret = 'whsec_test';
  const body = '{"id":"evt_1","data":{"text":"收到 👍"}}';
  assert.equal(
    signatureOf(secret, 1795581257, body),
    createHmac('sha256', secret).update(`1795581257.${body}`, 'utf8').digest('hex'),
  );
  const header = signatureHeader([secret], 1795581257, body);
  assert.equal(header, `t=1795581257,v1=${signatureOf(secret, 1795581257, body)}`);
  const opts = { nowSeconds: 1795581300 };
  assert.ok(verifySignature(header, body, secret, opts));
  assert.ok(!verifySignature(header, body + ' ', secret, opts), 'the body is signed');
  assert.ok(!verifySignature(header, body, 'whsec_other', opts), 'the secret matters');
  assert.ok(
    !verifySignature(header.replace('t=1795581257', 't=1795581258'), body, secret, opts),
    'the time is signed',
  );
  assert.ok(!verifySignature(header, body, secret, { nowSeconds: 1795581257 + 301 }), 'too old');
  for (const bad of ['', 't=x,v1=00', 'v1=abc', `t=1795581257,v1=${'0'.repeat(63)}`])
    assert.ok(!verifySignature(bad, body, secret, opts), bad);
  const two = signatureHeader(['whsec_new', 'whsec_old'], 1795581257, body);
  assert.ok(verifySignature(two, body, 'whsec_new', opts));
  assert.ok(verifySignature(two, body, 'whsec_old', opts), 'during a rotation both sign');
  assert.match(newWebhookSecret(), /^whsec_[A-Za-z0-9_-]{43}$/);
  assert.notEqual(newWebhookSecret(), newWebhookSecret());
});
