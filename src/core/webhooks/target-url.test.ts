import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkTargetUrl, isPrivateAddress } from './target-url.ts';

test('target URLs: http(s) with a host, no credentials, not too long', () => {
  const cases: Array<[string, boolean, boolean]> = [
    // url, ok with private networks allowed, ok without
    ['https://hooks.example.com/sms?x=1', true, true],
    ['http://hooks.example.com:8080/', true, true],
    ['HTTPS://EXAMPLE.COM', true, true],
    ['https://[2001:db8::1]/h', true, true],
    ['http://127.0.0.1:3000/hook', true, false],
    ['http://localhost/hook', true, false],
    ['http://api.localhost/hook', true, false],
    ['http://10.1.2.3/', true, false],
    ['http://172.16.0.1/', true, false],
    ['http://172.32.0.1/', true, true],
    ['http://192.168.1.1/', true, false],
    ['http://169.254.169.254/latest/meta-data', true, false],
    ['http://100.64.0.1/', true, false],
    ['http://0.0.0.0/', true, false],
    ['http://[::1]/', true, false],
    ['http://[fd00::1]/', true, false],
    ['http://[fe80::1]/', true, false],
    ['ftp://example.com/', false, false],
    ['file:///etc/passwd', false, false],
    ['javascript:alert(1)', false, false],
    ['data:text/plain,hi', false, false],
    ['//example.com/x', false, false],
    ['/relative', false, false],
    ['', false, false],
    ['https://user:pw@example.com/', false, false],
    ['https://user@example.com/', false, false],
    [`https://example.com/${'a'.repeat(2100)}`, false, false],
  ];
  for (const [url, open, closed] of cases) {
    assert.equal(checkTargetUrl(url, { allowPrivateNetworks: true }).ok, open, url);
    assert.equal(checkTargetUrl(url, { allowPrivateNetworks: false }).ok, closed, url);
  }
  const ok = checkTargetUrl('HTTPS://Example.COM:443/a b', { allowPrivateNetworks: true });
  assert.deepEqual(ok, {
    ok: true,
    url: 'https://example.com/a%20b',
    origin: 'https://example.com',
  });
});

test('private addresses', () => {
  for (const a of ['127.0.0.1', '10.0.0.1', '::ffff:192.168.0.1', '::1', 'FE80::1', '224.0.0.1'])
    assert.ok(isPrivateAddress(a), a);
  for (const a of ['8.8.8.8', '172.15.0.1', '2001:4860:4860::8888', 'example.com'])
    assert.ok(!isPrivateAddress(a), a);
});
