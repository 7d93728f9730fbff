import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkTargetUrl } from './target-url.ts';

// Only the URL's shape: whether its host may be reached is src/net/egress-policy.test.ts.
test('target URLs: http(s) with a host, no credentials, not too long', () => {
  const cases: Array<[string, boolean]> = [
    ['https://hooks.example.com/sms?x=1', true],
    ['http://hooks.example.com:8080/', true],
    ['HTTPS://EXAMPLE.COM', true],
    ['https://[2606:4700:4700::1111]/h', true],
    ['http://127.0.0.1:3000/hook', true],
    ['ftp://example.com/', false],
    ['file:///etc/passwd', false],
    ['javascript:alert(1)', false],
    ['data:text/plain,hi', false],
    ['gopher://example.com:70/', false],
    ['//example.com/x', false],
    ['/relative', false],
    ['', false],
    ['http://', false],
    ['http://[::1', false],
    ['https://user:pw@example.com/', false],
    ['https://user@example.com/', false],
    [`https://example.com/${'a'.repeat(2100)}`, false],
  ];
  for (const [url, ok] of cases) assert.equal(checkTargetUrl(url).ok, ok, url);
  assert.deepEqual(checkTargetUrl('HTTPS://Example.COM:443/a b'), {
    ok: true,
    url: 'https://example.com/a%20b',
    origin: 'https://example.com',
    host: 'example.com',
  });
});

test('the host a policy judges: canonical, without brackets or a trailing dot', () => {
  const hostOf = (url: string) => {
    const c = checkTargetUrl(url);
    return c.ok ? c.host : c.detail;
  };
  assert.equal(hostOf('http://2130706433/'), '127.0.0.1');
  assert.equal(hostOf('http://0x7f.1/'), '127.0.0.1');
  assert.equal(hostOf('http://[::ffff:127.0.0.1]/'), '::ffff:7f00:1');
  assert.equal(hostOf('http://LOCALHOST./'), 'localhost');
  assert.equal(hostOf('http://b\u00fccher.example/'), 'xn--bcher-kva.example');
});
