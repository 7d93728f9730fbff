// Lock-outs and throttling (issue 11 item 5, docs/security.md): every try counted before its
// password is checked, on SMPP binds, CMPP logins and HTTP login; a name locked only from the
// address that failed; an address that sprays throttled without denying the names that logged in
// from it. Clients come from different loopback addresses (127.0.0.x) over real sockets, so each
// case has its own source address, as tenants behind different NATs would.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { connect as tcpConnect } from 'node:net';
import smpp, { type PDU } from 'smpp';
import { databases } from './support/databases.ts';
import { startTestPlatform, waitFor, type TestPlatform } from './support/platform.ts';
import { GOOD_PASSWORD, operatorAdmin, registerCompany, type Browser } from './support/people.ts';
import {
  ESME_RBINDFAIL,
  ESME_RINVPASWD,
  ESME_ROK,
  ESME_RTHROTTLED,
} from '../src/protocols/smpp/command-status.ts';
import {
  CmppFrameReader,
  authenticatorSource,
  decode,
  encode,
  timestampOf,
  type CmppPdu,
} from '../src/protocols/cmpp/codec.ts';

const SECRET = 'Se-cret42';

/** One SMPP bind from `from`: the bind_transceiver_resp status. */
async function smppBind(
  port: number,
  from: string,
  systemId: string,
  password: string,
): Promise<number> {
  // The options go to net.connect, which takes the source address (the typings omit it).
  const options = { host: '127.0.0.1', port, localAddress: from };
  const session = smpp.connect(options);
  session.on('error', () => {});
  try {
    await new Promise<void>((resolve, reject) => {
      session.once('connect', () => resolve());
      session.once('error', reject);
    });
    const resp = await new Promise<PDU>((resolve) =>
      session.bind_transceiver({ system_id: systemId, password }, resolve),
    );
    return resp.command_status;
  } finally {
    session.destroy();
  }
}

/** One CMPP 3.0 CONNECT from `from`: the CONNECT_RESP status. */
async function cmppConnect(
  port: number,
  from: string,
  spId: string,
  secret: string,
): Promise<number> {
  const socket = tcpConnect({ host: '127.0.0.1', port, localAddress: from });
  socket.on('error', () => {});
  try {
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', () => resolve());
      socket.once('error', reject);
    });
    const ts = timestampOf(new Date());
    const reader = new CmppFrameReader();
    const answer = new Promise<CmppPdu>((resolve) =>
      socket.on('data', (chunk: Buffer) => {
        for (const frame of reader.push(chunk)) resolve(decode(frame, 0x30));
      }),
    );
    socket.write(
      encode(
        {
          command: 'connect',
          sequenceId: 1,
          sourceAddr: spId,
          authenticatorSource: authenticatorSource(spId, secret, ts),
          version: 0x30,
          timestamp: Number(ts),
        },
        0x30,
      ),
    );
    const resp = await answer;
    assert.equal(resp.command, 'connect_resp');
    return resp.status;
  } finally {
    socket.destroy();
  }
}

/** POST /v1/auth/login from `from`. */
async function login(
  t: TestPlatform,
  from: string,
  email: string,
  password: string,
): Promise<{ status: number; body: any; retryAfter: string | undefined }> {
  const url = new URL('/v1/auth/login', t.url);
  const payload = JSON.stringify({ email, password });
  return await new Promise((resolve, reject) => {
    const req = request(
      {
        host: url.hostname,
        port: url.port,
        path: url.pathname,
        method: 'POST',
        localAddress: from,
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(payload),
        },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (text += c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            body: JSON.parse(text),
            retryAfter: res.headers['retry-after'],
          }),
        );
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

const count = (statuses: number[], status: number) => statuses.filter((s) => s === status).length;

for (const database of databases) {
  describe(`lock-outs and throttling on ${database.dialect}`, () => {
    const d = database.dialect === 'sqlite' ? 's' : 'p';
    let t: TestPlatform;
    let admin: Browser;
    let smppPort: number;
    let cmppPort: number;
    let a: Awaited<ReturnType<typeof registerCompany>>;
    let b: Awaited<ReturnType<typeof registerCompany>>;
    // CMPP Source_Addr is at most 6 octets: short system ids.
    const sysA = `lka${d}`;
    const sysB = `lkb${d}`;

    before(async () => {
      t = await startTestPlatform(database);
      smppPort = t.platform.smppPort!;
      cmppPort = t.platform.cmppPort!;
      admin = await operatorAdmin(t, `lockouts-${d}@operator.test`);
      a = await registerCompany(t, `lockouts-a-${d}`);
      b = await registerCompany(t, `lockouts-b-${d}`);
      for (const [c, systemId] of [
        [a, sysA],
        [b, sysB],
      ] as const) {
        const approved = await admin.call(`/v1/admin/tenants/${c.tenantId}/status`, {
          body: { status: 'active', reason: 'ok' },
        });
        assert.equal(approved.status, 204);
        const r = await t.api('/v1/smpp-accounts', {
          key: c.key,
          body: { systemId, password: 'Pa55word', cmppSecret: SECRET, bindTypes: ['transceiver'] },
        });
        assert.equal(r.status, 201, JSON.stringify(r.body));
      }
    });
    after(async () => {
      await t?.stop();
    });

    test('30 concurrent wrong SMPP binds on one system_id: only the limit are checked; others keep binding', async () => {
      const from = '127.0.0.2';
      const statuses = await Promise.all(
        Array.from({ length: 30 }, () => smppBind(smppPort, from, sysA, 'wrong-pass')),
      );
      assert.equal(count(statuses, ESME_RINVPASWD), 5, `checked: ${statuses.join(',')}`);
      assert.equal(count(statuses, ESME_RBINDFAIL), 25, 'the rest refused unchecked');
      assert.equal(
        await smppBind(smppPort, from, sysA, 'Pa55word'),
        ESME_RBINDFAIL,
        'that system_id is locked from that address, even with the right password',
      );
      assert.equal(
        await smppBind(smppPort, from, sysB, 'Pa55word'),
        ESME_ROK,
        "another tenant's correct bind from the same address",
      );
      assert.equal(
        await smppBind(smppPort, '127.0.0.3', sysA, 'Pa55word'),
        ESME_ROK,
        'the locked system_id from another address',
      );
    });

    test('30 concurrent wrong CMPP logins on one Source_Addr: only the limit are checked', async () => {
      const from = '127.0.0.4';
      const statuses = await Promise.all(
        Array.from({ length: 30 }, () => cmppConnect(cmppPort, from, sysA, 'not-the-secret')),
      );
      // CMPP 3.0 CONNECT_RESP Status: 3 = authentication failed, 5 = other error.
      assert.equal(count(statuses, 3), 5, `checked: ${statuses.join(',')}`);
      assert.equal(count(statuses, 5), 25);
      assert.equal(await cmppConnect(cmppPort, from, sysB, SECRET), 0, 'another SP from there');
      assert.equal(await cmppConnect(cmppPort, '127.0.0.5', sysA, SECRET), 0);
    });

    test('spraying system_ids from one address is throttled; a tenant that bound from it before is not', async () => {
      const from = '127.0.0.6';
      assert.equal(await smppBind(smppPort, from, sysB, 'Pa55word'), ESME_ROK);
      const sprayed: number[] = [];
      for (let i = 0; i < 20; i++)
        sprayed.push(await smppBind(smppPort, from, `spray${i}-${d}`, 'Pa55word'));
      // Unknown system_ids are answered as a wrong password is (docs/smpp.md, "Binding").
      assert.equal(count(sprayed, ESME_RINVPASWD), 20);
      assert.equal(await smppBind(smppPort, from, `spray-next-${d}`, 'Pa55word'), ESME_RTHROTTLED);
      assert.equal(
        await smppBind(smppPort, from, sysA, 'Pa55word'),
        ESME_RTHROTTLED,
        'a name new at a throttled address waits too (documented)',
      );
      assert.equal(await smppBind(smppPort, from, sysB, 'Pa55word'), ESME_ROK, 'the known tenant');
      assert.equal(await smppBind(smppPort, '127.0.0.7', sysA, 'Pa55word'), ESME_ROK);
    });

    test('an unknown system_id / Source_Addr is answered as a wrong password / authenticator', async () => {
      const from = '127.0.0.15';
      assert.equal(await smppBind(smppPort, from, `ghost-${d}`, 'Pa55word'), ESME_RINVPASWD);
      assert.equal(await smppBind(smppPort, from, sysA, 'not-Pa55word'), ESME_RINVPASWD);
      // CMPP 3.0 CONNECT_RESP Status 3 for both: an unknown Source_Addr and a wrong secret.
      assert.equal(await cmppConnect(cmppPort, from, `gh${d}`, SECRET), 3);
      assert.equal(await cmppConnect(cmppPort, from, sysA, 'not-the-secret'), 3);
    });

    test('guesses at a system_id from many addresses never keep its tenant out of a clean address', async () => {
      // A system_id of its own, so that no other case's failures count for it.
      const sysC = `lkc${d}`;
      const created = await t.api('/v1/smpp-accounts', {
        key: a.key,
        body: { systemId: sysC, password: 'Pa55word', bindTypes: ['transceiver'] },
      });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      // 14 failures from 14 addresses: 4 past login.maxFailuresPerName, a 16 s delay.
      const bots = Array.from({ length: 14 }, (_, i) => `127.0.1.${i + 1}`);
      const guessed = await Promise.all(
        bots.map((from) => smppBind(smppPort, from, sysC, 'guess')),
      );
      assert.equal(count(guessed, ESME_RINVPASWD), 14, guessed.join(','));
      assert.equal(
        await smppBind(smppPort, bots[0]!, sysC, 'Pa55word'),
        ESME_RTHROTTLED,
        'an address that failed for the system_id waits out the delay',
      );
      assert.equal(
        await smppBind(smppPort, '127.0.1.100', sysC, 'Pa55word'),
        ESME_ROK,
        'an address with no failures of its own is checked at once',
      );
    });

    test('tenants behind one NAT: failures for a system_id known at the address slow it, never lock it', async () => {
      const nat = '127.0.0.16';
      assert.equal(
        await smppBind(smppPort, nat, sysB, 'Pa55word'),
        ESME_ROK,
        'b binds from the NAT',
      );
      const wrong: number[] = [];
      for (let i = 0; i < 5; i++) wrong.push(await smppBind(smppPort, nat, sysB, 'guess'));
      assert.equal(count(wrong, ESME_RINVPASWD), 5, wrong.join(','));
      // b's right password: at most a delay (login.maxDelaySeconds), never the 15-minute lock.
      const answers: number[] = [];
      await waitFor(
        async () => {
          answers.push(await smppBind(smppPort, nat, sysB, 'Pa55word'));
          return answers.at(-1) === ESME_ROK;
        },
        10_000,
        'b to bind again from its own address',
      );
      assert.ok(
        answers.every((s) => s === ESME_ROK || s === ESME_RTHROTTLED),
        answers.join(','),
      );
    });

    test('HTTP login: password spraying from one address is answered 429 with Retry-After', async () => {
      const from = '127.0.0.8';
      const regular = await login(t, from, b.email, GOOD_PASSWORD);
      assert.equal(regular.status, 200, 'b logs in from here before the attack');
      // Twenty guesses over many emails, a real one among them, none five times.
      for (let i = 0; i < 20; i++) {
        const email = i < 4 ? a.email : `victim${i}-${d}@spray.test`;
        const r = await login(t, from, email, 'Summer-2026!');
        assert.equal(r.status, 401, `try ${i}: ${JSON.stringify(r.body)}`);
      }
      const throttled = await login(t, from, `victim-next-${d}@spray.test`, 'Summer-2026!');
      assert.equal(throttled.status, 429);
      assert.equal(throttled.body.code, 'rate_limited');
      const retry = Number(throttled.retryAfter);
      assert.ok(retry > 0 && retry <= 15 * 60, `Retry-After ${throttled.retryAfter}`);
      assert.equal(throttled.body.retryAfterSeconds, retry);
      assert.match(throttled.body.detail, /地址登录失败次数过多/);
      assert.equal(
        (await login(t, from, b.email, GOOD_PASSWORD)).status,
        200,
        'a user who logged in from the address before is not throttled',
      );
      assert.equal((await login(t, '127.0.0.9', a.email, GOOD_PASSWORD)).status, 200);
    });

    test('HTTP login: a user locked by failures from one address logs in from another', async () => {
      const attacker = '127.0.0.10';
      for (let i = 0; i < 5; i++)
        assert.equal((await login(t, attacker, b.email, 'Wrong-Password-1')).status, 401);
      const locked = await login(t, attacker, b.email, GOOD_PASSWORD);
      assert.equal(locked.status, 423);
      assert.equal(locked.body.code, 'account_locked');
      assert.ok(Date.parse(locked.body.unlockAt) > Date.now());
      assert.ok(Number(locked.retryAfter) > 0);
      assert.match(locked.body.detail, /登录失败次数过多/, 'zh-CN by default');
      assert.equal((await login(t, '127.0.0.11', b.email, GOOD_PASSWORD)).status, 200);
      // An unknown email is answered the same way: the lock tells nothing about who exists.
      for (let i = 0; i < 5; i++)
        assert.equal((await login(t, attacker, `ghost-${d}@nowhere.test`, 'x')).status, 401);
      assert.equal((await login(t, attacker, `ghost-${d}@nowhere.test`, 'x')).status, 423);
    });

    test('HTTP login: 30 concurrent wrong passwords for one email are counted before checking', async () => {
      const from = '127.0.0.12';
      const failures = async () =>
        (await admin.call(`/v1/admin/audit?tenantId=${a.tenantId}&action=login.failed&limit=500`))
          .body.data.length as number;
      const before = await failures();
      const answers = await Promise.all(
        Array.from({ length: 30 }, () => login(t, from, a.email, 'Wrong-Password-2')),
      );
      const statuses = answers.map((r) => r.status);
      assert.equal(count(statuses, 401), 5, `checked: ${statuses.join(',')}`);
      assert.equal(count(statuses, 423), 25);
      assert.equal((await failures()) - before, 5, 'five passwords were checked');
    });

    test('HTTP login: past login.requestsPerMinute from one address, 429 before any query or audit row', async () => {
      const from = '127.0.0.17';
      assert.equal((await login(t, from, b.email, GOOD_PASSWORD)).status, 200, 'b known here');
      const throttledRows = async () =>
        (
          await admin.call(
            `/v1/admin/audit?tenantId=${a.tenantId}&action=login.throttled&limit=500`,
          )
        ).body.data.length as number;
      // 29 more wrong tries (20 checked, then the address is throttled): 30 in all, the bucket.
      await Promise.all(
        Array.from({ length: 29 }, (_, i) => login(t, from, `flood${i}-${d}@x.test`, 'Wrong-1')),
      );
      // Until the request limit answers: a known user's right password is refused with it too.
      // Probes go five at a time: on a loaded machine one login can take longer than the bucket
      // takes to refill a token, and one probe at a time would never empty it.
      let limited: Awaited<ReturnType<typeof login>> | undefined;
      await waitFor(
        async () => {
          const probes = await Promise.all(
            Array.from({ length: 5 }, () => login(t, from, b.email, GOOD_PASSWORD)),
          );
          for (const r of probes) {
            if (r.status === 429) limited ??= r;
            else assert.equal(r.status, 200);
          }
          return limited !== undefined;
        },
        10_000,
        'the request limit',
      );
      assert.equal(limited!.body.code, 'rate_limited');
      assert.match(limited!.body.detail, /登录请求过多/);
      assert.ok(Number(limited!.retryAfter) > 0);
      assert.equal(limited!.body.retryAfterSeconds, Number(limited!.retryAfter));
      // A request the limit refuses costs no audit row (the throttled address's tries did).
      const before = await throttledRows();
      const more = await Promise.all(
        Array.from({ length: 5 }, () => login(t, from, a.email, 'Wrong-2')),
      );
      const requestLimited = more.filter((r) => /登录请求过多/.test(r.body.detail ?? '')).length;
      assert.ok(requestLimited >= 4, more.map((r) => r.status).join(','));
      assert.equal((await throttledRows()) - before, 5 - requestLimited);
    });
  });
}
