import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { LookupAddress } from 'node:dns';
import {
  EgressPolicy,
  EgressPolicyError,
  isPublicAddress,
  REFUSED_TARGET,
  type Resolve,
} from './egress-policy.ts';

// Every spelling of a non-public host an attacker tried or might try, and the public ones that
// must keep working. true = may be reached with the default policy (allowedTargets empty).
const SPELLINGS: Array<[string, boolean]> = [
  // IPv4 loopback, in every spelling the WHATWG URL parser accepts
  ['http://127.0.0.1:8080/v1/admin', false],
  ['http://127.1/', false],
  ['http://2130706433/', false],
  ['http://0x7f.1/', false],
  ['http://0x7f000001/', false],
  ['http://017700000001/', false],
  ['http://0177.0.0.1/', false],
  ['http://%31%32%37.0.0.1/', false],
  ['http://\uff11\uff12\uff17.0.0.1/', false],
  ['http://127.255.255.254/', false],
  ['https://127.0.0.1:8443/', false],
  // unspecified: 0.0.0.0 reaches the local host
  ['http://0.0.0.0/', false],
  ['http://0/', false],
  // private, shared (CGNAT), link-local and cloud metadata
  ['http://10.0.0.1/', false],
  ['http://10.255.255.255/', false],
  ['http://172.16.0.1/', false],
  ['http://172.31.255.255/', false],
  ['http://192.168.1.1/', false],
  ['http://100.64.0.1/', false],
  ['http://100.127.255.254/', false],
  ['http://169.254.169.254/latest/meta-data/', false],
  ['http://2852039166/', false],
  // multicast, broadcast, reserved, benchmarking, documentation, IETF
  ['http://224.0.0.1/', false],
  ['http://239.255.255.250:1900/', false],
  ['http://255.255.255.255/', false],
  ['http://240.0.0.1/', false],
  ['http://198.18.0.1/', false],
  ['http://198.19.255.255/', false],
  ['http://192.0.2.1/', false],
  ['http://203.0.113.7/', false],
  ['http://192.0.0.170/', false],
  ['http://192.88.99.1/', false],
  // IPv6 loopback and unspecified
  ['http://[::1]/', false],
  ['http://[0:0:0:0:0:0:0:1]/', false],
  ['http://[::]/', false],
  // IPv4-mapped, in dotted and hex form, and IPv4-compatible
  ['http://[::ffff:127.0.0.1]/', false],
  ['http://[::ffff:7f00:1]/', false],
  ['http://[0:0:0:0:0:ffff:7f00:1]/', false],
  ['http://[::ffff:169.254.169.254]/', false],
  ['http://[::ffff:10.0.0.1]/', false],
  ['http://[::ffff:8.8.8.8]/', false],
  ['http://[::127.0.0.1]/', false],
  ['http://[::7f00:1]/', false],
  ['http://[::ffff:0:7f00:1]/', false],
  // NAT64 (well-known and local-use), 6to4, Teredo
  ['http://[64:ff9b::a9fe:a9fe]/', false],
  ['http://[64:ff9b::127.0.0.1]/', false],
  ['http://[64:ff9b::10.1.2.3]/', false],
  ['http://[64:ff9b::]/', false],
  ['http://[64:ff9b:1::808:808]/', false],
  ['http://[2002:7f00:1::1]/', false],
  ['http://[2002:808:808::1]/', false],
  ['http://[2001:0:4136:e378:8000:63bf:3fff:fdd2]/', false],
  // ULA, link-local (with and without a zone), site-local, multicast, discard, documentation
  ['http://[fd00::1]/', false],
  ['http://[fc00::1]/', false],
  ['http://[fdff:ffff:ffff:ffff:ffff:ffff:ffff:ffff]/', false],
  ['http://[fe80::1]/', false],
  ['http://[febf::1]/', false],
  ['http://[fec0::1]/', false],
  ['http://[ff02::1]/', false],
  ['http://[100::1]/', false],
  ['http://[2001:db8::1]/', false],
  ['http://[3fff::1]/', false],
  // loopback names (RFC 6761)
  ['http://localhost/', false],
  ['http://LOCALHOST:8080/', false],
  ['http://localhost./', false],
  ['http://api.localhost/', false],
  // public: these keep working
  ['https://hooks.example.com/sms', true],
  ['https://hooks.example.com./sms', true],
  ['http://8.8.8.8/', true],
  ['http://134744072/', true],
  ['http://0x8.0x8.0x8.0x8/', true],
  ['http://172.32.0.1/', true],
  ['http://100.128.0.1/', true],
  ['http://169.255.0.1/', true],
  ['http://[2606:4700:4700::1111]/', true],
  ['http://[2a00:1450:4001:82b::200e]/', true],
  // NAT64 of a public IPv4 address: what DNS64 hands out for every public host
  ['http://[64:ff9b::808:808]/', true],
  // A name is judged by its addresses at connect time (see `lookup` below), not here.
  ['http://metadata.google.internal/', true],
  ['http://169.254.169.254.nip.io/', true],
];

test(`the default policy refuses every non-public spelling (${SPELLINGS.length} URLs)`, () => {
  assert.ok(SPELLINGS.length >= 40);
  const policy = new EgressPolicy();
  for (const [url, ok] of SPELLINGS) {
    const c = policy.checkUrl(url);
    assert.equal(c.ok, ok, url);
    if (!c.ok) {
      assert.equal(c.reason, 'not_public', url);
      assert.match(c.detail, /not a public internet address/, url);
    }
  }
  // Not a URL at all is another matter.
  const bad = policy.checkUrl('gopher://127.0.0.1/');
  assert.deepEqual([bad.ok, !bad.ok && bad.reason], [false, 'invalid']);
});

test('addresses as DNS gives them, in any spelling', () => {
  const cases: Array<[string, boolean]> = [
    ['127.0.0.1', false],
    ['::ffff:127.0.0.1', false],
    ['::FFFF:7F00:1', false],
    ['fe80::1%eth0', false],
    ['fe80::1%2', false],
    ['2606:4700:4700::1111%eth0', false],
    ['64:ff9b::8.8.8.8', true],
    ['64:ff9b::192.168.0.1', false],
    ['93.184.216.34', true],
    ['2606:4700:4700::1111', true],
    ['', false],
    ['example.com', false],
    ['1.2.3', false],
  ];
  for (const [address, pub] of cases) assert.equal(isPublicAddress(address), pub, address);
});

test('webhooks.allowedTargets: ranges, addresses and names the operator allows', () => {
  const policy = new EgressPolicy([
    '127.0.0.1/32',
    '::1',
    '10.20.0.0/16',
    'fd12:3456::/32',
    'hooks.corp.example',
    '*.svc.cluster.local',
  ]);
  const cases: Array<[string, boolean]> = [
    ['http://127.0.0.1:3000/', true],
    ['http://[::ffff:127.0.0.1]:3000/', true],
    ['http://[::1]/', true],
    ['http://localhost:3000/', true],
    ['http://127.0.0.2/', false],
    ['http://10.20.3.4/', true],
    ['http://10.21.0.1/', false],
    ['http://[fd12:3456::9]/', true],
    ['http://[fd12:3457::9]/', false],
    ['http://169.254.169.254/', false],
    ['http://hooks.corp.example/', true],
    ['http://HOOKS.corp.example./', true],
    ['http://orders.svc.cluster.local/', true],
    ['http://svc.cluster.local.evil.example/', true],
  ];
  for (const [url, ok] of cases) assert.equal(policy.checkUrl(url).ok, ok, url);
  assert.ok(policy.hostAllowed('a.b.svc.cluster.local'));
  assert.ok(!policy.hostAllowed('svc.cluster.local.evil.example'));
  assert.ok(!policy.hostAllowed('xsvc.cluster.local'));

  for (const bad of [
    '10.0.0.0/33',
    '10.0.0.0/8/8',
    '::1/129',
    '10.0.0.0/x',
    'not a host',
    '',
    '*',
  ]) {
    assert.throws(() => new EgressPolicy([bad]), EgressPolicyError, bad);
  }
});

/** A resolver over a fixed table, as dns.lookup with `all: true` answers. */
function table(entries: Record<string, string[]>): Resolve {
  return (hostname, _options, callback) => {
    const found = entries[hostname];
    if (!found) {
      const err: NodeJS.ErrnoException = new Error(`getaddrinfo ENOTFOUND ${hostname}`);
      err.code = 'ENOTFOUND';
      return callback(err, []);
    }
    callback(
      null,
      found.map((address) => ({ address, family: address.includes(':') ? 6 : 4 })),
    );
  };
}

function lookup(
  policy: EgressPolicy,
  host: string,
  all: boolean,
): Promise<{ err: NodeJS.ErrnoException | null; result: unknown }> {
  return new Promise((resolve) =>
    policy.lookup(host, { all }, (err, address: string | LookupAddress[], family?: number) =>
      resolve({ err, result: all ? address : [address, family] }),
    ),
  );
}

test('lookup: names are judged on the addresses they resolve to, when connecting', async () => {
  const resolve = table({
    'rebind.example': ['127.0.0.1'],
    'meta.example': ['169.254.169.254', '::ffff:169.254.169.254'],
    'mixed.example': ['10.0.0.5', '93.184.216.34', 'fd00::5', '2606:4700:4700::1111'],
    'public.example': ['93.184.216.34'],
    'hooks.corp.example': ['10.1.2.3'],
    'lab.example': ['10.20.0.9', '10.30.0.9'],
  });
  const policy = new EgressPolicy(['hooks.corp.example', '10.20.0.0/16'], resolve);
  for (const host of ['rebind.example', 'meta.example']) {
    const r = await lookup(policy, host, true);
    assert.equal(r.err?.code, REFUSED_TARGET, host);
    assert.equal(r.err?.message, `${host} resolves to no public address`);
  }
  // Only the addresses we may reach are handed to the connection.
  assert.deepEqual((await lookup(policy, 'mixed.example', true)).result, [
    { address: '93.184.216.34', family: 4 },
    { address: '2606:4700:4700::1111', family: 6 },
  ]);
  assert.deepEqual((await lookup(policy, 'public.example', false)).result, ['93.184.216.34', 4]);
  assert.deepEqual((await lookup(policy, 'lab.example', false)).result, ['10.20.0.9', 4]);
  // A name the operator allows may resolve to anything.
  assert.deepEqual((await lookup(policy, 'hooks.corp.example', false)).result, ['10.1.2.3', 4]);
  assert.equal((await lookup(policy, 'nowhere.example', true)).err?.code, 'ENOTFOUND');
});
