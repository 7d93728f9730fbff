// Low-balance alerts through the one notification service: email to a real (local) SMTP server,
// SMS through Hongyan itself from the operator's account, each recorded; once per crossing.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { SMTPServer } from 'smtp-server';
import { databases } from './support/databases.ts';
import { freePort } from './support/embedded-postgres.ts';
import { startTestPlatform, waitFor, type TestPlatform } from './support/platform.ts';
import { operatorAdmin, registerCompany } from './support/people.ts';
import { OPERATOR_TENANT_ID } from '../src/platform.ts';

interface Mail {
  to: string[];
  data: string;
}

for (const database of databases) {
  describe(`low-balance notifications on ${database.dialect}`, () => {
    let t: TestPlatform;
    let smtp: SMTPServer;
    const mails: Mail[] = [];

    before(async () => {
      const port = await freePort();
      smtp = new SMTPServer({
        authOptional: true,
        disabledCommands: ['STARTTLS', 'AUTH'],
        onData(stream, session, done) {
          let data = '';
          stream.on('data', (c: Buffer) => (data += c.toString()));
          stream.on('end', () => {
            mails.push({ to: session.envelope.rcptTo.map((r) => r.address), data });
            done();
          });
        },
      });
      await new Promise<void>((resolve) => smtp.listen(port, '127.0.0.1', resolve));
      t = await startTestPlatform(database, {
        notifications: {
          smtp: {
            host: '127.0.0.1',
            port,
            secure: false,
            user: null,
            password: null,
            from: 'noreply@hongyan.test',
          },
        },
      });
    });
    after(async () => {
      await t.stop();
      await new Promise<void>((resolve) => smtp.close(() => resolve()));
    });

    test('crossing below the threshold notifies once by email and SMS; a recharge re-arms it', async () => {
      const admin = await operatorAdmin(t, `notify-${database.dialect}@operator.test`);
      const c = await registerCompany(t, `lowco-${database.dialect}`);
      await admin.call(`/v1/admin/tenants/${c.tenantId}/status`, {
        body: { status: 'active', reason: 'ok' },
      });
      await admin.call(`/v1/admin/tenants/${c.tenantId}/recharges`, {
        body: { amount: '1', reference: 'p1' },
      });
      const bad = await c.owner.call('/v1/account/low-balance-threshold', {
        method: 'PUT',
        body: { threshold: '-1' },
      });
      assert.deepEqual([bad.status, bad.body.field], [422, 'threshold']);
      assert.equal(
        (
          await c.owner.call('/v1/account/low-balance-threshold', {
            method: 'PUT',
            body: { threshold: '0.5' },
          })
        ).status,
        204,
      );
      assert.deepEqual(await t.platform.jobs.checkLowBalances(), []);

      const sent = await t.api('/v1/messages', {
        key: c.key,
        body: {
          to: Array.from({ length: 12 }, (_, i) => `+861380013${String(8100 + i)}`),
          text: 'spend',
        },
      });
      assert.equal(sent.status, 202);
      assert.deepEqual(await t.platform.jobs.checkLowBalances(), [c.tenantId]);
      assert.deepEqual(await t.platform.jobs.checkLowBalances(), [], 'once per crossing');

      await waitFor(() => mails.some((m) => m.to.includes(c.email)), 5000, 'the email');
      const mail = mails.find((m) => m.to.includes(c.email))!;
      assert.match(mail.data, /Subject: Low SMS balance/);
      assert.match(mail.data, /0\.4600 CNY/);
      const sms = await t.platform.store.db
        .selectFrom('messages')
        .select(['to', 'billing'])
        .where('tenant_id', '=', OPERATOR_TENANT_ID)
        .execute();
      assert.deepEqual(
        sms.map((m) => [m.to, m.billing]),
        [['+8613800138000', 'free']],
      );
      const notices = (await t.api('/v1/notifications', { key: c.key })).body.data;
      assert.deepEqual(notices.map((n: any) => [n.kind, n.channel, n.status]).sort(), [
        ['low_balance', 'email', 'sent'],
        ['low_balance', 'sms', 'sent'],
      ]);

      await admin.call(`/v1/admin/tenants/${c.tenantId}/recharges`, {
        body: { amount: '1', reference: 'p2' },
      });
      assert.deepEqual(
        await t.platform.jobs.checkLowBalances(),
        [],
        'rising above re-arms without a notice',
      );
      await t.api('/v1/messages', {
        key: c.key,
        body: {
          to: Array.from({ length: 25 }, (_, i) => `+861390013${String(8100 + i)}`),
          text: 'spend more',
        },
      });
      assert.deepEqual(
        await t.platform.jobs.checkLowBalances(),
        [c.tenantId],
        'the next crossing notifies again',
      );
    });
  });
}
